//! Measures one running server: a suite workload's repetitions with /proc and /metrics
//! probes around each, statistics across them, a CPU profile when asked or when a
//! figure looks anomalous, and the middleware cost.
//!
//! This crate ties the measurement chain together for one server at a time; it does not
//! build, start or isolate the server (podium-subjects and podium-env do) and it does not
//! store anything (the caller keeps the serialisable results). For each repetition of a
//! workload:
//!
//! 1. the /proc sampler ([`podium_probe::ProcSampler`]) and the `/metrics` scraper run
//!    beside the load, on their own threads, for the server's process tree;
//! 2. one scrape just before and one just after the load bracket the window, giving
//!    the Go runtime's figures ([`podium_probe::GoRuntimeFigures`]) and the request
//!    counter cross-check against the generator's own count;
//! 3. the load engine's [`LoadReport`] is kept whole (its HDR histogram included).
//!
//! Across repetitions, [`podium_stats`] summarises throughput and latency (median with a
//! seeded bootstrap interval) and flags anomalies: high variance, errors, a latency tail
//! far from the median, outlying repetitions. A CPU profile is taken during the last
//! repetition when the [`ProfilePolicy`] says so, or in one extra repetition (not
//! counted in the figures) when an anomaly shows up: Go subjects through
//! `/debug/pprof/profile`, others through `perf`, drawn as a flame graph.
//!
//! [`middleware_cost`] runs `/ping` and `/mw/ping` alternately under the same load and
//! reports the throughput ratio with its bootstrap interval.

mod anomaly;
mod middleware;
mod profile;
mod workload;

pub use anomaly::{LATENCY_TAIL_FACTOR, LATENCY_TAIL_FLOOR_MS, MeasureAnomaly};
pub use middleware::{MiddlewareCost, MiddlewareCostSpec, middleware_cost};
pub use profile::{ProfileOutcome, ProfileResult, ProfilerKind, take_profile};
pub use workload::run_workload;

use podium_load::LoadReport;
use podium_probe::{
    GoRuntimeFigures, MetricsScraper, ProcSampler, ProcSeries, ProcSummary, RequestCrossCheck,
    ScrapeSeries,
};
use podium_stats::{BootstrapConfig, Summary};
use podium_workload::{Protocol, Workload};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Why a measurement could not be made.
#[derive(Debug, thiserror::Error)]
pub enum MeasureError {
    /// The load engine refused or failed the workload (bad URL, server unreachable, ...).
    #[error("workload {workload}: {source}")]
    Load {
        /// The workload's name.
        workload: String,
        /// The engine's error.
        #[source]
        source: podium_load::LoadError,
    },
    /// The workload cannot be run as written.
    #[error("workload {workload}: {problem}")]
    Workload {
        /// The workload's name.
        workload: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The server's process could not be observed.
    #[error("cannot sample the server's process {pid}: {source}; is the server still running?")]
    Probe {
        /// The server's process id.
        pid: u32,
        /// The sampler's error.
        #[source]
        source: podium_probe::ProcError,
    },
    /// The server died during the measurement.
    #[error(
        "the server (process {pid}) exited during workload {workload}, repetition {repetition}; see its log"
    )]
    ServerExited {
        /// The server's process id.
        pid: u32,
        /// The workload's name.
        workload: String,
        /// The repetition (1-based) during which it exited.
        repetition: u32,
    },
}

/// The server under measurement: where it answers and which process it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerUnderTest {
    /// A short name for titles and seeds ("stdlib").
    pub name: String,
    /// `http://HOST:PORT`.
    pub base_url: String,
    /// The server's process (the root of its process tree).
    pub pid: u32,
    /// How to profile it.
    pub profiler: ProfilerKind,
}

/// When to take a CPU profile of a workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProfilePolicy {
    /// Never.
    Never,
    /// Only in an extra repetition when a figure looks anomalous.
    OnAnomaly,
    /// During the last repetition, and again in an extra one on anomaly.
    Always,
}

/// How to measure a workload.
#[derive(Debug, Clone)]
pub struct MeasureOptions {
    /// Generator threads when the workload leaves them open (the generator's CPUs).
    pub generator_threads: usize,
    /// Repetitions to run; `None` takes the workload's own.
    pub repetitions: Option<u32>,
    /// /proc sampling interval.
    pub proc_interval: Duration,
    /// `/metrics` scraping interval (beside the two bracketing scrapes).
    pub scrape_interval: Duration,
    /// Whether to scrape `/metrics` at all (a server without it: `false`).
    pub scrape_metrics: bool,
    /// When to profile.
    pub profile: ProfilePolicy,
    /// How long a profile records, at most (it is also bounded by the workload's duration).
    pub profile_seconds: u32,
    /// Bootstrap settings for the summaries (the seed is derived per figure).
    pub bootstrap_resamples: usize,
}

impl Default for MeasureOptions {
    fn default() -> Self {
        Self {
            generator_threads: 1,
            repetitions: None,
            proc_interval: ProcSampler::DEFAULT_INTERVAL,
            scrape_interval: MetricsScraper::DEFAULT_INTERVAL,
            scrape_metrics: true,
            profile: ProfilePolicy::OnAnomaly,
            profile_seconds: 5,
            bootstrap_resamples: 10_000,
        }
    }
}

