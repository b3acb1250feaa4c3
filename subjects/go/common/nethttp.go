package common

import (
	"encoding/json"
	"io"
	"net/http"
)

// Helpers for subjects whose handlers are plain net/http handlers (stdlib, chi):
// the response shapes are the contract's, not the framework's, so they live once.

// WriteJSON writes v as an application/json body with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// WriteError writes the contract's error body {"error": msg}.
func WriteError(w http.ResponseWriter, status int, msg string) {
	WriteJSON(w, status, ErrorBody{Error: msg})
}

// WriteBodyError answers a request body that could not be used: 413 when it
// exceeded MaxBodyBytes, 400 otherwise.
func WriteBodyError(w http.ResponseWriter, err error) {
	if IsBodyTooLarge(err) {
		WriteError(w, http.StatusRequestEntityTooLarge, "request body is larger than 1 MiB")
		return
	}
	WriteError(w, http.StatusBadRequest, err.Error())
}

// ServeRPC is POST /rpc for net/http: the body (at most MaxBodyBytes) goes
// through HandleRPC; no response object means 204 with an empty body.
func ServeRPC(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		WriteBodyError(w, err)
		return
	}
	out := HandleRPC(body)
	if out == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(out)
}
