package main

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5/middleware"

	"podium.local/subjects/common"
)

func countRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		common.CountRequest(r.URL.Path)
		next.ServeHTTP(w, r)
	})
}

// requestID stands in for middleware.RequestID, which only puts the id in
// the request context and never sets the response header the contract asks
// for. It stores the id under the same context key, so middleware.GetReqID
// keeps working for anything downstream.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(common.RequestIDHeader)
		if id == "" {
			id = common.NewRequestID()
		}
		w.Header().Set(common.RequestIDHeader, id)
		ctx := context.WithValue(r.Context(), middleware.RequestIDKey, id)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// jwtAuth accepts only HS256 bearer tokens with an unexpired exp claim.
func jwtAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := common.VerifyBearer(r.Header.Get("Authorization")); err != nil {
			w.Header().Set("WWW-Authenticate", "Bearer")
			common.WriteError(w, http.StatusUnauthorized, err.Error())
			return
		}
		next.ServeHTTP(w, r)
	})
}
