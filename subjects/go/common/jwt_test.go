package common

import (
	"crypto/rand"
	"crypto/rsa"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifyBearer(t *testing.T) {
	future := time.Now().Add(time.Hour).Unix()
	past := time.Now().Add(-time.Hour).Unix()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	valid := sign(t, jwt.SigningMethodHS256, JWTSecret(), jwt.MapClaims{"sub": "u", "exp": future})
	none := sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, jwt.MapClaims{"exp": future})

	if err := VerifyBearer("Bearer " + valid); err != nil {
		t.Fatalf("valid token rejected: %v", err)
	}
	if err := VerifyBearer("bearer " + valid); err != nil {
		t.Fatalf("lower-case scheme rejected: %v", err)
	}

	bad := map[string]string{
		"expired":       "Bearer " + sign(t, jwt.SigningMethodHS256, JWTSecret(), jwt.MapClaims{"exp": past}),
		"no exp":        "Bearer " + sign(t, jwt.SigningMethodHS256, JWTSecret(), jwt.MapClaims{"sub": "u"}),
		"exp string":    "Bearer " + sign(t, jwt.SigningMethodHS256, JWTSecret(), jwt.MapClaims{"exp": "tomorrow"}),
		"none":          "Bearer " + none,
		"HS384":         "Bearer " + sign(t, jwt.SigningMethodHS384, JWTSecret(), jwt.MapClaims{"exp": future}),
		"HS512":         "Bearer " + sign(t, jwt.SigningMethodHS512, JWTSecret(), jwt.MapClaims{"exp": future}),
		"RS256":         "Bearer " + sign(t, jwt.SigningMethodRS256, rsaKey, jwt.MapClaims{"exp": future}),
		"bad signature": "Bearer " + sign(t, jwt.SigningMethodHS256, []byte("another-secret"), jwt.MapClaims{"exp": future}),
		"tampered":      "Bearer " + valid[:len(valid)-2] + "xx",
		"malformed":     "Bearer not.a.jwt",
		"garbage":       "Bearer abc",
		"empty token":   "Bearer ",
		"scheme only":   "Bearer",
		"missing":       "",
		"basic":         "Basic dXNlcjpwYXNz",
		"no scheme":     valid,
	}
	for name, header := range bad {
		if err := VerifyBearer(header); err == nil {
			t.Errorf("%s: accepted", name)
		} else if err.Error() == "" {
			t.Errorf("%s: empty error message", name)
		}
	}
}

func BenchmarkVerifyBearer(b *testing.B) {
	tok, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"exp": time.Now().Add(time.Hour).Unix()}).SignedString(JWTSecret())
	h := "Bearer " + tok
	for b.Loop() {
		if err := VerifyBearer(h); err != nil {
			b.Fatal(err)
		}
	}
}
