//go:build otel

// The OpenTelemetry variant (go build -tags otel): go-zero's built-in
// telemetry, the Telemetry section of rest.RestConf, filled from the standard
// OTEL_* variables (go-zero reads its YAML, not those). go-zero then wraps
// every route in its TraceHandler (SERVER span named after the route template,
// semconv v1.4.0 attributes) and sets the tracecontext+baggage propagator.
// go-zero has no OpenTelemetry metrics: its HTTP metrics are Prometheus ones
// (the Prometheus section), so nothing is exported over OTLP for them.
// GET /otel/downstream sends its request with go-zero's own instrumented client
// (rest/httpc: a CLIENT span, context injected with the global propagator).
// This variant does not use ../otelsetup: its otel SDK would raise the otel
// modules go-zero's plain build links too.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/zeromicro/go-zero/core/trace"
	"github.com/zeromicro/go-zero/rest"
	"github.com/zeromicro/go-zero/rest/httpc"
)

// configureTelemetry replaces the YAML's disabled Telemetry section and turns
// on go-zero's trace middleware (off in the plain build: no backend).
func configureTelemetry(c *rest.RestConf) {
	t, err := telemetryFromEnv(c.Name)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	c.Telemetry = t
	c.Middlewares.Trace = true
}

// telemetryFromEnv maps OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL,
// OTEL_SERVICE_NAME and OTEL_TRACES_SAMPLER(_ARG) onto go-zero's trace.Config.
func telemetryFromEnv(defaultName string) (trace.Config, error) {
	c := trace.Config{Name: defaultName, Sampler: 1, Batcher: "otlphttp", OtlpHttpPath: "/v1/traces"}
	if name := os.Getenv("OTEL_SERVICE_NAME"); name != "" {
		c.Name = name
	}
	if exp := os.Getenv("OTEL_TRACES_EXPORTER"); exp == "none" {
		c.Disabled = true
		return c, nil
	} else if exp != "" && exp != "otlp" {
		return c, fmt.Errorf("OTEL_TRACES_EXPORTER=%q is not supported by this subject: use otlp or none", exp)
	}
	raw := os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
	if raw == "" {
		raw = "http://localhost:4318"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return c, fmt.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT=%q is not a URL such as http://127.0.0.1:4318", raw)
	}
	c.Endpoint = u.Host
	c.OtlpHttpSecure = u.Scheme == "https"
	switch p := os.Getenv("OTEL_EXPORTER_OTLP_PROTOCOL"); p {
	case "", "http/protobuf":
		c.OtlpHttpPath = u.Path + "/v1/traces"
	case "grpc":
		c.Batcher = "otlpgrpc"
	default:
		return c, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL=%q is not supported by go-zero: use http/protobuf or grpc", p)
	}
	// go-zero always samples parent-based with a trace id ratio.
	switch s := os.Getenv("OTEL_TRACES_SAMPLER"); s {
	case "", "parentbased_always_on":
		c.Sampler = 1
	case "parentbased_always_off":
		c.Sampler = 0
	case "parentbased_traceidratio":
		ratio, err := strconv.ParseFloat(os.Getenv("OTEL_TRACES_SAMPLER_ARG"), 64)
		if err != nil {
			return c, fmt.Errorf("OTEL_TRACES_SAMPLER_ARG must be a ratio for parentbased_traceidratio: %v", err)
		}
		c.Sampler = ratio
	default:
		return c, fmt.Errorf("OTEL_TRACES_SAMPLER=%q is not supported by go-zero (always parent-based): use parentbased_always_on, parentbased_always_off or parentbased_traceidratio", s)
	}
	return c, nil
}

func withOtelRoutes(rs []rest.Route) []rest.Route {
	return append(rs, rest.Route{Method: http.MethodGet, Path: "/otel/downstream", Handler: downstream})
}

// downstream is GET /otel/downstream?url=U: 400 unless U is http:// on a
// loopback host, else a GET through httpc, 200 when U answered 2xx, 502 otherwise.
func downstream(w http.ResponseWriter, r *http.Request) {
	status, body := http.StatusBadRequest, ""
	defer func() {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}()
	raw := r.URL.Query().Get("url")
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" {
		body = fmt.Sprintf("url must be an http:// URL, got %q", raw)
		return
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		body = fmt.Sprintf("url must name a loopback host, got %q", u.Hostname())
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		body = err.Error()
		return
	}
	resp, err := httpc.DoRequest(req)
	if err != nil {
		status, body = http.StatusBadGateway, "downstream: "+err.Error()
		return
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	status, body = http.StatusBadGateway, "downstream answered "+resp.Status
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		status = http.StatusOK
	}
}
