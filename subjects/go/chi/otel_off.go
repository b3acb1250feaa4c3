//go:build !otel

package main

import "github.com/go-chi/chi/v5"

// The plain build's hooks: no instrumentation (see otel.go for the OTel variant).

func instrument(r chi.Router) chi.Router { return r }

func startOtel() (flush func()) { return func() {} }
