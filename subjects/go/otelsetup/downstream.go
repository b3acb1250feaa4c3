package otelsetup

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
)

// DownstreamTimeout bounds the outgoing request of GET /otel/downstream.
const DownstreamTimeout = 5 * time.Second

// client sends the outgoing requests: otelhttp's transport starts a CLIENT span
// and injects the context with the global propagator. Built on first use, after
// Start has installed the providers.
var client = sync.OnceValue(func() *http.Client {
	return &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport), Timeout: DownstreamTimeout}
})

// CheckDownstreamURL accepts only an http:// URL whose host is a loopback
// address (or "localhost"): the route must not become an open proxy.
func CheckDownstreamURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("url: %v", err)
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("url must be an http:// URL, got %q", raw)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); !(host == "localhost" || (ip != nil && ip.IsLoopback())) {
		return nil, fmt.Errorf("url must name a loopback host, got %q", host)
	}
	return u, nil
}

// Downstream is GET /otel/downstream?url=U without the framework: it makes an
// instrumented GET to U in ctx (which carries the server span) and returns the
// status to answer with (400 for a refused U, 200 when U answered 2xx, 502
// otherwise) and a one-line text/plain body.
func Downstream(ctx context.Context, raw string) (status int, body string) {
	u, err := CheckDownstreamURL(raw)
	if err != nil {
		return http.StatusBadRequest, err.Error()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return http.StatusBadRequest, err.Error()
	}
	resp, err := client().Do(req)
	if err != nil {
		return http.StatusBadGateway, "downstream: " + err.Error()
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return http.StatusBadGateway, "downstream answered " + resp.Status
	}
	return http.StatusOK, "downstream answered " + resp.Status
}

// DownstreamHandler is Downstream as a net/http handler, for subjects whose
// handlers are (or wrap) net/http ones.
func DownstreamHandler(w http.ResponseWriter, r *http.Request) {
	status, body := Downstream(r.Context(), r.URL.Query().Get("url"))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, body)
}
