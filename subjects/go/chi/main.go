// Command server is the chi subject: github.com/go-chi/chi/v5 routing with
// chi's own middleware package where it covers the contract.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"podium.local/subjects/common"
)

func main() {
	flush := startOtel() // otel: providers from the OTEL_* variables (no-op in the plain build)
	srv := &http.Server{Addr: common.Addr(), Handler: router()}
	err := common.Serve(srv.ListenAndServe, srv.Shutdown)
	flush() // otel: export what is buffered before exiting
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func router() http.Handler {
	mux := chi.NewRouter() // otel: named so that the routes can go through instrument
	// Router-level middleware also runs for unmatched routes, so 404s and
	// 405s are counted like any other request.
	mux.Use(countRequests) // otel: on mux, see above
	r := instrument(mux)   // otel: otelhttp on the routes below (the mux itself in the plain build)

	r.Get("/ping", ping)
	r.Get("/json", helloJSON)
	r.Get("/users/{id}", getUser)
	r.With(middleware.RequestSize(common.MaxBodyBytes)).Post("/users", createUser)
	r.With(middleware.Recoverer, requestID, jwtAuth).Get("/mw/ping", ping)
	r.With(middleware.RequestSize(common.MaxBodyBytes)).Post("/rpc", common.ServeRPC)
	r.Get("/ws", common.ServeWebSocket)
	r.Method(http.MethodGet, "/metrics", common.MetricsHandler())
	r.Get("/config/greeting", common.ServeGreeting)
	r.Mount("/debug", middleware.Profiler())
	return mux // otel: the root router, not the instrumented view of it
}

func ping(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "pong")
}

func helloJSON(w http.ResponseWriter, _ *http.Request) {
	common.WriteJSON(w, http.StatusOK, common.HelloWorld)
}

func getUser(w http.ResponseWriter, r *http.Request) {
	common.WriteJSON(w, http.StatusOK, common.GetUser(chi.URLParam(r, "id")))
}

func createUser(w http.ResponseWriter, r *http.Request) {
	req, err := common.DecodeCreateUser(r.Body)
	if err != nil {
		common.WriteBodyError(w, err)
		return
	}
	common.WriteJSON(w, http.StatusCreated, common.NewUser(req))
}
