//go:build !otel

package main

import "net/http"

// The plain build's hooks: no instrumentation (see otel.go for the OTel variant).

func newMux() *http.ServeMux { return http.NewServeMux() }

func startOtel() (flush func()) { return func() {} }
