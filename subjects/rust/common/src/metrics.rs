use std::sync::LazyLock;

use prometheus::process_collector::ProcessCollector;
use prometheus::{Encoder, IntCounter, Registry, TextEncoder};

struct Metrics {
    registry: Registry,
    requests: IntCounter,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let registry = Registry::new();
    // process_cpu_seconds_total, process_resident_memory_bytes, process_open_fds and
    // process_threads: Rust has no managed runtime, so these stand in for Go's collector.
    registry
        .register(Box::new(ProcessCollector::for_self()))
        .expect("register process collector");
    let requests = IntCounter::new(
        "http_requests_total",
        "HTTP requests served, excluding /metrics.",
    )
    .expect("valid counter options");
    registry
        .register(Box::new(requests.clone()))
        .expect("register http_requests_total");
    Metrics { registry, requests }
});

/// Counts one request to `path`; scrapes of `/metrics` (and pprof, which Rust
/// subjects do not serve) are not counted so that Podium's N-requests-raise-by-N
/// check is not disturbed by its own scraping.
pub fn count_request(path: &str) {
    if path != "/metrics" && !path.starts_with("/debug/pprof") {
        METRICS.requests.inc();
    }
}

/// The Prometheus text exposition of the registry: `(content type, body)`.
pub fn render_metrics() -> (&'static str, Vec<u8>) {
    let encoder = TextEncoder::new();
    let mut body = Vec::with_capacity(4096);
    encoder
        .encode(&METRICS.registry.gather(), &mut body)
        .expect("text encoding into a Vec cannot fail");
    (prometheus::TEXT_FORMAT, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn requests_total() -> f64 {
        let (_, body) = render_metrics();
        let text = String::from_utf8(body).unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("http_requests_total "))
            .expect("counter exposed")
            .parse()
            .unwrap()
    }

    #[test]
    fn exposition_has_counter_and_process_collector() {
        let (content_type, body) = render_metrics();
        assert_eq!(content_type, "text/plain; version=0.0.4");
        let text = String::from_utf8(body).unwrap();
        for name in [
            "# TYPE http_requests_total counter",
            "process_cpu_seconds_total",
            "process_resident_memory_bytes",
            "process_open_fds",
            "process_threads",
        ] {
            assert!(text.contains(name), "missing {name} in:\n{text}");
        }
    }

    #[test]
    fn metrics_and_pprof_are_not_counted() {
        let before = requests_total();
        count_request("/metrics");
        count_request("/debug/pprof/heap");
        count_request("/ping");
        count_request("/users/7");
        // No other test in this crate counts requests, so the delta is exact.
        assert_eq!(requests_total() - before, 2.0);
    }
}
