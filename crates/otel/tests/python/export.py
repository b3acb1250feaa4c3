"""Exports spans and a histogram with the OpenTelemetry Python SDK's OTLP exporters.

Usage: export.py PROTOCOL ENDPOINT TRACE_ID PARENT_SPAN_ID
PROTOCOL is http/protobuf or grpc. The SERVER span is a child of the given remote
parent; it has one CLIENT child. The histogram http.server.request.duration (seconds)
records 7 values with http.route=/ping. Exits non-zero when an export fails.
"""

import sys

from opentelemetry import trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    MetricExportResult,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, TraceFlags


def exporters(protocol, endpoint):
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        return (
            OTLPSpanExporter(endpoint=endpoint, insecure=True),
            OTLPMetricExporter(endpoint=endpoint, insecure=True),
        )
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return (
        OTLPSpanExporter(endpoint=endpoint + "/v1/traces"),
        OTLPMetricExporter(endpoint=endpoint + "/v1/metrics"),
    )


class Checked:
    """Wraps an exporter and remembers whether every export succeeded."""

    def __init__(self, inner, success):
        self.inner, self.success, self.failed = inner, success, 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def export(self, *args, **kwargs):
        result = self.inner.export(*args, **kwargs)
        if result != self.success:
            self.failed += 1
        return result


def main():
    protocol, endpoint, trace_id, parent_id = sys.argv[1:5]
    resource = Resource.create({"service.name": "python-sdk-" + protocol.replace("/", "-")})
    span_exporter, metric_exporter = exporters(protocol, endpoint)
    span_exporter = Checked(span_exporter, SpanExportResult.SUCCESS)
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(SimpleSpanProcessor(span_exporter))
    tracer = tracer_provider.get_tracer("podium-test")

    metric_checked = Checked(metric_exporter, MetricExportResult.SUCCESS)
    metric_checked._preferred_temporality = metric_exporter._preferred_temporality
    metric_checked._preferred_aggregation = metric_exporter._preferred_aggregation
    reader = PeriodicExportingMetricReader(metric_checked, export_interval_millis=60000)
    meter_provider = MeterProvider(resource=resource, metric_readers=[reader])
    histogram = meter_provider.get_meter("podium-test").create_histogram(
        "http.server.request.duration", unit="s", description="Duration of HTTP server requests."
    )

    parent = SpanContext(
        trace_id=int(trace_id, 16),
        span_id=int(parent_id, 16),
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
    )
    context = trace.set_span_in_context(NonRecordingSpan(parent))
    with tracer.start_as_current_span(
        "GET /users/{id}",
        context=context,
        kind=SpanKind.SERVER,
        attributes={
            "http.request.method": "GET",
            "http.route": "/users/{id}",
            "http.response.status_code": 200,
            "url.path": "/users/42",
        },
    ):
        with tracer.start_as_current_span("GET", kind=SpanKind.CLIENT):
            pass
    for value in (0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007):
        histogram.record(
            value,
            {"http.request.method": "GET", "http.route": "/ping", "http.response.status_code": 200},
        )
    meter_provider.force_flush()
    tracer_provider.force_flush()
    meter_provider.shutdown()
    tracer_provider.shutdown()
    if span_exporter.failed or metric_checked.failed:
        print(f"exports failed: spans {span_exporter.failed}, metrics {metric_checked.failed}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
