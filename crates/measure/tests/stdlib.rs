#![allow(clippy::unwrap_used)]
//! The measurement chain against the real Go `stdlib` subject: a workload's repetitions
//! with /proc and /metrics probes, the request-counter cross-check, a CPU profile and
//! flame graph, the middleware cost, and a server that dies mid-run.

use podium_measure::{
    MeasureError, MeasureEvent, MeasureOptions, MiddlewareCostSpec, ProfilePolicy, ProfileResult,
    ProfilerKind, ServerUnderTest, measure_workload, middleware_cost,
};
use podium_subjects::{Catalog, LaunchOptions, OutputSink, RunningSubject, build};
use podium_workload::Suite;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

fn cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("podium-cache")
}

fn start(name: &str, log: &str) -> RunningSubject {
    let cache = cache();
    let catalog = Catalog::load(&cache, &[]).unwrap();
    let subject = catalog.get(name).unwrap();
    let artifact = build(subject, &cache).unwrap();
    let mut running = RunningSubject::launch(
        subject,
        &artifact,
        &LaunchOptions {
            output: OutputSink::File(cache.join("logs").join(log)),
            ..Default::default()
        },
    )
    .unwrap();
    running.wait_ready(Duration::from_secs(60)).unwrap();
    running
}

fn suite(text: &str) -> Suite {
    Suite::parse(text, Path::new("test-suite.toml")).unwrap()
}

fn server(running: &RunningSubject) -> ServerUnderTest {
    ServerUnderTest {
        name: "stdlib".into(),
        base_url: running.base_url(),
        pid: running.pid(),
        profiler: ProfilerKind::for_language("go"),
    }
}

#[test]
fn a_workload_is_measured_with_probes_cross_check_and_profile() {
    let mut running = start("stdlib", "measure-stdlib.log");
    let suite = suite(
        r#"
name = "t"
[defaults]
duration = "3s"
warmup = "500ms"
repetitions = 2
[[workload]]
name = "users"
path = "/users/{{seq}}"
expect_status = 200
[workload.closed]
connections = 8
threads = 1
"#,
    );
    let mut events = Vec::new();
    let options = MeasureOptions {
        profile: ProfilePolicy::Always,
        profile_seconds: 2,
        bootstrap_resamples: 1000,
        ..MeasureOptions::default()
    };
    let m = measure_workload(
        &server(&running),
        &suite.workloads[0],
        &options,
        &AtomicBool::new(false),
        &mut |e| events.push(e),
    )
    .unwrap();
    running.stop(Duration::from_secs(5));

    assert_eq!(m.repetitions_asked, 2);
    assert!(m.repetitions.len() == 2 && !m.interrupted);
    assert!(matches!(
        events[0],
        MeasureEvent::RepetitionStarted {
            index: 1,
            of: 2,
            ..
        }
    ));
    let rps = m.rps.as_ref().unwrap();
    assert_eq!(rps.n, 2);
    assert!(rps.median > 0.0 && rps.ci_low <= rps.median && rps.median <= rps.ci_high);
    for rep in &m.repetitions {
        assert_eq!(rep.report.errors.total(), 0, "{:?}", rep.report.errors);
        // /proc: the Go server's tree, sampled during the measured phase.
        let memory = rep.memory.as_ref().unwrap();
        assert!(memory.rss_peak_bytes > 1 << 20, "{memory:?}");
        assert!(memory.rss_steady_bytes <= memory.rss_peak_bytes);
        assert!(memory.cpu_s > 0.0 && memory.threads_max >= 2);
        // /metrics: the Go runtime's figures over the repetition.
        let go = rep.go.as_ref().unwrap();
        assert!(go.alloc_bytes_per_sec > 0.0);
        let allocs = go.allocs_per_request.unwrap();
        assert!(allocs > 1.0 && allocs < 1000.0, "allocs/request {allocs}");
        assert!(go.goroutines_max >= 1);
        // The server counted what the generator counted (warm-up included), up to the
        // requests in flight when the generator stopped.
        let check = rep.cross_check.as_ref().unwrap();
        assert!(check.consistent, "{check:?}");
        assert!(check.generator_counted >= rep.report.requests);
    }
    // The profile of the last repetition names the handler; a second one follows only
    // when the repetitions looked anomalous (on this shared machine they may).
    let reasons: Vec<&str> = m.profiles.iter().map(|p| p.reason.as_str()).collect();
    assert_eq!(
        m.profiles.len(),
        1 + usize::from(!m.anomalies.is_empty()),
        "{reasons:?} {:?}",
        m.anomalies
    );
    let profile = &m.profiles[0];
    assert!(profile.reason.starts_with("asked for"));
    match &profile.result {
        ProfileResult::Taken { profile, svg, top } => {
            assert!(
                profile.folded.contains_frame("main.getUser"),
                "{:?}",
                &top[..top.len().min(5)]
            );
            assert!(svg.contains("main.getUser") && svg.trim_end().ends_with("</svg>"));
            assert!(!top.is_empty());
        }
        ProfileResult::Unavailable { reason } => panic!("no profile: {reason}"),
        ProfileResult::Failed { error } => panic!("no profile: {error}"),
    }
    // Everything serialises for the store.
    let json = serde_json::to_string(&m).unwrap();
    let back: podium_measure::WorkloadMeasurement = serde_json::from_str(&json).unwrap();
    assert_eq!(back.repetitions.len(), 2);
}

