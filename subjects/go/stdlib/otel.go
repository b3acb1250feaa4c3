//go:build otel

// The OpenTelemetry variant (go build -tags otel): every route is wrapped in
// its own otelhttp.NewHandler, so that otelhttp sees the ServeMux pattern when
// the SERVER span starts and sets http.route on the span and on the
// http.server.request.duration metric. Wrapping the whole mux instead (the other
// common way) leaves http.route off the span: at that point no pattern is known.
package main

import (
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"podium.local/subjects/otelsetup"
)

// tracedMux registers every route through otelhttp.
type tracedMux struct{ *http.ServeMux }

func (m tracedMux) Handle(pattern string, h http.Handler) {
	m.ServeMux.Handle(pattern, otelhttp.NewHandler(h, pattern))
}

func (m tracedMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(h))
}

func newMux() tracedMux {
	m := tracedMux{http.NewServeMux()}
	m.HandleFunc("GET /otel/downstream", otelsetup.DownstreamHandler)
	return m
}

func startOtel() (flush func()) { return otelsetup.MustStart() }
