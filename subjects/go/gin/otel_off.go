//go:build !otel

package main

import "github.com/gin-gonic/gin"

// The plain build's hooks: no instrumentation (see otel.go for the OTel variant).

func instrument(*gin.Engine) {}

func startOtel() (flush func()) { return func() {} }
