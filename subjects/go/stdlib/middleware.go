package main

import (
	"net/http"

	"podium.local/subjects/common"
)

// chain wraps h so that the first middleware listed runs first.
func chain(h http.Handler, mws ...func(http.Handler) http.Handler) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

func countRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		common.CountRequest(r.URL.Path)
		next.ServeHTTP(w, r)
	})
}

// recoverer turns a panic into a 500 instead of net/http's default of
// logging it and dropping the connection.
func recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if rec := recover(); rec != nil {
				if rec == http.ErrAbortHandler {
					panic(rec) // the sentinel net/http uses to abort a response on purpose
				}
				common.WriteError(w, http.StatusInternalServerError, http.StatusText(http.StatusInternalServerError))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// requestID echoes the client's X-Request-Id or generates one; it runs before
// the JWT check so that 401 answers carry it too.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(common.RequestIDHeader)
		if id == "" {
			id = common.NewRequestID()
		}
		w.Header().Set(common.RequestIDHeader, id)
		next.ServeHTTP(w, r)
	})
}

func requireJWT(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := common.VerifyBearer(r.Header.Get("Authorization")); err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer`)
			common.WriteError(w, http.StatusUnauthorized, err.Error())
			return
		}
		next.ServeHTTP(w, r)
	})
}
