//! The command line, defined in one place.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

/// Podium benchmarks web frameworks and ranks them for a team that has to pick one.
///
/// Each framework is a "subject": a small server in subjects/<lang>/<name>/ that serves one
/// common contract (subjects/CONTRACT.md). Podium builds subjects, checks them against
/// the contract, and measures them.
#[derive(Debug, Parser)]
#[command(name = "podium", version, about, long_about, propagate_version = true)]
pub struct Cli {
    /// Where to look for subjects besides the bundled ones (repeatable).
    #[arg(long, global = true, value_name = "DIR")]
    pub subjects_dir: Vec<PathBuf>,

    /// Cache folder for unpacked subjects, builds and logs [default: ~/.cache/podium].
    #[arg(long, global = true, env = "PODIUM_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The exit status of an error: 1, or 2 for `podium otel`, whose 1 means that a check
    /// did not pass.
    pub fn error_exit_code(&self) -> i32 {
        match self.command {
            Command::Otel(_) => 2,
            _ => 1,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the known subjects: name, language, framework, version and location.
    Subjects(SubjectsArgs),
    /// Build a subject if its sources changed and run it in the foreground.
    ///
    /// Prints its URL; Ctrl-C or SIGTERM stops it gracefully and leaves no process behind.
    Serve(ServeArgs),
    /// Check subjects (or a running server) against the contract before anything is measured.
    ///
    /// Prints one line per check with what was expected and what came back, and exits 1 if
    /// any check fails. With no subject named, every known subject is verified.
    Verify(VerifyArgs),
    /// Drive a server with load and report throughput, errors and latency (like wrk).
    ///
    /// Closed loop by default (fixed connections, each sending its next request when the
    /// previous answer is complete). With --rate it is an open loop (a fixed or ramping
    /// arrival rate) and latency is measured from each request's intended send time, which
    /// corrects for coordinated omission. A ws:// URL runs WebSocket echo round trips.
    /// Ctrl-C ends the run early and prints what was measured, marked interrupted.
    ///
    /// Header values, the path and the body may use templates, rendered per request:
    /// {{token}} (an HS256 JWT from $JWT_SECRET), {{faker.name}}, {{faker.email}},
    /// {{now_iso8601}}, {{seq}}, {{env.NAME}}.
    Load(Box<LoadArgs>),
    /// Show this machine's environment record and what isolation it can enforce.
    ///
    /// CPU model, cores, kernel, governor, load average, toolchains; then the isolation a
    /// run would use (server and generator CPU sets, cgroup v2 limits, network namespace)
    /// with, for everything that cannot be enforced here, the reason. Every `podium
    /// measure` run stores the same record beside its figures.
    Env(EnvArgs),
    /// Measure one subject: a suite's workloads under isolation, with probes, statistics,
    /// profiles and the middleware cost.
    ///
    /// The subject is built, started on its own CPUs (GOMAXPROCS / WORKERS set to match),
    /// verified against the contract, then each workload runs its repetitions while /proc
    /// (RSS, CPU, threads, fds) and /metrics (Go allocation rate, GC, request counter) are
    /// sampled. Figures are medians with a 95% bootstrap interval. A CPU profile (Go: pprof;
    /// Rust: perf) is taken when asked, and again when a figure looks anomalous; flame
    /// graphs are written as SVG files.
    Measure(Box<MeasureArgs>),
    /// Deployment figures: stripped binary size, static / CGO-free build, cold and warm
    /// build time, dependency count, time to first response, and a minimal OCI image.
    ///
    /// The OCI image (the static binary on an empty base) is written by Podium itself as
    /// an OCI image layout tarball; no Docker is needed. Cold builds use empty caches and
    /// download every module or crate, so they take minutes; figures are cached per source
    /// content and reused until the subject changes.
    Deploy(DeployArgs),
    /// OpenTelemetry conformance of a subject's OTel variant (or of your own service with
    /// --url): tracer, propagator and metric-exporter checks, with the evidence.
    ///
    /// Podium is the OTLP receiver itself (HTTP/protobuf and HTTP/JSON on --http-port, gRPC
    /// on --grpc-port). It builds the variant from the subject's [otel] section, starts it
    /// with the standard OTEL_* variables pointing at itself, and checks: a request with a
    /// known traceparent yields a SERVER span with that trace id and parent and the HTTP
    /// semantic-convention attributes, and an unsampled one exports nothing (tracer);
    /// traceparent, tracestate and baggage reach the outgoing request that
    /// /otel/downstream makes to Podium (propagator); http.server.request.duration arrives
    /// as a histogram in seconds with a count matching the requests sent (metrics). It
    /// then builds and checks the older SDK lines (the compatibility matrix), counts the
    /// lines the variant adds and measures its throughput and p99 cost against the plain
    /// subject. The result is stored and feeds the report's Observability axis.
    ///
    /// Exit status: 0 when all three checks pass, 1 when a check is partial or fails, 2
    /// when the checks could not be made (unknown subject, a build that fails, a port in
    /// use, a variant that does not start), 130 when interrupted.
    Otel(Box<OtelArgs>),
    /// Podium's main job: build, verify, measure and score every subject, keep everything
    /// in the store, and write the report (report.html, report.md, report.json).
    ///
    /// For each subject: build, start isolated (its own CPUs), verify the contract (a
    /// failing subject is not ranked, and the report says why), run each workload of the
    /// suite with its repetitions and probes, profile when asked or when a figure looks
    /// anomalous, measure the middleware cost, stop; then the deployment figures. Every
    /// result is written to the store as soon as it exists: Ctrl-C stops cleanly, keeping
    /// what was measured, and the report is marked incomplete. A subject that crashes is
    /// recorded and the run goes on. Exits 0 when every subject was measured, 1 when one
    /// could not be (the report is written all the same), 130 when interrupted.
    Run(Box<RunArgs>),
    /// Rebuild the report of a stored run (default: the latest) from the store alone.
    Report(ReportArgs),
    /// List the stored runs, newest first.
    History(HistoryArgs),
    /// Compare two stored runs: per subject and workload, the throughput and p99 change
    /// and whether it is beyond the noise (Mann-Whitney U or CI overlap, as stated).
    Compare(CompareArgs),
    /// Rank the subjects of a stored run for a need: small-binary, productivity,
    /// throughput or observability (or a profile of your own with --weights), with the
    /// reasons and how much the top moves when the weights move by ±10%.
    Recommend(RecommendArgs),
    /// Ecosystem maturity of a Go module (github.com/gin-gonic/gin), a standard-library
    /// package (net/http) or a Rust crate (crate:axum): each signal raw and normalised,
    /// its source and age, and the weighted score.
    ///
    /// Releases and source come from the registries, live (the Go module proxy through
    /// the `go` command; the crates.io index). Stars, forks and merged pull requests come
    /// from the GitHub API (GH_TOKEN optional; answers cached with their ETag in the
    /// store), vulnerabilities from the OSV API or --osv-db. When GitHub or OSV cannot be
    /// reached, the bundled snapshot is used (or the figure is shown as missing) with a
    /// note. The result is stored as an observation, and `podium run` carries the newest
    /// one into its report's Ecosystem axis. Scores: stars min(1, s/10000), forks
    /// ln(1+f)/ln(5001), releases per month over 6 months clamp(r/4, 0, 1), decoupling
    /// 1 − import-graph density; each decayed by 0.95 per 30 days of age; missing signals
    /// are left out and the weights renormalised.
    Eco(EcoArgs),
    /// Grade how well a subject hot-reloads under a dev-loop tool (A-D, from measured
    /// figures), and keep the result in the store for the report's Hot reload axis.
    ///
    /// Copies the subject (and its build inputs) to a scratch folder, starts the dev loop
    /// there with PORT set (air for Go with a generated .air.toml; watchexec or cargo-watch
    /// running a debug `cargo run` for Rust; installed into Podium's cache at pinned versions
    /// when not on PATH), then: N edits of the /ping handler (time from the write to the
    /// first correct answer; "missed" when it never comes), edits in paths a good setup
    /// ignores (a test file, testdata/, docs/: a restart they cause is a spurious rebuild),
    /// a change of podium-config.json (GET /config/greeting must follow it), a syntax error
    /// and its fix (the loop must survive), and throughout: leftover processes, port-rebind
    /// failures and the growth of goroutines, threads and fds of the served process.
    ///
    /// Grades: A = p90 reload under 2 s, nothing missed, no spurious rebuild, config
    /// honoured, recovered, no leftover, no rebind failure, no leak; B = p90 under 5 s,
    /// nothing missed, at most 1 spurious rebuild, recovered, no leftover/rebind
    /// failure/leak; C = p90 under 15 s, at most 1 missed, recovered; D = anything else.
    Reload(ReloadArgs),
}

/// Where ecosystem figures come from and how they are weighted (`podium eco`, `podium run`).
#[derive(Debug, Clone, Args)]
pub struct EcoSourceArgs {
    /// Ecosystem figures from the bundled snapshot and the registries only (no GitHub,
    /// no OSV API).
    #[arg(long)]
    pub offline: bool,
    /// A local OSV database folder (OSV's export layout: DIR/Go/*.json,
    /// DIR/crates.io/*.json) instead of the OSV API.
    #[arg(long, value_name = "DIR")]
    pub osv_db: Option<PathBuf>,
    /// A TOML file with the ecosystem model's weights: stars, forks, releases, decoupling
    /// [default: 0.30, 0.25, 0.25, 0.20].
    #[arg(long, value_name = "FILE")]
    pub eco_weights: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct EcoArgs {
    /// The module: a Go module path, a standard-library package, or crate:NAME; @VERSION
    /// pins a version [default: the bundled subject's pinned version, else the newest].
    #[arg(value_name = "MODULE")]
    pub module: String,
    #[command(flatten)]
    pub sources: EcoSourceArgs,
    /// The GitHub API base address.
    #[arg(
        long,
        env = "PODIUM_GITHUB_API",
        default_value = "https://api.github.com",
        value_name = "URL"
    )]
    pub github_api: String,
    /// The OSV API base address.
    #[arg(
        long,
        env = "PODIUM_OSV_API",
        default_value = "https://api.osv.dev",
        value_name = "URL"
    )]
    pub osv_api: String,
    #[command(flatten)]
    pub db: DbArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReloadArgs {
    /// The subject (see `podium subjects`); it needs a [reload] section in subject.toml.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// The dev-loop tool: air, watchexec, cargo-watch, or any watch-and-restart shell
    /// command (run in the scratch copy with PORT set) [default: the subject's
    /// [reload] tool].
    #[arg(long, value_name = "TOOL")]
    pub tool: Option<String>,
    /// Handler edits to time.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub edits: u32,
    /// Print the result as JSON instead of a summary.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The earlier run.
    #[arg(value_name = "RUN_A")]
    pub a: i64,
    /// The later run.
    #[arg(value_name = "RUN_B")]
    pub b: i64,
    #[command(flatten)]
    pub db: DbArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RecommendArgs {
    /// The profile: small-binary, productivity, throughput, observability, or one defined
    /// in --weights.
    #[arg(long, value_name = "NAME", default_value = "throughput")]
    pub profile: String,
    /// A TOML file of your own profiles (`[profile.NAME]` with weights and extras), merged
    /// over the bundled ones.
    #[arg(long, value_name = "FILE")]
    pub weights: Option<PathBuf>,
    /// The run to use [default: the latest].
    #[arg(value_name = "RUN")]
    pub run: Option<i64>,
    #[command(flatten)]
    pub db: DbArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Where the result store is.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// The SQLite result store.
    #[arg(
        long,
        env = "PODIUM_DB",
        value_name = "FILE",
        default_value = "podium.db"
    )]
    pub db: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LangArg {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A short run: the quick suite (2 s per workload, one repetition), short
    /// middleware-cost runs, no deployment builds unless --deploy. Not for publishing.
    #[arg(long)]
    pub quick: bool,
    /// Only these subjects, comma-separated [default: all].
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub subjects: Vec<String>,
    /// The suite [default: the built-in suites/default.toml, or suites/quick.toml with --quick].
    #[arg(long, value_name = "FILE")]
    pub suite: Option<PathBuf>,
    /// Repetitions per workload, overriding the suite's.
    #[arg(long, value_name = "N")]
    pub repetitions: Option<u32>,
    /// Folder for report.html, report.md and report.json.
    #[arg(long, value_name = "DIR", default_value = "podium-report")]
    pub out: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
    /// Language of the report's labels and explanations.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: LangArg,
    /// A TOML file with the composite score's weights (`[weights]` performance, ecosystem,
    /// observability, hot_reload).
    #[arg(long, value_name = "FILE")]
    pub weights: Option<PathBuf>,
    /// When to take CPU profiles: `always`, `anomaly` or `never`.
    #[arg(long, value_name = "WHEN", default_value = "anomaly", value_parser = ["always", "anomaly", "never"])]
    pub profile: String,
    /// Skip the middleware-cost runs.
    #[arg(long)]
    pub no_mw_cost: bool,
    /// Measure deployment figures even with --quick (a Rust shipping build takes minutes
    /// the first time; figures are cached per source content).
    #[arg(long, conflicts_with = "no_deploy")]
    pub deploy: bool,
    /// Skip deployment figures.
    #[arg(long)]
    pub no_deploy: bool,
    /// Do not grade hot reload before a thorough run (`podium reload` with each subject's
    /// default tool, 3 edits; a Rust subject's first debug build takes minutes). The run
    /// then carries the newest stored grades, as `--quick` always does.
    #[arg(long)]
    pub no_reload: bool,
    /// Do not run the OpenTelemetry checks before a thorough run (`podium otel` for each
    /// subject with an `[otel]` variant: checks, SDK matrix, cost). The run then carries
    /// the newest stored results, as `--quick` always does.
    #[arg(long)]
    pub no_otel: bool,
    /// Also measure cold and warm build times (empty caches; minutes per subject).
    #[arg(long)]
    pub cold_builds: bool,
    /// Install wrk (Debian) and vegeta (go install) when missing, for the cross-checks.
    /// Without it, the cross-checks run with whichever of them is installed.
    #[arg(long, conflicts_with = "no_cross_check")]
    pub cross_check: bool,
    /// Skip the cross-checks with wrk and vegeta.
    #[arg(long)]
    pub no_cross_check: bool,
    /// Where the ecosystem figures come from (ecosystem results younger than 24 h in the
    /// store are reused).
    #[command(flatten)]
    pub eco: EcoSourceArgs,
    #[command(flatten)]
    pub isolation: IsolationArgs,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The run to report [default: the latest].
    #[arg(value_name = "RUN")]
    pub run: Option<i64>,
    /// Folder for report.html, report.md and report.json.
    #[arg(long, value_name = "DIR", default_value = "podium-report")]
    pub out: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
    /// Language of the report's labels and explanations.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: LangArg,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Where the server and the load generator run, and what limits the server gets.
#[derive(Debug, Clone, Args)]
pub struct IsolationArgs {
    /// CPUs for the server, e.g. `0` or `0-1` [default: the lower half of this process's CPUs].
    #[arg(long, value_name = "LIST")]
    pub server_cpus: Option<String>,
    /// CPUs for the load generator, e.g. `1` [default: the CPUs the server does not get].
    #[arg(long, value_name = "LIST")]
    pub generator_cpus: Option<String>,
    /// Do not try to put the server in its own cgroup v2.
    #[arg(long)]
    pub no_cgroup: bool,
    /// The server's cgroup cpu.max as QUOTA/PERIOD in µs, e.g. `50000/100000` for half a CPU
    /// [default: as many CPUs as it is pinned to].
    #[arg(long, value_name = "QUOTA/PERIOD")]
    pub cpu_max: Option<String>,
    /// The server's cgroup memory.max in MiB.
    #[arg(long, value_name = "MIB")]
    pub memory_max: Option<u64>,
    /// Run the server in its own network namespace, joined to this one by a veth pair (needs
    /// root and `ip`), standing in for a second host.
    #[arg(long)]
    pub netns: bool,
}

#[derive(Debug, Args)]
pub struct EnvArgs {
    #[command(flatten)]
    pub isolation: IsolationArgs,
    /// Print the record as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct MeasureArgs {
    /// The subject to measure (see `podium subjects`).
    pub name: String,
    /// The suite whose workloads to run [default: the built-in copy of suites/quick.toml].
    #[arg(long, value_name = "FILE")]
    pub suite: Option<PathBuf>,
    /// Run only these workloads of the suite (repeatable) [default: all].
    #[arg(long = "workload", value_name = "NAME")]
    pub workloads: Vec<String>,
    /// Repetitions per workload [default: the suite's].
    #[arg(long, value_name = "N")]
    pub repetitions: Option<u32>,
    /// When to take a CPU profile: `always` (last repetition of each workload), `anomaly`
    /// (an extra repetition when a figure looks anomalous) or `never`.
    #[arg(long, value_name = "WHEN", default_value = "anomaly", value_parser = ["always", "anomaly", "never"])]
    pub profile: String,
    /// Longest CPU profile, in seconds (bounded by each workload's duration).
    #[arg(long, value_name = "S", default_value_t = 5)]
    pub profile_seconds: u32,
    /// Folder for the flame graph SVGs.
    #[arg(long, value_name = "DIR", default_value = "podium-flames")]
    pub flame_dir: PathBuf,
    /// Also measure the middleware cost: /mw/ping against /ping, alternated, 3 runs each.
    #[arg(long)]
    pub mw_cost: bool,
    /// Length of each middleware-cost run, in seconds (after a 1 s warm-up).
    #[arg(long, value_name = "S", default_value_t = 5, requires = "mw_cost")]
    pub mw_seconds: u64,
    /// Skip the contract check before measuring (not recommended: a wrong answer is fast).
    #[arg(long)]
    pub no_verify: bool,
    #[command(flatten)]
    pub isolation: IsolationArgs,
    /// Print everything measured as JSON (environment, workloads, probes, profiles).
    #[arg(long)]
    pub json: bool,
}

/// The OTLP protocol a checked variant exports with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OtlpProtocolArg {
    /// OTLP/HTTP with protobuf bodies.
    #[value(name = "http/protobuf")]
    HttpProtobuf,
    /// OTLP/HTTP with JSON bodies.
    #[value(name = "http/json")]
    HttpJson,
    /// OTLP/gRPC.
    #[value(name = "grpc")]
    Grpc,
}

