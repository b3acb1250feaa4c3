// Package common holds the framework-independent parts of the Podium subject
// contract (subjects/CONTRACT.md) shared by every Go subject: JSON-RPC
// dispatch, user validation, JWT verification, the metrics registry, the
// WebSocket echo loop and graceful shutdown. Keeping them here means the Go
// subjects differ only in how their framework routes, binds and chains
// middleware, which is what the benchmark compares.
package common
