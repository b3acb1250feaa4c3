package common

import (
	"os"
	"sync"
	"time"
)

const (
	// MaxBodyBytes is the request body limit for POST /users and POST /rpc.
	MaxBodyBytes = 1 << 20
	// ShutdownTimeout stays under the contract's 5 s exit deadline so that a
	// stuck drain still leaves time for the process to exit.
	ShutdownTimeout = 4 * time.Second
)

const defaultJWTSecret = "podium-jwt-secret-for-benchmarks-only"

// Addr is the listen address: loopback only, port from $PORT (default 8080).
func Addr() string {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	return "127.0.0.1:" + port
}

// The secret is read once: the environment does not change while serving and
// the JWT check runs on every /mw/ping request.
var jwtSecret = sync.OnceValue(func() []byte {
	if s := os.Getenv("JWT_SECRET"); s != "" {
		return []byte(s)
	}
	return []byte(defaultJWTSecret)
})

// JWTSecret is the HS256 key: $JWT_SECRET, or the contract's default.
func JWTSecret() []byte { return jwtSecret() }
