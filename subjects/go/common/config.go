package common

import (
	"net"
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

// Addr is the listen address: host from $LISTEN_HOST (default 127.0.0.1, loopback
// only; Podium sets it to the server's veth address when the server runs in its own
// network namespace), port from $PORT (default 8080). An invalid host makes
// net.Listen fail with an error naming it.
func Addr() string {
	host := os.Getenv("LISTEN_HOST")
	if host == "" {
		host = "127.0.0.1"
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	return net.JoinHostPort(host, port)
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
