package common

import (
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// RequestsTotal is http_requests_total. It has no labels: the contract only
// needs the sum, and labelling by route would cost a map lookup per request
// that some frameworks could avoid and others not.
var RequestsTotal = prometheus.NewCounter(prometheus.CounterOpts{
	Name: "http_requests_total",
	Help: "HTTP requests served, excluding /metrics and /debug/pprof.",
})

// Registry is a private registry (not prometheus.DefaultRegisterer) so that
// nothing a framework registers on its own leaks into the exposition.
var Registry = func() *prometheus.Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		// Exact GC pause buckets for a p99 (see metrics_gcpause.go).
		newGCPauseCollector(),
		RequestsTotal,
	)
	return r
}()

// CountRequest counts one request unless it is for /metrics or pprof, which
// the contract excludes so that scraping does not disturb the count.
func CountRequest(path string) {
	if path == "/metrics" || strings.HasPrefix(path, "/debug/pprof") {
		return
	}
	RequestsTotal.Inc()
}

// MetricsHandler serves Registry in the Prometheus exposition formats.
func MetricsHandler() http.Handler {
	return promhttp.HandlerFor(Registry, promhttp.HandlerOpts{})
}
