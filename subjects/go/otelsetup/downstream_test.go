package otelsetup

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

func TestCheckDownstreamURL(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:9/x", "http://localhost:80/", "http://[::1]:8080/a?b=c", "http://127.9.9.9/"} {
		if _, err := CheckDownstreamURL(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "https://127.0.0.1/", "ftp://127.0.0.1/", "http://example.com/", "http://10.0.0.1/", "127.0.0.1:80", "http://%zz"} {
		if _, err := CheckDownstreamURL(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The outgoing request carries the caller's trace (a CLIENT span child of the
// server span), its tracestate and its baggage; statuses map as the contract says.
func TestDownstreamInjectsContext(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)))
	Propagation()

	got := make(chan http.Header, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Clone()
		if r.URL.Path == "/fail" {
			w.WriteHeader(http.StatusTeapot)
		}
	}))
	defer srv.Close()

	parent := propagation.MapCarrier{
		"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"tracestate":  "podium=abc,other=1",
		"baggage":     "k1=v1,k2=v2",
	}
	ctx := otel.GetTextMapPropagator().Extract(context.Background(), parent)
	ctx, server := otel.Tracer("test").Start(ctx, "server", trace.WithSpanKind(trace.SpanKindServer))
	status, body := Downstream(ctx, srv.URL+"/ok")
	server.End()
	if status != http.StatusOK {
		t.Fatalf("status %d (%s), want 200", status, body)
	}
	h := <-got
	out := otel.GetTextMapPropagator().Extract(context.Background(), propagation.HeaderCarrier(h))
	sc := trace.SpanContextFromContext(out)
	if sc.TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" || !sc.IsSampled() {
		t.Errorf("traceparent %q does not continue the caller's sampled trace", h.Get("traceparent"))
	}
	if got := sc.TraceState().String(); got != "podium=abc,other=1" {
		t.Errorf("tracestate %q, want podium=abc,other=1", got)
	}
	if b := baggage.FromContext(out); b.Member("k1").Value() != "v1" || b.Member("k2").Value() != "v2" {
		t.Errorf("baggage %q lost members", h.Get("baggage"))
	}
	var client sdktrace.ReadOnlySpan
	for _, s := range spans.Ended() {
		if s.SpanKind() == trace.SpanKindClient {
			client = s
		}
	}
	if client == nil {
		t.Fatal("no CLIENT span recorded")
	}
	if client.Parent().SpanID() != server.SpanContext().SpanID() || sc.SpanID() != client.SpanContext().SpanID() {
		t.Errorf("outgoing parent %s: want the CLIENT span %s, child of the server span %s", sc.SpanID(), client.SpanContext().SpanID(), server.SpanContext().SpanID())
	}

	if status, _ := Downstream(context.Background(), srv.URL+"/fail"); status != http.StatusBadGateway {
		t.Errorf("downstream 418: status %d, want 502", status)
	}
	<-got
	if status, _ := Downstream(context.Background(), "http://example.com/"); status != http.StatusBadRequest {
		t.Errorf("non-loopback: status %d, want 400", status)
	}
}
