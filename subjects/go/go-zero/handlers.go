package main

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/zeromicro/go-zero/rest/httpx"

	"podium.local/subjects/common"
)

// statusError carries an HTTP status through httpx.ErrorCtx to errorBody.
type statusError struct {
	code int
	msg  string
}

func (e *statusError) Error() string { return e.msg }

// errorBody is the httpx error handler: every error becomes the contract's
// {"error": ...}; binding and validation errors are 400.
func errorBody(_ context.Context, err error) (int, any) {
	var se *statusError
	if errors.As(err, &se) {
		return se.code, common.ErrorBody{Error: se.msg}
	}
	return http.StatusBadRequest, common.ErrorBody{Error: err.Error()}
}

type userPath struct {
	ID string `path:"id"`
}

func pingHandler(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set(httpx.ContentType, "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "pong")
}

func jsonHandler(w http.ResponseWriter, r *http.Request) {
	httpx.OkJsonCtx(r.Context(), w, common.HelloWorld)
}

func getUserHandler(w http.ResponseWriter, r *http.Request) {
	var req userPath
	if err := httpx.Parse(r, &req); err != nil {
		httpx.ErrorCtx(r.Context(), w, err)
		return
	}
	httpx.OkJsonCtx(r.Context(), w, common.GetUser(req.ID))
}

func createUserHandler(w http.ResponseWriter, r *http.Request) {
	var req common.CreateUserRequest
	// Parse runs req.Validate (go-zero's validation.Validator) after decoding;
	// go-zero's decoder already rejects missing, null and mistyped fields.
	if err := httpx.Parse(r, &req); err != nil {
		httpx.ErrorCtx(r.Context(), w, err)
		return
	}
	httpx.WriteJsonCtx(r.Context(), w, http.StatusCreated, common.NewUser(req))
}

func rpcHandler(w http.ResponseWriter, r *http.Request) {
	// The MaxBytes built-in only checks Content-Length; this also bounds a
	// chunked body.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, common.MaxBodyBytes))
	if err != nil {
		code := http.StatusBadRequest
		if common.IsBodyTooLarge(err) {
			code = http.StatusRequestEntityTooLarge
		}
		httpx.ErrorCtx(r.Context(), w, &statusError{code: code, msg: err.Error()})
		return
	}
	resp := common.HandleRPC(body)
	if resp == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set(httpx.ContentType, "application/json")
	_, _ = w.Write(resp)
}