/// One repetition of a workload with what the probes saw during it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Repetition {
    /// 1-based.
    pub index: u32,
    /// The load engine's report (histogram, timeline, errors, generator self-check).
    pub report: LoadReport,
    /// The server's process tree over the measured phase (warm-up cut away).
    pub memory: Option<ProcSummary>,
    /// Every /proc sample of the repetition (warm-up included), for plots.
    pub proc_series: ProcSeries,
    /// Every scrape of the repetition, for plots; `None` when not scraped.
    pub scrapes: Option<ScrapeSeries>,
    /// The Go runtime over the repetition (warm-up included: the scrapes bracket the whole
    /// run); `None` for servers without Go runtime metrics.
    pub go: Option<GoRuntimeFigures>,
    /// The server's request counter against the generator's count; `None` when it could
    /// not be made (no scrapes, or a WebSocket workload whose messages are not requests).
    pub cross_check: Option<RequestCrossCheck>,
    /// Why a figure is missing (a failed scrape, ...), in words.
    pub notes: Vec<String>,
}

/// A workload measured over its repetitions.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkloadMeasurement {
    /// The server's name.
    pub server: String,
    /// The workload's name.
    pub workload: String,
    /// `http`, `jsonrpc` or `ws`.
    pub protocol: String,
    /// Repetitions asked for.
    pub repetitions_asked: u32,
    /// The repetitions run (fewer than asked when interrupted).
    pub repetitions: Vec<Repetition>,
    /// Requests (or round trips) per second across repetitions.
    pub rps: Option<Summary>,
    /// Median latency (ms) across repetitions.
    pub p50_ms: Option<Summary>,
    /// 99th percentile latency (ms) across repetitions.
    pub p99_ms: Option<Summary>,
    /// What looked wrong.
    pub anomalies: Vec<MeasureAnomaly>,
    /// The CPU profile, when one was taken (or attempted).
    pub profiles: Vec<ProfileOutcome>,
    /// Whether the measurement was cut short by a stop request.
    pub interrupted: bool,
}

/// Progress of a measurement, for progress bars.
#[derive(Debug, Clone, PartialEq)]
pub enum MeasureEvent {
    /// A repetition starts; `expected` is how long it should take.
    RepetitionStarted {
        /// 1-based.
        index: u32,
        /// Of how many.
        of: u32,
        /// Warm-up plus duration.
        expected: Duration,
    },
    /// A repetition ended with this throughput.
    RepetitionDone {
        /// 1-based.
        index: u32,
        /// Requests per second.
        rps: f64,
    },
    /// An extra, profiled repetition starts because of anomalies.
    ProfilingAnomaly {
        /// Why.
        reasons: Vec<String>,
    },
}

/// Runs the workload's repetitions against `server` with probes around each, then the
/// statistics, anomaly checks and profile. Stops early (marking the result interrupted)
/// when `stop` is set; a server that dies is an error (the caller records the crash).
pub fn measure_workload(
    server: &ServerUnderTest,
    workload: &Workload,
    options: &MeasureOptions,
    stop: &AtomicBool,
    on_event: &mut dyn FnMut(MeasureEvent),
) -> Result<WorkloadMeasurement, MeasureError> {
    let asked = options.repetitions.unwrap_or(workload.repetitions).max(1);
    let expected = workload.warmup + workload.load.duration();
    let mut repetitions = Vec::new();
    let mut profiles = Vec::new();
    for index in 1..=asked {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        on_event(MeasureEvent::RepetitionStarted {
            index,
            of: asked,
            expected,
        });
        let profile_now = options.profile == ProfilePolicy::Always && index == asked;
        let (rep, profile) = run_probed(server, workload, options, index, profile_now, stop)?;
        if let Some(profile) = profile {
            profiles.push(profile.with_reason("asked for: the last repetition of the workload"));
        }
        on_event(MeasureEvent::RepetitionDone {
            index,
            rps: rep.report.rps,
        });
        repetitions.push(rep);
    }
    let interrupted =
        stop.load(Ordering::Relaxed) || repetitions.iter().any(|r| r.report.interrupted);
    let label = format!("{}/{}", server.name, workload.name);
    let summarise = |what: &str, values: Vec<f64>| -> Option<Summary> {
        let config = BootstrapConfig {
            resamples: options.bootstrap_resamples,
            ..BootstrapConfig::for_label(&format!("{label}/{what}"))
        };
        Summary::of(&values, &config).ok()
    };
    let counted: Vec<&Repetition> = repetitions
        .iter()
        .filter(|r| !r.report.interrupted)
        .collect();
    let rps = summarise("rps", counted.iter().map(|r| r.report.rps).collect());
    let p50_ms = summarise(
        "p50",
        counted.iter().map(|r| r.report.latency_ms.p50).collect(),
    );
    let p99_ms = summarise(
        "p99",
        counted.iter().map(|r| r.report.latency_ms.p99).collect(),
    );
    let anomalies = if interrupted {
        Vec::new()
    } else {
        anomaly::detect(&counted, rps.as_ref(), p99_ms.as_ref())
    };
    if !interrupted && !anomalies.is_empty() && options.profile != ProfilePolicy::Never {
        let reasons: Vec<String> = anomalies.iter().map(ToString::to_string).collect();
        on_event(MeasureEvent::ProfilingAnomaly {
            reasons: reasons.clone(),
        });
        // An extra repetition: profiling costs the server CPU, so its figures are not
        // mixed into the statistics; only the profile is kept.
        let (_, profile) = run_probed(server, workload, options, asked + 1, true, stop)?;
        if let Some(profile) = profile {
            profiles.push(profile.with_reason(&format!("anomaly: {}", reasons.join("; "))));
        }
    }
    Ok(WorkloadMeasurement {
        server: server.name.clone(),
        workload: workload.name.clone(),
        protocol: workload.protocol.name().to_string(),
        repetitions_asked: asked,
        repetitions,
        rps,
        p50_ms,
        p99_ms,
        anomalies,
        profiles,
        interrupted,
    })
}

