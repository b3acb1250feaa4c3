//go:build !otel

package main

import "github.com/labstack/echo/v5"

// The plain build's hooks: no instrumentation (see otel.go for the OTel variant).

func instrument(*echo.Echo) {}

func startOtel() (flush func()) { return func() {} }
