//! What a report says: the model behind `report.json`, `report.md` and `report.html`.
//!
//! Every exporter renders this model and nothing else, and the model is built from the
//! store alone, so a report rebuilt later from `podium.db` equals the original. The JSON
//! form is documented by `schemas/report.schema.json` (kept in the repository and checked
//! against this model by the tests). Figures with spread are [`Figure`]s
//! (`{median, ci_low, ci_high, n}`); latencies are in milliseconds.

pub use crate::hot_reload::HotReload;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The version of the report model; raised on incompatible changes.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// The whole report of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// [`REPORT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The run itself.
    pub run: RunInfo,
    /// The environment record (CPU, kernel, governor, load, toolchains, what was and was
    /// not enforced, warnings), as podium-env records it.
    pub environment: Value,
    /// Every subject of the run, ranked ones first in rank order, then the others.
    pub subjects: Vec<SubjectReport>,
    /// Per workload, the subjects ordered by throughput with "within noise" marks.
    pub rankings: Vec<WorkloadRanking>,
    /// The radar: axes, weights, and one series per ranked subject.
    pub radar: Radar,
    /// Things a reader must know that belong to no single subject (what could not be
    /// measured, cross-check disagreements, ...).
    pub notes: Vec<String>,
}

/// When and how the run was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// The store's run id.
    pub id: i64,
    /// Start, RFC 3339 UTC.
    pub started: String,
    /// End, RFC 3339 UTC; `None` when the run did not finish.
    pub finished: Option<String>,
    /// False for an interrupted or crashed run: its figures are partial.
    pub complete: bool,
    /// A `--quick` run (short durations, one repetition): not for publishing.
    pub quick: bool,
    /// The suite's name.
    pub suite: Option<String>,
    /// The weights of the composite score.
    pub weights: Weights,
    /// Podium's version.
    pub podium_version: String,
    /// The command line that made the run.
    pub command_line: Vec<String>,
    /// Why the run is incomplete, or other remarks.
    pub note: Option<String>,
}

/// The weights of the radar's axes in the composite score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Weights {
    /// Performance (throughput and latency).
    pub performance: f64,
    /// Ecosystem maturity.
    pub ecosystem: f64,
    /// Observability (OpenTelemetry conformance).
    pub observability: f64,
    /// Hot-reload quality.
    pub hot_reload: f64,
}

/// A figure measured over repetitions: median and bootstrap confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// Median across repetitions.
    pub median: f64,
    /// Lower end of the confidence interval (95% unless the run says otherwise).
    pub ci_low: f64,
    /// Upper end.
    pub ci_high: f64,
    /// Repetitions; with 1 the interval is the value itself and the spread unknown.
    pub n: usize,
}

/// Latency percentiles in milliseconds (medians across repetitions).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Largest.
    pub max: f64,
}

/// One subject's part of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectReport {
    /// Subject name.
    pub name: String,
    /// `go` or `rust`.
    pub language: String,
    /// Framework display name.
    pub framework: String,
    /// Pinned framework version.
    pub version: String,
    /// Whether it passed the contract; an unverified subject is not ranked.
    pub verified: bool,
    /// `measured`, `build_failed`, `verify_failed`, `crashed`, `skipped`, `interrupted`.
    pub status: String,
    /// Why it is not (fully) measured, in words.
    pub reason: Option<String>,
    /// The contract checks that failed, `id: expected …; got …`.
    pub failed_checks: Vec<String>,
    /// Its rank by composite score (1 = best); `None` when not ranked.
    pub rank: Option<u32>,
    /// Per workload figures.
    pub workloads: Vec<WorkloadReport>,
    /// Memory and GC, over the measured workloads.
    pub memory: Option<Memory>,
    /// `/mw/ping` against `/ping`.
    pub middleware_cost: Option<MiddlewareCost>,
    /// Deployment figures.
    pub deployment: Option<Deployment>,
    /// OpenTelemetry conformance (`podium otel`), as carried into the run; `None` when
    /// never observed.
    #[serde(default)]
    pub observability: Option<Observability>,
    /// Scores: per axis (normalised, 0.05–1) and composite.
    pub scores: Scores,
    /// How the framework is written (routes, middleware, errors) and its size.
    pub developer_experience: DeveloperExperience,
    /// CPU profiles drawn as flame graphs.
    pub flame_graphs: Vec<FlameGraph>,
    /// The ecosystem result carried into the run, `None` when none was observed.
    #[serde(default)]
    pub ecosystem: Option<Ecosystem>,
    /// The newest hot-reload grade (`podium reload`), carried into the run.
    #[serde(default)]
    pub hot_reload: Option<HotReload>,
}

