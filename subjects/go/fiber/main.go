// Command server is the Podium contract served with Fiber v3.
package main

import (
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/gofiber/contrib/v3/websocket"
	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/adaptor"
	"github.com/gofiber/fiber/v3/middleware/pprof"
	"github.com/gofiber/fiber/v3/middleware/recover"
	"github.com/gofiber/fiber/v3/middleware/requestid"

	"podium.local/subjects/common"
)

func main() {
	flush := startOtel() // otel: providers from the OTEL_* variables (no-op in the plain build)
	app := newApp()
	err := common.Serve(
		func() error {
			ln, err := net.Listen(fiber.NetworkTCP4, common.Addr())
			if err != nil {
				return err
			}
			return app.Listener(lingerListener{ln}, fiber.ListenConfig{DisableStartupMessage: true})
		},
		app.ShutdownWithContext,
	)
	flush() // otel: export what is buffered before exiting
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func newApp() *fiber.App {
	app := fiber.New(fiber.Config{
		// fasthttp rejects a larger body before any handler runs; the
		// ErrorHandler below turns that into the contract's 413.
		BodyLimit:       common.MaxBodyBytes,
		ErrorHandler:    jsonErrorHandler,
		StructValidator: contractValidator{},
	})

	instrument(app) // otel: the Fiber otel middleware first in the chain, and /otel/downstream
	app.Use(countRequests)
	app.Use(pprof.New())

	app.Get("/ping", ping)
	app.Get("/json", func(c fiber.Ctx) error {
		return c.JSON(common.HelloWorld)
	})
	app.Get("/users/:id", func(c fiber.Ctx) error {
		return c.JSON(common.GetUser(c.Params("id")))
	})
	app.Post("/users", createUser)
	app.Post("/rpc", rpc)
	app.Get("/ws", websocket.New(echo))
	app.Get("/metrics", adaptor.HTTPHandler(common.MetricsHandler()))
	app.Get("/config/greeting", adaptor.HTTPHandlerFunc(common.ServeGreeting))

	mw := app.Group("/mw", recover.New(), requestid.New(), requireJWT)
	mw.Get("/ping", ping)

	return app
}

func ping(c fiber.Ctx) error {
	return c.SendString("pong")
}

func createUser(c fiber.Ctx) error {
	var req common.CreateUserRequest
	// Bind().JSON decodes and then runs Config.StructValidator.
	if err := c.Bind().JSON(&req); err != nil {
		return fiber.NewError(fiber.StatusBadRequest, err.Error())
	}
	return c.Status(fiber.StatusCreated).JSON(common.NewUser(req))
}

func rpc(c fiber.Ctx) error {
	resp := common.HandleRPC(c.Body())
	if resp == nil {
		return c.SendStatus(fiber.StatusNoContent)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(resp)
}

func echo(c *websocket.Conn) {
	// The contrib handler makes fasthttp keep hijacked connections open, so
	// closing is ours to do.
	defer c.Close()
	_ = common.EchoMessages(c)
}

// countRequests runs for every request, also those fasthttp rejects early
// (e.g. a too large body), because Fiber passes them through app.Use
// handlers before calling the ErrorHandler.
func countRequests(c fiber.Ctx) error {
	common.CountRequest(c.Path())
	return c.Next()
}

func requireJWT(c fiber.Ctx) error {
	if err := common.VerifyBearer(c.Get(fiber.HeaderAuthorization)); err != nil {
		return fiber.NewError(fiber.StatusUnauthorized, err.Error())
	}
	return c.Next()
}

// jsonErrorHandler answers every error with the contract's JSON error body,
// keeping the status of a *fiber.Error (400, 401, 404, 405, 413, ...).
func jsonErrorHandler(c fiber.Ctx, err error) error {
	code := fiber.StatusInternalServerError
	msg := "internal server error"
	var fe *fiber.Error
	if errors.As(err, &fe) {
		code, msg = fe.Code, fe.Message
	}
	return c.Status(code).JSON(common.ErrorBody{Error: msg})
}

// contractValidator plugs the shared validation rules into Fiber's binding.
type contractValidator struct{}

func (contractValidator) Validate(out any) error {
	if v, ok := out.(interface{ Validate() error }); ok {
		return v.Validate()
	}
	return nil
}
