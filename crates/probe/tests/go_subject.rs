#![allow(clippy::unwrap_used)]
//! The probes beside a real load run: the bundled Go `stdlib` subject under a 3 s
//! closed-loop load on `/json`, with the /proc sampler and the /metrics scraper running.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use podium_load::ClosedLoop;
use podium_probe::{
    GoRuntimeFigures, MetricKind, MetricsClient, MetricsScraper, MetricsText, ProcSampler,
    RequestCrossCheck, requests_between,
};
use podium_subjects::{Catalog, LaunchOptions, OutputSink, RunningSubject, build};

const MIB: f64 = 1024.0 * 1024.0;

#[test]
fn stdlib_under_load_gives_go_runtime_figures_and_a_consistent_counter() {
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("podium-cache");
    let catalog = Catalog::load(&cache, &[]).unwrap();
    let subject = catalog.get("stdlib").unwrap();
    let artifact = build(subject, &cache).unwrap();
    let mut running = RunningSubject::launch(
        subject,
        &artifact,
        &LaunchOptions {
            port: None,
            output: OutputSink::File(cache.join("logs/probe-test.log")),
            env: vec![],
            ..Default::default()
        },
    )
    .unwrap();
    running.wait_ready(Duration::from_secs(30)).unwrap();
    let base = running.base_url();
    let metrics_url = format!("{base}/metrics");

    // The subject's whole exposition parses, with the families the figures rely on.
    let text = MetricsClient::new(&metrics_url, Duration::from_secs(5))
        .unwrap()
        .fetch_text()
        .unwrap();
    let metrics = MetricsText::parse(&text).unwrap();
    for (name, kind) in [
        ("http_requests_total", MetricKind::Counter),
        ("go_gc_duration_seconds", MetricKind::Summary),
        ("go_goroutines", MetricKind::Gauge),
        ("go_memstats_mallocs_total", MetricKind::Counter),
        ("podium_go_gc_pause_seconds", MetricKind::Histogram),
    ] {
        assert_eq!(
            metrics.family(name).map(|f| f.kind),
            Some(kind),
            "{name} in\n{text}"
        );
    }
    assert_eq!(
        metrics
            .summary_quantiles("go_gc_duration_seconds")
            .unwrap()
            .quantiles
            .iter()
            .map(|q| q.quantile)
            .collect::<Vec<_>>(),
        [0.0, 0.25, 0.5, 0.75, 1.0]
    );

    let origin = Instant::now();
    let sampler =
        ProcSampler::start_at(running.pid(), ProcSampler::DEFAULT_INTERVAL, origin).unwrap();
    let scraper = MetricsScraper::start_at(
        &metrics_url,
        Duration::from_millis(500),
        Duration::from_secs(5),
        origin,
    )
    .unwrap();
    let before = scraper.scrape_now();
    let load_from = sampler.elapsed_ms();
    let report = ClosedLoop {
        connections: 8,
        threads: 1,
        duration: Some(Duration::from_secs(3)),
        ..ClosedLoop::new(format!("{base}/json"))
    }
    .run()
    .unwrap();
    let load_to = sampler.elapsed_ms();
    let after = scraper.scrape_now();
    let scrapes = scraper.stop();
    let procs = sampler.stop();
    running.stop(Duration::from_secs(5));

    assert!(before.ok() && after.ok(), "{before:?} {after:?}");
    assert_eq!(scrapes.failed(), 0, "{scrapes:?}");
    assert!(
        report.requests > 0 && report.errors.total() == 0,
        "{report:?}"
    );

    // The server's counter against the generator's count.
    let served = requests_between(&before, &after).unwrap();
    let check = RequestCrossCheck::new(
        served,
        report.requests + report.warmup_requests,
        report.connections as u64 + report.errors.without_response(),
    );
    eprintln!("cross-check: {}", check.note);
    assert!(check.consistent, "{check:?}");

    // The Go runtime over the window.
    let go = GoRuntimeFigures::between(&before, &after, &scrapes)
        .unwrap()
        .unwrap();
    eprintln!(
        "stdlib /json: {} requests ({:.0} rps), {:.1} MiB/s allocated, {:.1} allocs/request, \
         {} GCs, {:?} pauses, pause p99 {:?} ms in {:?}, per-cycle quantiles {:?} ms, \
         goroutines end {} max {}",
        report.requests,
        report.rps,
        go.alloc_bytes_per_sec / MIB,
        go.allocs_per_request.unwrap_or(f64::NAN),
        go.gc_count,
        go.gc_pauses,
        go.gc_pause_p99_ms,
        go.gc_pause_p99_bucket_ms,
        go.gc_pause_quantiles_ms,
        go.goroutines_end,
        go.goroutines_max,
    );
    assert!(go.alloc_bytes_per_sec > 0.0);
    let per_request = go.allocs_per_request.unwrap();
    assert!(per_request > 0.0 && per_request < 1000.0, "{per_request}");
    assert_eq!(go.requests, Some(served));
    // 8 connections each hold a goroutine while the load runs.
    assert!(go.goroutines_end > 0 && go.goroutines_max >= 8, "{go:?}");
    assert_eq!(
        go.gc_pause_histogram.as_deref(),
        Some("podium_go_gc_pause_seconds")
    );
    // The heap goal is at least 4 MB; allocating more than twice that in the window
    // must have completed a GC cycle, each of which stops the world twice.
    if go.alloc_bytes_per_sec * go.window_s > 8.0 * MIB {
        assert!(go.gc_count > 0, "{go:?}");
        assert!(go.gc_pauses.unwrap() >= 2 * go.gc_count, "{go:?}");
        let p99 = go.gc_pause_p99_ms.unwrap();
        let bucket = go.gc_pause_p99_bucket_ms.unwrap();
        assert!(
            bucket.lower_ms <= p99 && bucket.upper_ms.is_none_or(|u| p99 <= u),
            "{go:?}"
        );
        assert_eq!(go.gc_pause_quantiles_ms.len(), 5, "{go:?}");
    }
    // Stored as JSON. serde_json's default float parsing may miss by one unit in the
    // last place, so floats are compared with a tolerance.
    let back: GoRuntimeFigures =
        serde_json::from_str(&serde_json::to_string(&go).unwrap()).unwrap();
    assert_eq!((back.requests, back.gc_count), (go.requests, go.gc_count));
    assert!((back.alloc_bytes_per_sec / go.alloc_bytes_per_sec - 1.0).abs() < 1e-12);

    // The /proc view of the same window.
    let window = procs.window(load_from, load_to);
    let summary = window.summary().unwrap();
    eprintln!("stdlib /json process: {summary:?}");
    assert!(!procs.ended_early && procs.error.is_none(), "{procs:?}");
    assert_eq!(summary.processes_max, 1);
    assert!(
        summary.threads_max >= 2 && summary.fds_max >= 8,
        "{summary:?}"
    );
    // The process collector reads the same /proc counters over the (slightly longer)
    // window between the bracketing scrapes.
    let collector_cpu = after.figures().unwrap().process_cpu_seconds_total.unwrap()
        - before.figures().unwrap().process_cpu_seconds_total.unwrap();
    assert!(
        summary.cpu_s > 0.5 * collector_cpu && summary.cpu_s <= collector_cpu + 0.05,
        "sampler {} s, process collector {collector_cpu} s",
        summary.cpu_s
    );
    // RSS without page cache is below the collector's RSS, which includes it.
    let collector_rss = after
        .figures()
        .unwrap()
        .process_resident_memory_bytes
        .unwrap();
    let last = window.samples.last().unwrap();
    assert!(
        last.rss_bytes > 0 && (last.rss_bytes as f64) < collector_rss,
        "{last:?} vs {collector_rss}"
    );
}