/// One workload of one subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkloadReport {
    /// Workload name from the suite.
    pub name: String,
    /// `http`, `jsonrpc` or `ws`.
    pub protocol: String,
    /// `closed`, `open` or `ws`.
    pub model: String,
    /// Connections (closed loop) or the connection cap (open loop).
    pub connections: usize,
    /// Requests (or WebSocket round trips) per second.
    pub rps: Figure,
    /// 99th percentile latency across repetitions, with spread.
    pub p99_ms: Figure,
    /// Latency percentiles (medians across repetitions).
    pub latency: Latency,
    /// The latency percentile curve of the last complete repetition, from its HDR
    /// histogram: `(percentile in percent, 0–100, latency in ms)` pairs for plotting on
    /// a log scale.
    pub latency_curve: Vec<(f64, f64)>,
    /// Exchanges over all repetitions.
    pub requests: u64,
    /// Failed exchanges over all repetitions.
    pub errors: u64,
    /// Repetitions completed.
    pub repetitions: u32,
    /// Open-loop ramp only: the highest rate served with p99 under the bound and no
    /// errors, in requests per second.
    pub knee_rps: Option<f64>,
    /// The p99 bound used for the knee, in ms.
    pub knee_p99_bound_ms: Option<f64>,
    /// Whether the load generator was saturated in some repetition (figures then
    /// describe the client).
    pub generator_saturated: bool,
    /// Whether the server's request counter agreed with the generator in every
    /// repetition; `None` when not checked.
    pub counter_consistent: Option<bool>,
    /// What looked anomalous.
    pub anomalies: Vec<String>,
    /// Figures of peer tools (wrk, vegeta) for the same workload, when cross-checked.
    pub cross_checks: Vec<CrossCheck>,
}

/// A peer tool's figure beside Podium's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossCheck {
    /// `wrk` or `vegeta`.
    pub tool: String,
    /// Its requests per second.
    pub rps: f64,
    /// Its p99 latency, ms, when it reports one.
    pub p99_ms: Option<f64>,
    /// Whether it disagrees with Podium beyond the noise.
    pub disagrees: bool,
    /// The comparison in words.
    pub note: String,
}

/// Memory and GC of one subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Memory {
    /// Largest RSS without page cache over all workloads.
    pub rss_peak_bytes: u64,
    /// Median steady RSS over the workloads.
    pub rss_steady_bytes: u64,
    /// Go: heap bytes allocated per second (median over workloads).
    pub alloc_bytes_per_sec: Option<f64>,
    /// Go: heap objects allocated per request (median over workloads).
    pub allocs_per_request: Option<f64>,
    /// Go: 99th percentile GC pause (largest over workloads), ms.
    pub gc_pause_p99_ms: Option<f64>,
    /// Go: GC cycles over all workloads.
    pub gc_count: Option<u64>,
    /// Most threads seen.
    pub threads_max: u64,
}

/// What the middleware chain costs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MiddlewareCost {
    /// `/ping` requests per second.
    pub ping_rps: Figure,
    /// `/mw/ping` requests per second.
    pub mw_rps: Figure,
    /// `/mw/ping` ÷ `/ping` throughput (1 = free).
    pub ratio: f64,
    /// Its interval.
    pub ratio_ci_low: f64,
    /// Its interval.
    pub ratio_ci_high: f64,
    /// "slower" or "within noise", with the method.
    pub verdict: String,
}

/// Deployment figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    /// The stripped shipping binary.
    pub binary_bytes: u64,
    /// Whether it builds with `CGO_ENABLED=0` (Go); `None` for other languages.
    pub cgo_free: Option<bool>,
    /// Whether the shipping binary is static.
    pub static_binary: bool,
    /// Build with empty caches, seconds; `None` when not measured.
    pub build_cold_s: Option<f64>,
    /// Rebuild after a one-line change, seconds.
    pub build_warm_s: Option<f64>,
    /// Third-party modules / crates.
    pub deps: Option<u64>,
    /// The minimal OCI image (binary on an empty base), bytes as a registry stores it.
    pub oci_image_bytes: u64,
    /// Process start to first successful response, ms (median).
    pub first_response_ms: f64,
}

/// Scores of one subject.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// Performance axis (normalised).
    pub performance: Option<f64>,
    /// Ecosystem axis.
    pub ecosystem: Option<f64>,
    /// Observability axis.
    pub observability: Option<f64>,
    /// Hot-reload axis.
    pub hot_reload: Option<f64>,
    /// Weighted composite in [0, 1].
    pub composite: Option<f64>,
}

/// How a framework is written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeveloperExperience {
    /// How routes are defined (from the subject's notes).
    pub routes: Option<String>,
    /// How middleware is chained.
    pub middleware: Option<String>,
    /// How errors propagate.
    pub errors: Option<String>,
    /// Non-blank, non-comment source lines the subject needs for the contract (its own
    /// folder, without shared code and tests).
    pub lines: Option<u64>,
}

