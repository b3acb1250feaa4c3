package common

import (
	"encoding/hex"
	"math/rand/v2"
)

// RequestIDHeader is the request/response header carrying the request id.
const RequestIDHeader = "X-Request-Id"

// NewRequestID returns a random UUIDv4-shaped id. math/rand/v2's global
// source is a per-thread ChaCha8 CSPRNG seeded from the OS, so 122 random bits
// are as unique as crypto/rand's without a syscall per request.
func NewRequestID() string {
	var b [16]byte
	hi, lo := rand.Uint64(), rand.Uint64()
	for i := range 8 {
		b[i] = byte(hi >> (8 * i))
		b[8+i] = byte(lo >> (8 * i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}
