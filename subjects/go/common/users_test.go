package common

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestValidateEmail(t *testing.T) {
	valid := []string{"a@b.co", "john@example.com", "x.y+z@sub.example.org", "a@b.c.d"}
	invalid := []string{"a@b", "@b.co", "a@.co", "a@b.", "a b@c.de", "", "a@@b.co", "a@b@c.de",
		"a@b..co", "a@b.co ", " a@b.co", "a@b .co", "a@b.c\to", "ab.co"}
	for _, e := range valid {
		if err := (CreateUserRequest{Name: "n", Email: e}).Validate(); err != nil {
			t.Errorf("%q: %v, want valid", e, err)
		}
	}
	for _, e := range invalid {
		if err := (CreateUserRequest{Name: "n", Email: e}).Validate(); err == nil {
			t.Errorf("%q: valid, want an error", e)
		}
	}
}

func TestValidateName(t *testing.T) {
	for _, n := range []string{"", " ", "\t\n "} {
		if err := (CreateUserRequest{Name: n, Email: "a@b.co"}).Validate(); err == nil {
			t.Errorf("name %q: valid, want an error", n)
		}
	}
	if err := (CreateUserRequest{Name: " Ada ", Email: "a@b.co"}).Validate(); err != nil {
		t.Errorf("name with surrounding spaces: %v", err)
	}
}

func TestDecodeCreateUser(t *testing.T) {
	ok := []string{
		`{"name":"Ada","email":"ada@example.com"}`,
		`{"name":"Ada","email":"ada@example.com","extra":[1,2]}`,
		" \n{\"name\":\"Ada\",\"email\":\"ada@example.com\"} \n",
	}
	for _, body := range ok {
		req, err := DecodeCreateUser(strings.NewReader(body))
		if err != nil || req.Name != "Ada" || req.Email != "ada@example.com" {
			t.Errorf("%s: %+v, %v", body, req, err)
		}
	}
	bad := []string{
		``, `{`, `nope`, `null`, `[]`, `"x"`, `1`, `true`,
		`{"name":"Ada","email":"ada@example.com"} x`,
		`{"email":"ada@example.com"}`,
		`{"name":"Ada"}`,
		`{"name":"  ","email":"ada@example.com"}`,
		`{"name":1,"email":"ada@example.com"}`,
		`{"name":"Ada","email":["ada@example.com"]}`,
		`{"name":null,"email":"ada@example.com"}`,
		`{"name":"Ada","email":"a@b"}`,
	}
	for _, body := range bad {
		if req, err := DecodeCreateUser(strings.NewReader(body)); err == nil {
			t.Errorf("%s: accepted as %+v", body, req)
		} else if err.Error() == "" {
			t.Errorf("%s: empty error message", body)
		}
	}
}

func TestDecodeCreateUserTooLarge(t *testing.T) {
	body := fmt.Sprintf(`{"name":"Ada","email":"ada@example.com","pad":"%s"}`, strings.Repeat("x", 2<<20))
	rec := httptest.NewRecorder()
	r := io.NopCloser(bytes.NewReader([]byte(body)))
	_, err := DecodeCreateUser(http.MaxBytesReader(rec, r, MaxBodyBytes))
	if !IsBodyTooLarge(err) {
		t.Fatalf("err = %v, want a body-too-large error", err)
	}
	if IsBodyTooLarge(io.ErrUnexpectedEOF) {
		t.Fatalf("IsBodyTooLarge(io.ErrUnexpectedEOF) = true")
	}
}

func TestNewUserIDs(t *testing.T) {
	a := NewUser(CreateUserRequest{Name: "a", Email: "a@b.co"})
	b := NewUser(CreateUserRequest{Name: "b", Email: "b@b.co"})
	if a.ID <= 0 || b.ID <= a.ID || a.Name != "a" || b.Email != "b@b.co" {
		t.Fatalf("got %+v and %+v", a, b)
	}
}

func TestGetUser(t *testing.T) {
	if got := GetUser("42"); got != (UserView{ID: "42", Name: "user-42"}) {
		t.Fatalf("got %+v", got)
	}
}
