package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

func TestRecovererKeepsRequestID(t *testing.T) {
	r := chi.NewRouter()
	r.With(middleware.Recoverer, requestID).Get("/boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/boom", nil))
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("X-Request-Id") == "" {
		t.Fatalf("got %d, request id %q", rec.Code, rec.Header().Get("X-Request-Id"))
	}
}

func TestMwPingWithoutToken(t *testing.T) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/mw/ping", nil)
	req.Header.Set("X-Request-Id", "abc")
	router().ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("X-Request-Id") != "abc" {
		t.Fatalf("got %d, request id %q", rec.Code, rec.Header().Get("X-Request-Id"))
	}
}
