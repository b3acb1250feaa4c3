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
	srv := &http.Server{Addr: common.Addr(), Handler: router()}
	if err := common.Serve(srv.ListenAndServe, srv.Shutdown); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func router() http.Handler {
	r := chi.NewRouter()
	// Router-level middleware also runs for unmatched routes, so 404s and
	// 405s are counted like any other request.
	r.Use(countRequests)

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
	return r
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
