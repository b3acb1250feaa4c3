// Command server is the net/http subject: the standard library only, with
// Go 1.22+ ServeMux patterns and middleware as func(http.Handler) http.Handler.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/pprof"
	"os"

	"podium.local/subjects/common"
)

func main() {
	srv := &http.Server{Addr: common.Addr(), Handler: routes()}
	if err := common.Serve(srv.ListenAndServe, srv.Shutdown); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ping", ping)
	mux.HandleFunc("GET /json", helloJSON)
	mux.HandleFunc("GET /users/{id}", getUser)
	mux.HandleFunc("POST /users", createUser)
	mux.Handle("GET /mw/ping", chain(http.HandlerFunc(ping), recoverer, requestID, requireJWT))
	mux.HandleFunc("POST /rpc", rpc)
	mux.HandleFunc("GET /ws", common.ServeWebSocket)
	mux.Handle("GET /metrics", common.MetricsHandler())

	// The same registrations net/http/pprof's init makes on DefaultServeMux,
	// which this server does not use.
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)

	// Counting wraps the mux so that every request, 404s included, is seen.
	return countRequests(mux)
}

func ping(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "pong")
}

func helloJSON(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, common.HelloWorld)
}

func getUser(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, common.GetUser(r.PathValue("id")))
}

func createUser(w http.ResponseWriter, r *http.Request) {
	req, err := common.DecodeCreateUser(http.MaxBytesReader(w, r.Body, common.MaxBodyBytes))
	if err != nil {
		writeBodyError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, common.NewUser(req))
}

func rpc(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, common.MaxBodyBytes))
	if err != nil {
		writeBodyError(w, err)
		return
	}
	out := common.HandleRPC(body)
	if out == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(out)
}

func writeBodyError(w http.ResponseWriter, err error) {
	if common.IsBodyTooLarge(err) {
		writeError(w, http.StatusRequestEntityTooLarge, "request body is larger than 1 MiB")
		return
	}
	writeError(w, http.StatusBadRequest, err.Error())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, common.ErrorBody{Error: msg})
}
