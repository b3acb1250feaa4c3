//go:build otel

// The OpenTelemetry variant (go build -tags otel): the Fiber org's own
// middleware for Fiber v3 (github.com/gofiber/contrib/v3/otel) first in the
// chain: SERVER span with http.route from c.Route().Path, and the
// http.server.* metrics. Plus GET /otel/downstream, which reads the server
// span's context from c.Context(), where the middleware puts it.
package main

import (
	"github.com/gofiber/contrib/v3/otel"
	"github.com/gofiber/fiber/v3"

	"podium.local/subjects/otelsetup"
)

func instrument(app *fiber.App) {
	app.Use(otel.Middleware())
	app.Get("/otel/downstream", func(c fiber.Ctx) error {
		status, body := otelsetup.Downstream(c.Context(), c.Query("url"))
		return c.Status(status).SendString(body)
	})
}

func startOtel() (flush func()) { return otelsetup.MustStart() }
