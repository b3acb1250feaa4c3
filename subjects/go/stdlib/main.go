// Command server is the net/http subject: the standard library only, with
// Go 1.22+ ServeMux patterns and middleware as func(http.Handler) http.Handler.
package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/pprof"
	"os"

	"podium.local/subjects/common"
)

func main() {
	flush := startOtel() // otel: providers from the OTEL_* variables (no-op in the plain build)
	srv := &http.Server{Addr: common.Addr(), Handler: routes()}
	err := common.Serve(srv.ListenAndServe, srv.Shutdown)
	flush() // otel: export what is buffered before exiting
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func routes() http.Handler {
	mux := newMux() // otel: routes registered through otelhttp in the OTel variant
	mux.HandleFunc("GET /ping", ping)
	mux.HandleFunc("GET /json", helloJSON)
	mux.HandleFunc("GET /users/{id}", getUser)
	mux.HandleFunc("POST /users", createUser)
	mux.Handle("GET /mw/ping", chain(http.HandlerFunc(ping), recoverer, requestID, requireJWT))
	mux.HandleFunc("POST /rpc", common.ServeRPC)
	mux.HandleFunc("GET /ws", common.ServeWebSocket)
	mux.Handle("GET /metrics", common.MetricsHandler())
	mux.HandleFunc("GET /config/greeting", common.ServeGreeting)

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
	common.WriteJSON(w, http.StatusOK, common.HelloWorld)
}

func getUser(w http.ResponseWriter, r *http.Request) {
	common.WriteJSON(w, http.StatusOK, common.GetUser(r.PathValue("id")))
}

func createUser(w http.ResponseWriter, r *http.Request) {
	req, err := common.DecodeCreateUser(http.MaxBytesReader(w, r.Body, common.MaxBodyBytes))
	if err != nil {
		common.WriteBodyError(w, err)
		return
	}
	common.WriteJSON(w, http.StatusCreated, common.NewUser(req))
}