pub use crate::ecosystem::{EcoCve, EcoMiddleware, EcoSignal, EcoVulnerabilities, Ecosystem};

/// A flame graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlameGraph {
    /// The workload profiled.
    pub workload: String,
    /// Why it was taken.
    pub reason: String,
    /// `go_pprof` or `perf`.
    pub profiler: String,
    /// The hottest functions: `(name, self share)`.
    pub top: Vec<(String, f64)>,
    /// The SVG, embedded in the HTML report. `JsonExporter` leaves it out of report.json
    /// to keep that file small; the store keeps it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub svg: Option<String>,
    /// Why there is no graph, when the profile could not be taken.
    pub unavailable: Option<String>,
}

/// Subjects ordered by throughput on one workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkloadRanking {
    /// Workload name.
    pub workload: String,
    /// In rank order.
    pub entries: Vec<RankingEntry>,
}

/// One subject's place on one workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankingEntry {
    /// Subject.
    pub subject: String,
    /// Rank (shared by subjects within noise of each other).
    pub rank: u32,
    /// Its throughput.
    pub rps: Figure,
    /// Whether it is within noise of the entry above.
    pub within_noise_of_previous: bool,
    /// The comparison with the entry above, in words.
    pub versus_previous: Option<String>,
}

/// The radar chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Radar {
    /// Axis names in order.
    pub axes: Vec<String>,
    /// The normalisation, in words (formula and decay).
    pub normalisation: String,
    /// One series per ranked subject.
    pub series: Vec<RadarSeries>,
}

/// One subject on the radar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RadarSeries {
    /// Subject.
    pub subject: String,
    /// Radar values per axis (0.05 … weight), `None` where not measured.
    pub values: Vec<Option<f64>>,
    /// The raw figure behind each value, in words, for hovering.
    pub raw: Vec<Option<String>>,
}

/// OpenTelemetry conformance of one subject's OTel variant, observed by `podium otel`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observability {
    /// When it was observed, RFC 3339 UTC.
    pub observed_at: String,
    /// Runs made between the observation and this run (0 = fresh); the axis decays by
    /// 0.95 per run.
    pub age_runs: u32,
    /// The OTLP protocol the variant exported with.
    pub protocol: String,
    /// How it is instrumented, with module and version.
    pub instrumentation: String,
    /// `framework`, `opentelemetry-contrib`, `third-party` or `none`.
    pub maintainer: String,
    /// The SDK it pins.
    pub sdk: String,
    /// `pass`, `partial` or `fail`; `None` when the checks could not run (see `error`).
    pub tracer: Option<String>,
    /// `pass`, `partial` or `fail`.
    pub propagator: Option<String>,
    /// `pass`, `partial` or `fail`.
    pub metrics: Option<String>,
    /// Why the checks could not run.
    pub error: Option<String>,
    /// The items that did not hold: `check: item: expected …; arrived …`.
    pub failed_items: Vec<String>,
    /// Lines the variant adds over the plain subject; `None` when not counted.
    pub lines_added: Option<u64>,
    /// OTel throughput ÷ plain throughput (1 = free); `None` when not measured.
    pub throughput_ratio: Option<Ratio>,
    /// OTel p99 ÷ plain p99 (1 = no overhead); `None` when not measured.
    pub p99_ratio: Option<Ratio>,
    /// How the cost was measured, in words.
    pub cost_load: Option<String>,
    /// Spans Podium received during the cost runs and the requests the OTel variant
    /// answered meanwhile: fewer spans than requests means the SDK dropped spans under
    /// load (which also lowers its cost). `None` when not measured.
    #[serde(default)]
    pub spans_under_load: Option<(u64, u64)>,
    /// The compatibility matrix: the pinned SDK first, then older lines.
    pub matrix: Vec<MatrixEntry>,
}

/// A ratio of medians with its bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Ratio {
    /// The ratio.
    pub value: f64,
    /// Lower end of its interval.
    pub ci_low: f64,
    /// Upper end.
    pub ci_high: f64,
    /// Runs per side.
    pub n: usize,
}

/// One SDK release line of the compatibility matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatrixEntry {
    /// The SDK module and version.
    pub sdk: String,
    /// Whether it is the SDK the subject pins.
    pub pinned: bool,
    /// Verdicts; `None` when not checked (see `error`).
    pub tracer: Option<String>,
    /// Verdicts.
    pub propagator: Option<String>,
    /// Verdicts.
    pub metrics: Option<String>,
    /// Why it was not checked (first line of the build or start-up error).
    pub error: Option<String>,
}
