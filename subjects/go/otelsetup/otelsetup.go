// Package otelsetup is the OpenTelemetry set-up every Go subject's OTel variant
// shares: the global tracer and meter providers and the propagator, configured
// from the standard OTEL_* variables, and the contract's extra route
// GET /otel/downstream. The instrumentation of the routes themselves is each
// subject's own (otelgin, otelhttp, ...); this package is what any service
// instrumented with the Go SDK writes once in its main.
package otelsetup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/contrib/propagators/autoprop"
	"go.opentelemetry.io/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// FlushTimeout bounds the final export on shutdown: the contract gives a
// subject 5 s from SIGTERM to exit and the HTTP drain may take up to 4 s.
const FlushTimeout = 900 * time.Millisecond

// Start installs everything a subject's OTel variant needs: Tracing, Metrics
// and Propagation. The returned flush exports what is still buffered and stops
// the providers; call it once the server has stopped.
func Start() (flush func(), err error) {
	ctx := context.Background()
	stopTraces, err := Tracing(ctx)
	if err != nil {
		return nil, err
	}
	stopMetrics, err := Metrics(ctx)
	if err != nil {
		stopTraces(ctx)
		return nil, err
	}
	Propagation()
	return Flusher(stopTraces, stopMetrics), nil
}

// MustStart is Start for a main: a set-up error (a bad OTEL_* value) is
// printed on stderr and the process exits with status 1.
func MustStart() (flush func()) {
	flush, err := Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return flush
}

// Tracing installs the global tracer provider. The exporter follows
// OTEL_TRACES_EXPORTER and OTEL_EXPORTER_OTLP_* (http/protobuf or grpc, through
// autoexport); the SDK itself reads OTEL_TRACES_SAMPLER and OTEL_BSP_*, the
// resource OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
func Tracing(ctx context.Context) (shutdown func(context.Context) error, err error) {
	exp, err := autoexport.NewSpanExporter(ctx)
	if err != nil {
		return nil, fmt.Errorf("OpenTelemetry span exporter (check OTEL_TRACES_EXPORTER and OTEL_EXPORTER_OTLP_*): %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(resource.Default()))
	otel.SetTracerProvider(tp)
	return tp.Shutdown, nil
}

// Metrics installs the global meter provider with the reader OTEL_METRICS_EXPORTER
// names (a periodic OTLP reader; the SDK reads OTEL_METRIC_EXPORT_INTERVAL).
func Metrics(ctx context.Context) (shutdown func(context.Context) error, err error) {
	reader, err := autoexport.NewMetricReader(ctx)
	if err != nil {
		return nil, fmt.Errorf("OpenTelemetry metric reader (check OTEL_METRICS_EXPORTER and OTEL_EXPORTER_OTLP_*): %w", err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader), sdkmetric.WithResource(resource.Default()))
	otel.SetMeterProvider(mp)
	return mp.Shutdown, nil
}

// Propagation installs the propagators OTEL_PROPAGATORS lists (default
// tracecontext,baggage).
func Propagation() {
	otel.SetTextMapPropagator(autoprop.NewTextMapPropagator())
}

// Flusher combines provider shutdowns into one flush bounded by FlushTimeout.
// Export errors at that point cannot be answered any more; they are reported
// on stderr through OpenTelemetry's global error handler.
func Flusher(shutdowns ...func(context.Context) error) func() {
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), FlushTimeout)
		defer cancel()
		var errs []error
		for _, s := range shutdowns {
			errs = append(errs, s(ctx))
		}
		if err := errors.Join(errs...); err != nil {
			otel.Handle(fmt.Errorf("flushing telemetry on shutdown: %w", err))
		}
	}
}
