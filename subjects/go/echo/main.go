// Command server is the Echo (v5) subject of Podium: the subject contract
// (subjects/CONTRACT.md) written the way Echo's users write a service.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"

	"podium.local/subjects/common"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	// Echo v5 drives graceful shutdown from ctx: once a signal cancels it,
	// Start stops accepting and waits up to GracefulTimeout for in-flight requests.
	sc := echo.StartConfig{
		Address:         common.Addr(),
		HideBanner:      true,
		HidePort:        true,
		GracefulTimeout: common.ShutdownTimeout,
	}
	flush := startOtel() // otel: providers from the OTEL_* variables (no-op in the plain build)
	err := sc.Start(ctx, newServer())
	flush() // otel: export what is buffered before exiting
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func newServer() *echo.Echo {
	e := echo.NewWithConfig(echo.Config{HTTPErrorHandler: errorJSON})
	instrument(e) // otel: echo-opentelemetry first in the chain, and /otel/downstream
	// Echo runs e.Use middlewares for unmatched routes too, so 404s and 405s are counted.
	e.Use(countRequests, middleware.Recover(), middleware.BodyLimit(common.MaxBodyBytes))

	e.GET("/ping", ping)
	e.GET("/json", func(c *echo.Context) error { return c.JSON(http.StatusOK, common.HelloWorld) })
	e.GET("/users/:id", func(c *echo.Context) error { return c.JSON(http.StatusOK, common.GetUser(c.Param("id"))) })
	e.POST("/users", createUser)
	e.POST("/rpc", rpc)
	e.GET("/ws", func(c *echo.Context) error {
		common.ServeWebSocket(c.Response(), c.Request())
		return nil
	})
	e.GET("/metrics", echo.WrapHandler(common.MetricsHandler()))
	e.GET("/config/greeting", echo.WrapHandler(http.HandlerFunc(common.ServeGreeting)))
	registerPprof(e.Group("/debug/pprof"))

	// middleware.Recover (global) → request id → JWT: the chain the contract asks for.
	mw := e.Group("/mw", middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		Generator:    common.NewRequestID,
		TargetHeader: common.RequestIDHeader,
	}), jwtAuth)
	mw.GET("/ping", ping)

	return e
}

func ping(c *echo.Context) error { return c.String(http.StatusOK, "pong") }

func createUser(c *echo.Context) error {
	var req common.CreateUserRequest
	// Bind errors already carry their status: 400 for bad JSON, 413 from BodyLimit.
	if err := c.Bind(&req); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, err.Error())
	}
	return c.JSON(http.StatusCreated, common.NewUser(req))
}

func rpc(c *echo.Context) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		if echo.StatusCode(err) != 0 {
			return err // 413 from BodyLimit
		}
		return echo.ErrBadRequest.Wrap(err)
	}
	resp := common.HandleRPC(body)
	if resp == nil {
		return c.NoContent(http.StatusNoContent)
	}
	return c.JSONBlob(http.StatusOK, resp)
}

// registerPprof mounts net/http/pprof; echo-contrib has no release for Echo v5.
func registerPprof(g *echo.Group) {
	index := echo.WrapHandler(http.HandlerFunc(pprof.Index))
	g.GET("/", index)
	g.GET("/*", index) // named profiles (heap, allocs, goroutine, ...) are served by Index
	g.GET("/cmdline", echo.WrapHandler(http.HandlerFunc(pprof.Cmdline)))
	g.GET("/profile", echo.WrapHandler(http.HandlerFunc(pprof.Profile)))
	g.Match([]string{http.MethodGet, http.MethodPost}, "/symbol", echo.WrapHandler(http.HandlerFunc(pprof.Symbol)))
	g.GET("/trace", echo.WrapHandler(http.HandlerFunc(pprof.Trace)))
}
