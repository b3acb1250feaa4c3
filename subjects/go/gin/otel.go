//go:build otel

// The OpenTelemetry variant (go build -tags otel): contrib's otelgin middleware
// first in the chain (SERVER span with http.route from Gin's FullPath, and the
// http.server.* metrics), plus GET /otel/downstream.
package main

import (
	"os"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin"

	"podium.local/subjects/otelsetup"
)

func instrument(r *gin.Engine) {
	r.Use(otelgin.Middleware(os.Getenv("OTEL_SERVICE_NAME")))
	r.GET("/otel/downstream", gin.WrapF(otelsetup.DownstreamHandler))
}

func startOtel() (flush func()) { return otelsetup.MustStart() }
