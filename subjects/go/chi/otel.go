//go:build otel

// The OpenTelemetry variant (go build -tags otel). chi has no contrib
// instrumentation; otelchi (github.com/riandyrn/otelchi v0.12.2, third party)
// still uses semconv v1.20 names (http.method, http.status_code) and records
// request_duration_millis instead of http.server.request.duration, so this
// variant uses contrib's otelhttp middleware, added with r.With: chi runs
// inline middlewares after it has matched the route and set Request.Pattern,
// so otelhttp puts the chi route pattern (/users/{id}) in http.route on the
// SERVER span and on the metric. Unmatched requests (404/405) are not traced.
package main

import (
	"github.com/go-chi/chi/v5"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"podium.local/subjects/otelsetup"
)

func instrument(r chi.Router) chi.Router {
	traced := r.With(otelhttp.NewMiddleware("chi"))
	traced.Get("/otel/downstream", otelsetup.DownstreamHandler)
	return traced
}

func startOtel() (flush func()) { return otelsetup.MustStart() }
