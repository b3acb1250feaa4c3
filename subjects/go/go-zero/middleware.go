package main

import (
	"net/http"

	"github.com/zeromicro/go-zero/rest/httpx"

	"podium.local/subjects/common"
)

// requestIDMiddleware echoes X-Request-Id or sets a new one, before anything
// later in the chain can answer.
func requestIDMiddleware(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(common.RequestIDHeader)
		if id == "" {
			id = common.NewRequestID()
		}
		w.Header().Set(common.RequestIDHeader, id)
		next(w, r)
	}
}

// jwtMiddleware stands in for rest.WithJwt, whose verifier accepts any HMAC
// algorithm (HS384 too) and tokens without exp, and logs every rejection; the
// contract wants HS256 with a required exp and no per-request output.
func jwtMiddleware(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := common.VerifyBearer(r.Header.Get("Authorization")); err != nil {
			httpx.ErrorCtx(r.Context(), w, &statusError{code: http.StatusUnauthorized, msg: err.Error()})
			return
		}
		next(w, r)
	}
}
