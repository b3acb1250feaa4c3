// Command server is the Gin subject of Podium: the subject contract
// (subjects/CONTRACT.md) written the way Gin's users write a service.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/gin-contrib/pprof"
	"github.com/gin-contrib/requestid"
	"github.com/gin-gonic/gin"

	"podium.local/subjects/common"
)

func main() {
	// Release mode drops Gin's debug route dump and warnings; gin.New (not
	// gin.Default) leaves out the Logger middleware, so nothing is logged per request.
	gin.SetMode(gin.ReleaseMode)
	flush := startOtel() // otel: providers from the OTEL_* variables (no-op in the plain build)
	srv := &http.Server{Addr: common.Addr(), Handler: newRouter()}
	err := common.Serve(srv.ListenAndServe, srv.Shutdown)
	flush() // otel: export what is buffered before exiting
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func newRouter() *gin.Engine {
	r := gin.New()
	instrument(r) // otel: otelgin first in the chain, and /otel/downstream
	// Global middlewares also run for unmatched routes, so 404s are counted too.
	r.Use(countRequests(), gin.Recovery(), bodyLimit(common.MaxBodyBytes))

	r.GET("/ping", ping)
	r.GET("/json", func(c *gin.Context) { c.JSON(http.StatusOK, common.HelloWorld) })
	r.GET("/users/:id", func(c *gin.Context) { c.JSON(http.StatusOK, common.GetUser(c.Param("id"))) })
	r.POST("/users", createUser)
	r.POST("/rpc", rpc)
	r.GET("/ws", gin.WrapF(common.ServeWebSocket))
	r.GET("/metrics", gin.WrapH(common.MetricsHandler()))
	r.GET("/config/greeting", gin.WrapF(common.ServeGreeting))
	pprof.Register(r)

	// gin.Recovery (global) → request id → JWT: the chain the contract asks for.
	mw := r.Group("/mw", requestid.New(
		requestid.WithCustomHeaderStrKey(common.RequestIDHeader),
		requestid.WithGenerator(common.NewRequestID),
	), jwtAuth())
	mw.GET("/ping", ping)

	return r
}

func ping(c *gin.Context) { c.String(http.StatusOK, "pong") }

func createUser(c *gin.Context) {
	var req common.CreateUserRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		if common.IsBodyTooLarge(err) {
			c.AbortWithStatusJSON(http.StatusRequestEntityTooLarge, common.ErrorBody{Error: "request body larger than 1 MiB"})
			return
		}
		c.AbortWithStatusJSON(http.StatusBadRequest, common.ErrorBody{Error: "invalid JSON body: " + err.Error()})
		return
	}
	if err := req.Validate(); err != nil {
		c.AbortWithStatusJSON(http.StatusBadRequest, common.ErrorBody{Error: err.Error()})
		return
	}
	c.JSON(http.StatusCreated, common.NewUser(req))
}

func rpc(c *gin.Context) {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		if common.IsBodyTooLarge(err) {
			c.AbortWithStatusJSON(http.StatusRequestEntityTooLarge, common.ErrorBody{Error: "request body larger than 1 MiB"})
			return
		}
		c.AbortWithStatusJSON(http.StatusBadRequest, common.ErrorBody{Error: err.Error()})
		return
	}
	resp := common.HandleRPC(body)
	if resp == nil {
		c.Status(http.StatusNoContent)
		return
	}
	c.Data(http.StatusOK, "application/json", resp)
}
