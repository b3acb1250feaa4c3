package common

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"unicode"
)

// CreateUserRequest is the body of POST /users.
type CreateUserRequest struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

var (
	errBlankName = errors.New("name is required and must not be blank")
	errBadEmail  = errors.New("email must look like local@domain.tld")
)

// Validate returns nil, or an error whose message can be shown to the client.
func (r CreateUserRequest) Validate() error {
	if strings.TrimSpace(r.Name) == "" {
		return errBlankName
	}
	if !validEmail(r.Email) {
		return errBadEmail
	}
	return nil
}

// validEmail implements the contract's shape check, deliberately not RFC 5322:
// exactly one '@', a non-empty local part, and a domain made of two or more
// non-empty dot-separated labels, with no white space anywhere.
func validEmail(s string) bool {
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.Contains(domain, "@") {
		return false
	}
	if !strings.Contains(domain, ".") {
		return false
	}
	for label := range strings.SplitSeq(domain, ".") {
		if label == "" {
			return false
		}
	}
	return true
}

// User is the 201 answer of POST /users.
type User struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

var lastUserID atomic.Int64

// NewUser assigns the next id; ids are unique for the life of the process.
func NewUser(r CreateUserRequest) User {
	return User{ID: lastUserID.Add(1), Name: r.Name, Email: r.Email}
}

// DecodeCreateUser reads, decodes and validates a POST /users body, for
// subjects whose framework has no binding layer. A read error from
// http.MaxBytesReader is returned wrapped, so IsBodyTooLarge still sees it.
func DecodeCreateUser(body io.Reader) (CreateUserRequest, error) {
	var req CreateUserRequest
	data, err := io.ReadAll(body)
	if err != nil {
		return req, fmt.Errorf("reading body: %w", err)
	}
	// json.Unmarshal accepts null (and leaves the struct zero) for a struct
	// target; the contract wants every non-object rejected as such.
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return req, errors.New("request body must be a JSON object")
	}
	if trimmed[0] != '{' {
		if !json.Valid(trimmed) {
			return req, errors.New("request body is not valid JSON")
		}
		return req, errors.New("request body must be a JSON object")
	}
	if err := json.Unmarshal(data, &req); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return req, fmt.Errorf("field %q must be a %s", typeErr.Field, typeErr.Type)
		}
		return req, errors.New("request body is not valid JSON")
	}
	return req, req.Validate()
}

// UserView is the answer of GET /users/{id}.
type UserView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// GetUser builds the GET /users/{id} answer from the raw path segment.
func GetUser(id string) UserView {
	return UserView{ID: id, Name: "user-" + id}
}

// ErrorBody is the JSON error answer ({"error": "..."}).
type ErrorBody struct {
	Error string `json:"error"`
}

// Message is the GET /json answer.
type Message struct {
	Message string `json:"message"`
}

// HelloWorld is the GET /json body.
var HelloWorld = Message{Message: "Hello, World!"}

// IsBodyTooLarge reports whether err comes from http.MaxBytesReader, i.e. the
// request should be answered 413.
func IsBodyTooLarge(err error) bool {
	var maxErr *http.MaxBytesError
	return errors.As(err, &maxErr)
}
