// Command server is the Podium contract served with go-zero's rest package.
package main

import (
	_ "embed"
	"net"
	"net/http"
	"net/http/pprof"
	"strconv"

	"github.com/zeromicro/go-zero/core/conf"
	"github.com/zeromicro/go-zero/core/logx"
	"github.com/zeromicro/go-zero/rest"
	"github.com/zeromicro/go-zero/rest/httpx"
	"github.com/zeromicro/go-zero/rest/router"

	"podium.local/subjects/common"
)

// Embedded rather than read with conf.MustLoad: Podium runs the binary from
// its own output folder, away from this source tree.
//
//go:embed etc/server.yaml
var configYAML []byte

func main() {
	server := rest.MustNewServer(loadConfig(),
		// go-zero's built-in middlewares (recover, max bytes) run before the
		// ones added with server.Use, so counting happens one level up, on
		// the router, the way go-zero itself wraps it for CORS: a request
		// the built-ins reject (413) is still counted.
		rest.WithRouter(countingRouter{router.NewRouter()}),
	)
	defer server.Stop()

	httpx.SetErrorHandlerCtx(errorBody)
	server.AddRoutes(withOtelRoutes(routes())) // otel: adds /otel/downstream in the OTel variant

	// Start returns once core/proc has handled SIGTERM/SIGINT and the
	// http.Server has finished its in-flight requests.
	server.Start()
}

func loadConfig() rest.RestConf {
	var c rest.RestConf
	// Loading through conf, not a RestConf literal, fills every field the
	// YAML leaves out with go-zero's own tag defaults.
	logx.Must(conf.LoadFromYamlBytes(configYAML, &c))
	host, port, err := net.SplitHostPort(common.Addr())
	logx.Must(err)
	c.Host = host
	c.Port, err = strconv.Atoi(port)
	logx.Must(err)
	configureTelemetry(&c) // otel: Telemetry from the OTEL_* variables (no-op in the plain build)
	return c
}

func routes() []rest.Route {
	rs := []rest.Route{
		{Method: http.MethodGet, Path: "/ping", Handler: pingHandler},
		{Method: http.MethodGet, Path: "/json", Handler: jsonHandler},
		{Method: http.MethodGet, Path: "/users/:id", Handler: getUserHandler},
		{Method: http.MethodPost, Path: "/users", Handler: createUserHandler},
		{Method: http.MethodPost, Path: "/rpc", Handler: rpcHandler},
		{Method: http.MethodGet, Path: "/ws", Handler: common.ServeWebSocket},
		{Method: http.MethodGet, Path: "/metrics", Handler: common.MetricsHandler().ServeHTTP},
		{Method: http.MethodGet, Path: "/config/greeting", Handler: common.ServeGreeting},

		// pprof.Index also serves every named profile (heap, goroutine, ...)
		// from the path; the others are handlers of their own.
		{Method: http.MethodGet, Path: "/debug/pprof/", Handler: pprof.Index},
		{Method: http.MethodGet, Path: "/debug/pprof/:name", Handler: pprof.Index},
		{Method: http.MethodGet, Path: "/debug/pprof/cmdline", Handler: pprof.Cmdline},
		{Method: http.MethodGet, Path: "/debug/pprof/profile", Handler: pprof.Profile},
		{Method: http.MethodGet, Path: "/debug/pprof/symbol", Handler: pprof.Symbol},
		{Method: http.MethodPost, Path: "/debug/pprof/symbol", Handler: pprof.Symbol},
		{Method: http.MethodGet, Path: "/debug/pprof/trace", Handler: pprof.Trace},
	}
	// Recover is go-zero's built-in (Middlewares.Recover), outermost on every
	// route; request id and JWT follow it in this order.
	return append(rs, rest.WithMiddlewares(
		[]rest.Middleware{requestIDMiddleware, jwtMiddleware},
		rest.Route{Method: http.MethodGet, Path: "/mw/ping", Handler: pingHandler},
	)...)
}

// countingRouter counts every request before routing.
type countingRouter struct {
	httpx.Router
}

func (cr countingRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	common.CountRequest(r.URL.Path)
	cr.Router.ServeHTTP(w, r)
}
