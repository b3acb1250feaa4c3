//! CPU profiles of a running subject, reduced to folded stacks and drawn as flame graphs.
//!
//! Its one job: turn "what was this server's CPU doing under load" into data a report
//! can show. Go subjects serve `net/http/pprof`, so [`go_cpu_profile`] fetches
//! `/debug/pprof/profile` and [`decode_pprof`] reads the gzip-compressed
//! `profile.proto` (hand-written prost messages in [`pprof`]). Rust subjects have no
//! such endpoint, so [`perf_cpu_profile`] records them with `perf record -e cpu-clock
//! --call-graph dwarf` and folds `perf script` with inferno; [`perf_availability`] says
//! beforehand whether perf can run here, and why not. Both end as [`FoldedStacks`]
//! (serialisable, deterministic), which [`flamegraph_svg`] draws as a self-contained,
//! byte-for-byte reproducible SVG and [`FoldedStacks::top_functions`] summarises for
//! tables.
//!
//! The crate knows nothing about subjects or the CLI: it takes a URL or a pid.

mod error;
mod flame;
mod folded;
mod go;
mod http;
mod perf;
pub mod pprof;

pub use error::{ProfileError, ProfileUnavailable};
pub use flame::{FlameOptions, flamegraph_svg};
pub use folded::{FoldedStacks, FunctionShare, ProfileSource};
pub use go::{fetch_go_cpu_profile, go_cpu_profile};
pub use perf::{PerfInfo, perf_availability, perf_cpu_profile};
pub use pprof::decode_pprof;

use serde::{Deserialize, Serialize};

/// A CPU profile of one server over one interval, folded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpuProfile {
    /// The profiler that took it.
    pub source: ProfileSource,
    /// How long it recorded.
    pub seconds: u32,
    /// How many samples the profiler took (Go: 100 per CPU-second; perf: the frequency
    /// asked for, per busy CPU-second).
    pub samples: u64,
    /// The stacks, weighted in `folded.sample_unit`.
    pub folded: FoldedStacks,
}