#[derive(Debug, Args)]
pub struct OtelArgs {
    /// The subject whose OpenTelemetry variant to check.
    #[arg(
        value_name = "NAME",
        required_unless_present = "url",
        conflicts_with = "url"
    )]
    pub name: Option<String>,
    /// Check your own running service instead: it must already export OTLP to the ports
    /// Podium prints and serve GET /otel/downstream?url=U (an instrumented GET to U).
    /// Nothing is stored.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The OTLP protocol the variant is told to export with.
    #[arg(long, value_enum, default_value = "http/protobuf")]
    pub protocol: OtlpProtocolArg,
    /// Port of Podium's OTLP/HTTP receiver (0: any free port).
    #[arg(long, value_name = "P", default_value_t = 4318)]
    pub http_port: u16,
    /// Port of Podium's OTLP/gRPC receiver (0: any free port).
    #[arg(long, value_name = "P", default_value_t = 4317)]
    pub grpc_port: u16,
    /// Skip the older SDK lines of the compatibility matrix.
    #[arg(long)]
    pub no_matrix: bool,
    /// Skip the cost measurement (throughput and p99 against the plain subject).
    #[arg(long)]
    pub no_cost: bool,
    /// Seconds to wait for each span, metric point or outgoing request to arrive.
    #[arg(long, value_name = "S", default_value_t = 15)]
    pub wait: u64,
    #[command(flatten)]
    pub db: DbArgs,
    /// Print JSON: `tracer`, `propagator` and `metrics`, each with a `verdict` and its
    /// `evidence`, then the matrix, lines added, cost and notes.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// Subjects [default: all].
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// Also measure the cold build (empty module/crate and build caches: downloads every
    /// dependency; minutes per subject, Rust ones especially).
    #[arg(long)]
    pub cold: bool,
    /// Folder for the OCI image layout tarballs.
    #[arg(long, value_name = "DIR", default_value = "podium-images")]
    pub oci_dir: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SubjectsArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The subject to serve (see `podium subjects`).
    pub name: String,
    /// Port to listen on [default: a free port].
    #[arg(long, short)]
    pub port: Option<u16>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Subjects to verify [default: all].
    #[arg(value_name = "NAME", conflicts_with_all = ["all", "url"])]
    pub names: Vec<String>,
    /// Verify every known subject.
    #[arg(long, conflicts_with = "url")]
    pub all: bool,
    /// Verify an already running server at this base URL instead of starting a subject
    /// (process checks such as graceful shutdown are then skipped).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// With --url: the server is a Go program (require pprof and the Go runtime metrics).
    #[arg(long, requires = "url", conflicts_with = "rust")]
    pub go: bool,
    /// With --url: the server is a Rust program (require process_threads).
    #[arg(long, requires = "url")]
    pub rust: bool,
    /// Print the results as JSON on stdout (progress still goes to stderr).
    #[arg(long)]
    pub json: bool,
    /// Only print failed checks (and one summary line per subject).
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// The target: http://HOST:PORT/PATH, or ws://HOST:PORT/PATH for WebSocket echo.
    /// With --suite: the server's base URL, http://HOST:PORT.
    pub url: String,
    /// Run the workloads of this suite file (e.g. suites/quick.toml) against URL, each with
    /// its own load model, warm-up and repetitions; other load options are ignored.
    #[arg(long, value_name = "FILE")]
    pub suite: Option<PathBuf>,
    /// With --suite: run only these workloads (repeatable).
    #[arg(long = "workload", value_name = "NAME", requires = "suite")]
    pub workloads: Vec<String>,
    /// Concurrent connections (closed loop and WebSocket).
    #[arg(short = 'c', long, default_value_t = 10)]
    pub connections: usize,
    /// Worker threads, each with its own event loop.
    #[arg(short = 't', long, default_value_t = 2)]
    pub threads: usize,
    /// How long to measure, e.g. 30s, 500ms, 2m [default: 10s unless -n is given].
    #[arg(short = 'd', long, value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Measure exactly this many requests (closed loop and WebSocket).
    #[arg(short = 'n', long, conflicts_with = "rate")]
    pub requests: Option<u64>,
    /// HTTP/1.1 pipelining: each connection sends N requests back to back, then reads the
    /// N answers (latency from the batch write to each answer). Off (1) by default.
    #[arg(long, default_value_t = 1, value_name = "N", conflicts_with = "rate")]
    pub pipeline: usize,
    /// Open loop: a constant rate (`1000`) or a ramp (`START:+STEP/s:CEILING`, e.g. `100:+100/s:1000`) in requests per second.
    #[arg(long, value_name = "RATE")]
    pub rate: Option<String>,
    /// Open loop: the most connections opened as needed.
    #[arg(long, default_value_t = 512, requires = "rate")]
    pub max_connections: usize,
    /// Load sent before measuring, excluded from every figure.
    #[arg(long, value_parser = parse_duration, default_value = "0s")]
    pub warmup: Duration,
    /// Limit for connecting and for each request until its answer is complete.
    #[arg(long, value_parser = parse_duration, default_value = "2s")]
    pub timeout: Duration,
    /// HTTP method.
    #[arg(short = 'm', long, default_value = "GET")]
    pub method: String,
    /// A request header, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// The request body (a template).
    #[arg(long, conflicts_with = "body_file")]
    pub body: Option<String>,
    /// Read the request body (a template) from a file.
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,
    /// JSON-RPC 2.0: call this method (POST, JSON body); an error object counts as an error.
    #[arg(long, value_name = "METHOD", conflicts_with_all = ["body", "body_file"])]
    pub jsonrpc: Option<String>,
    /// JSON-RPC params, as JSON (a template), e.g. '[1,2]'.
    #[arg(long, requires = "jsonrpc", value_name = "JSON")]
    pub params: Option<String>,
    /// JSON-RPC: send batches of N requests.
    #[arg(long, requires = "jsonrpc", value_name = "N")]
    pub batch: Option<u32>,
    /// WebSocket: the text message each connection sends and expects echoed.
    #[arg(long, default_value = "hello, podium")]
    pub message: String,
    /// WebSocket: send a binary message of this many bytes instead of --message.
    #[arg(long, value_name = "BYTES")]
    pub message_size: Option<usize>,
    /// Every answer must have this status (by default any of 200-399 passes).
    #[arg(long)]
    pub expect_status: Option<u16>,
    /// Every answer must have exactly this body.
    #[arg(long)]
    pub expect_body: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Write the latency histogram to FILE in HdrHistogram's interval-log format (values
    /// in microseconds; open loop: a `corrected` and an `uncorrected` interval).
    #[arg(long, value_name = "FILE")]
    pub hdr_out: Option<PathBuf>,
    /// Open loop: also print the uncorrected latency (from actual send time), like wrk2's -U.
    #[arg(short = 'U', long)]
    pub uncorrected: bool,
    /// Print the per-second timeline of throughput, errors and p99.
    #[arg(long)]
    pub timeline: bool,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    podium_workload::parse_duration(text).map_err(|e| e.to_string())
}