/// One repetition with the probes (and, when asked, a profiler) running beside it.
fn run_probed(
    server: &ServerUnderTest,
    workload: &Workload,
    options: &MeasureOptions,
    index: u32,
    with_profile: bool,
    stop: &AtomicBool,
) -> Result<(Repetition, Option<ProfileOutcome>), MeasureError> {
    let origin = Instant::now();
    let probe_error = |source| MeasureError::Probe {
        pid: server.pid,
        source,
    };
    let sampler =
        ProcSampler::start_at(server.pid, options.proc_interval, origin).map_err(probe_error)?;
    let mut notes = Vec::new();
    let scraper = if options.scrape_metrics {
        match MetricsScraper::start_at(
            &format!("{}/metrics", server.base_url.trim_end_matches('/')),
            options.scrape_interval,
            Duration::from_secs(5),
            origin,
        ) {
            Ok(s) => Some(s),
            Err(e) => {
                notes.push(format!("/metrics not scraped: {e}"));
                None
            }
        }
    } else {
        None
    };
    let before = scraper.as_ref().map(MetricsScraper::scrape_now);
    let load_from = sampler.elapsed_ms();
    let profiler = with_profile.then(|| {
        // Record inside the measured phase: after the warm-up, ending before the load does.
        let seconds = profile_seconds(workload, options.profile_seconds);
        let delay = workload.warmup;
        let server = server.clone();
        std::thread::spawn(move || {
            std::thread::sleep(delay);
            take_profile(&server, seconds)
        })
    });
    let report = run_workload(&server.base_url, workload, options.generator_threads, stop);
    let load_to = sampler.elapsed_ms();
    let after = scraper.as_ref().map(MetricsScraper::scrape_now);
    let scrapes = scraper.map(MetricsScraper::stop);
    let proc_series = sampler.stop();
    let profile = profiler.and_then(|handle| handle.join().ok());
    if proc_series.ended_early {
        return Err(MeasureError::ServerExited {
            pid: server.pid,
            workload: workload.name.clone(),
            repetition: index,
        });
    }
    let report = report?;
    let warmup_ms = u64::try_from(workload.warmup.as_millis()).unwrap_or(u64::MAX);
    let memory = proc_series
        .window(load_from.saturating_add(warmup_ms), load_to)
        .summary();
    let (mut go, mut cross_check) = (None, None);
    if let (Some(before), Some(after), Some(series)) = (&before, &after, &scrapes) {
        match GoRuntimeFigures::between(before, after, series) {
            Ok(figures) => go = figures,
            Err(e) => notes.push(format!("Go runtime figures unavailable: {e}")),
        }
        if matches!(workload.protocol, Protocol::WebSocket(_)) {
            notes.push(
                "request counter not cross-checked: WebSocket messages are not HTTP requests"
                    .into(),
            );
        } else {
            match podium_probe::requests_between(before, after) {
                Ok(served) => {
                    let generator = report.requests + report.warmup_requests;
                    // Requests in flight when the generator stopped counting, and requests
                    // abandoned on the client's side, may be counted by the server only.
                    let allowance = report.connections as u64
                        + report.abandoned
                        + report.errors.without_response();
                    cross_check = Some(RequestCrossCheck::new(served, generator, allowance));
                }
                Err(e) => notes.push(format!("request counter not cross-checked: {e}")),
            }
        }
    }
    Ok((
        Repetition {
            index,
            report,
            memory,
            proc_series,
            scrapes,
            go,
            cross_check,
            notes,
        },
        profile,
    ))
}

/// Seconds to profile: the asked length, bounded by the measured phase minus a second of
/// margin so the profile ends while the load still runs.
fn profile_seconds(workload: &Workload, asked: u32) -> u32 {
    let measured = workload.load.duration().as_secs();
    let bound = u32::try_from(measured.saturating_sub(1)).unwrap_or(u32::MAX);
    asked.min(bound).max(1)
}
