package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRecovererKeepsRequestID(t *testing.T) {
	boom := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
	h := chain(boom, recoverer, requestID)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/mw/ping", nil))
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("X-Request-Id") == "" {
		t.Fatalf("got %d, request id %q", rec.Code, rec.Header().Get("X-Request-Id"))
	}
}

func TestMwPingWithoutToken(t *testing.T) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/mw/ping", nil)
	req.Header.Set("X-Request-Id", "abc")
	routes().ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("X-Request-Id") != "abc" {
		t.Fatalf("got %d, request id %q", rec.Code, rec.Header().Get("X-Request-Id"))
	}
}
