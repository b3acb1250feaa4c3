package main

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v5"

	"podium.local/subjects/common"
)

// countRequests feeds http_requests_total; common.CountRequest skips
// /metrics and /debug/pprof so scrapes do not disturb the count.
func countRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		common.CountRequest(c.Request().URL.Path)
		return next(c)
	}
}

// jwtAuth admits only requests carrying a valid HS256 bearer token with an
// unexpired exp claim; the verification rules live in common.VerifyBearer.
func jwtAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		if err := common.VerifyBearer(c.Request().Header.Get(echo.HeaderAuthorization)); err != nil {
			return echo.NewHTTPError(http.StatusUnauthorized, err.Error())
		}
		return next(c)
	}
}

// errorJSON replaces echo.DefaultHTTPErrorHandler because the contract's
// error body is {"error": msg}, not Echo's {"message": msg}. For client
// errors the message names the cause (e.g. the JSON decode error a Bind
// wrapped); server errors keep their cause private.
func errorJSON(c *echo.Context, err error) {
	if resp, _ := echo.UnwrapResponse(c.Response()); resp != nil && resp.Committed {
		return
	}
	code := echo.StatusCode(err)
	if code == 0 {
		code = http.StatusInternalServerError
	}
	msg := http.StatusText(code)
	var he *echo.HTTPError
	if code < http.StatusInternalServerError && errors.As(err, &he) {
		if he.Message != "" {
			msg = he.Message
		}
		if cause := he.Unwrap(); cause != nil {
			msg += ": " + cause.Error()
		}
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(code)
		return
	}
	_ = c.JSON(code, common.ErrorBody{Error: msg})
}
