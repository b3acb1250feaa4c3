//go:build !otel

package main

import "github.com/gofiber/fiber/v3"

// The plain build's hooks: no instrumentation (see otel.go for the OTel variant).

func instrument(*fiber.App) {}

func startOtel() (flush func()) { return func() {} }
