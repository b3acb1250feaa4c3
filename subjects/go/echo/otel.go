//go:build otel

// The OpenTelemetry variant (go build -tags otel): labstack's own
// echo-opentelemetry middleware (the Echo org's instrumentation for Echo v5;
// contrib's otelecho supports Echo v4 only) first in the chain, plus
// GET /otel/downstream.
package main

import (
	"net/http"

	echootel "github.com/labstack/echo-opentelemetry"
	"github.com/labstack/echo/v5"

	"podium.local/subjects/otelsetup"
)

func instrument(e *echo.Echo) {
	// An empty server name: server.address and server.port come from the request's Host.
	e.Use(echootel.NewMiddleware(""))
	e.GET("/otel/downstream", echo.WrapHandler(http.HandlerFunc(otelsetup.DownstreamHandler)))
}

func startOtel() (flush func()) { return otelsetup.MustStart() }
