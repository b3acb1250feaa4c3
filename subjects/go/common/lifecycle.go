package common

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

// Serve runs start, which blocks while serving (e.g. srv.ListenAndServe),
// until SIGTERM or SIGINT arrives; it then calls shutdown with a context that
// expires after ShutdownTimeout and waits for start to return. It returns nil
// on a clean stop; http.ErrServerClosed from start counts as clean.
func Serve(start func() error, shutdown func(ctx context.Context) error) error {
	LoadDevConfig()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	started := make(chan error, 1)
	go func() { started <- start() }()

	select {
	case err := <-started:
		// start returned without being asked to, e.g. the port is taken.
		if err == nil || errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	stop() // a second signal now gets the default action: exit at once

	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	select {
	case err := <-started:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-sctx.Done():
		return fmt.Errorf("shutdown: server did not stop within %v", ShutdownTimeout)
	}
	return nil
}
