//go:build otel

package main

import "testing"

func TestTelemetryFromEnv(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4999")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
	t.Setenv("OTEL_SERVICE_NAME", "svc")
	t.Setenv("OTEL_TRACES_SAMPLER", "parentbased_always_on")
	c, err := telemetryFromEnv("default")
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "svc" || c.Endpoint != "127.0.0.1:4999" || c.Batcher != "otlphttp" || c.OtlpHttpPath != "/v1/traces" || c.Sampler != 1 || c.Disabled || c.OtlpHttpSecure {
		t.Errorf("http/protobuf: %+v", c)
	}

	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
	if c, err := telemetryFromEnv("default"); err != nil || c.Batcher != "otlpgrpc" || c.Endpoint != "127.0.0.1:4999" {
		t.Errorf("grpc: %+v %v", c, err)
	}
	for k, v := range map[string]string{
		"OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
		"OTEL_TRACES_SAMPLER":         "always_on",
		"OTEL_EXPORTER_OTLP_ENDPOINT": "127.0.0.1:4999",
	} {
		t.Run(k, func(t *testing.T) {
			t.Setenv(k, v)
			if _, err := telemetryFromEnv("default"); err == nil {
				t.Errorf("%s=%s accepted", k, v)
			}
		})
	}
}
