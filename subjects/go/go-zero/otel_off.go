//go:build !otel

package main

import "github.com/zeromicro/go-zero/rest"

// The plain build's hooks: no instrumentation (see otel.go for the OTel variant).

func configureTelemetry(*rest.RestConf) {}

func withOtelRoutes(rs []rest.Route) []rest.Route { return rs }
