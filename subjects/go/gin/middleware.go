package main

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"podium.local/subjects/common"
)

// countRequests feeds http_requests_total; common.CountRequest skips
// /metrics and /debug/pprof so scrapes do not disturb the count.
func countRequests() gin.HandlerFunc {
	return func(c *gin.Context) {
		common.CountRequest(c.Request.URL.Path)
		c.Next()
	}
}

// bodyLimit rejects a declared oversized body up front and caps streamed
// (chunked) bodies with http.MaxBytesReader, whose error handlers map to 413.
// Gin has no built-in body limit.
func bodyLimit(limit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > limit {
			c.AbortWithStatusJSON(http.StatusRequestEntityTooLarge, common.ErrorBody{Error: "request body larger than 1 MiB"})
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		c.Next()
	}
}

// jwtAuth admits only requests carrying a valid HS256 bearer token with an
// unexpired exp claim; the verification rules live in common.VerifyBearer.
func jwtAuth() gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := common.VerifyBearer(c.GetHeader("Authorization")); err != nil {
			c.AbortWithStatusJSON(http.StatusUnauthorized, common.ErrorBody{Error: err.Error()})
			return
		}
		c.Next()
	}
}