#[test]
fn errors_are_an_anomaly_and_trigger_a_profile() {
    let mut running = start("stdlib", "measure-stdlib-anomaly.log");
    // /mw/ping without a token: every answer is a 401, counted as a status error.
    let suite = suite(
        r#"
name = "t"
[defaults]
duration = "2s"
warmup = "0s"
repetitions = 1
[[workload]]
name = "mw-no-token"
path = "/mw/ping"
expect_status = 200
[workload.closed]
connections = 4
threads = 1
"#,
    );
    let mut events = Vec::new();
    let m = measure_workload(
        &server(&running),
        &suite.workloads[0],
        &MeasureOptions {
            profile: ProfilePolicy::OnAnomaly,
            profile_seconds: 1,
            bootstrap_resamples: 1000,
            ..MeasureOptions::default()
        },
        &AtomicBool::new(false),
        &mut |e| events.push(e),
    )
    .unwrap();
    running.stop(Duration::from_secs(5));
    assert!(
        m.anomalies
            .iter()
            .any(|a| matches!(a, podium_measure::MeasureAnomaly::Errors { .. })),
        "{:?}",
        m.anomalies
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, MeasureEvent::ProfilingAnomaly { .. }))
    );
    // The extra profiled repetition is not part of the figures.
    assert_eq!(m.repetitions.len(), 1);
    assert_eq!(m.profiles.len(), 1);
    assert!(
        m.profiles[0].reason.starts_with("anomaly: "),
        "{}",
        m.profiles[0].reason
    );
    assert!(matches!(m.profiles[0].result, ProfileResult::Taken { .. }));
}

#[test]
fn middleware_cost_compares_mw_ping_with_ping() {
    let mut running = start("stdlib", "measure-stdlib-mw.log");
    let spec = MiddlewareCostSpec {
        connections: 8,
        threads: 1,
        duration: Duration::from_secs(1),
        warmup: Duration::from_millis(200),
        repetitions: 3,
        jwt_secret: podium_token::DEFAULT_SECRET.as_bytes().to_vec(),
    };
    let cost = middleware_cost(
        "stdlib",
        &running.base_url(),
        &spec,
        &AtomicBool::new(false),
    )
    .unwrap();
    running.stop(Duration::from_secs(5));
    // A valid token: no 401s, so both routes really ran their handlers.
    assert_eq!(cost.errors, 0);
    assert_eq!(cost.ping_rps.n, 3);
    assert_eq!(cost.mw_rps.n, 3);
    let r = &cost.throughput_ratio;
    assert!(r.ratio > 0.2 && r.ratio < 2.0, "{r:?}");
    assert!(r.ci_low <= r.ratio && r.ratio <= r.ci_high);
    assert!(
        (r.ratio - cost.mw_rps.median / cost.ping_rps.median).abs() < 1e-9,
        "the ratio is of the medians"
    );
    assert!(cost.load.contains("8 connections"));
}

#[test]
fn a_server_that_dies_mid_run_is_reported_as_such() {
    let mut running = start("stdlib", "measure-stdlib-crash.log");
    let suite = suite(
        r#"
name = "t"
[defaults]
duration = "3s"
warmup = "0s"
repetitions = 1
[[workload]]
name = "ping"
path = "/ping"
[workload.closed]
connections = 4
threads = 1
"#,
    );
    let pid = running.pid();
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(800));
        // SAFETY: kill(2) on the subject's own pid; no memory is involved.
        unsafe { libc_kill(pid) };
    });
    let result = measure_workload(
        &server(&running),
        &suite.workloads[0],
        &MeasureOptions {
            profile: ProfilePolicy::Never,
            ..MeasureOptions::default()
        },
        &AtomicBool::new(false),
        &mut |_| {},
    );
    killer.join().unwrap();
    let _ = running.stop(Duration::from_secs(1));
    match result {
        Err(MeasureError::ServerExited {
            pid: p, repetition, ..
        }) => {
            assert_eq!(p, pid);
            assert_eq!(repetition, 1);
        }
        other => panic!("expected ServerExited, got {other:?}"),
    }
}

unsafe fn libc_kill(pid: u32) {
    // SAFETY: see the caller.
    unsafe {
        libc::kill(pid as i32, libc::SIGKILL);
    }
}
