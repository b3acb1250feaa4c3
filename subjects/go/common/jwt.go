package common

import (
	"errors"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

var (
	errMissingToken = errors.New("missing bearer token")
	errInvalidToken = errors.New("invalid or expired token")
)

// Restricting the valid methods to HS256 is what rejects "none", HS384, RS256
// and friends: the key func alone would happily verify HS384 with the secret.
var jwtParser = jwt.NewParser(
	jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
	jwt.WithExpirationRequired(),
)

func jwtKey(*jwt.Token) (any, error) { return JWTSecret(), nil }

// VerifyBearer checks a raw Authorization header value. It returns nil iff
// the header is "Bearer <token>" with an HS256 token signed with JWTSecret()
// whose exp claim is present and not in the past.
func VerifyBearer(authorization string) error {
	scheme, token, ok := strings.Cut(authorization, " ")
	// The auth scheme is case-insensitive (RFC 9110 §11.1).
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return errMissingToken
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return errMissingToken
	}
	var claims jwt.RegisteredClaims
	if _, err := jwtParser.ParseWithClaims(token, &claims, jwtKey); err != nil {
		return errInvalidToken
	}
	return nil
}
