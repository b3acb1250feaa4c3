//! Taking a CPU profile of the server while it is under load, and drawing it.

use crate::ServerUnderTest;
use podium_profile::{
    CpuProfile, FlameOptions, FunctionShare, ProfileError, flamegraph_svg, go_cpu_profile,
    perf_cpu_profile,
};
use serde::{Deserialize, Serialize};

/// perf's sampling frequency: 99 Hz, off the 100 Hz of timers so samples do not march in
/// step with periodic work (Go's pprof samples at 100 Hz).
const PERF_FREQUENCY: u32 = 99;

/// How many functions a profile's summary lists.
const TOP_FUNCTIONS: usize = 15;

/// Which profiler fits the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfilerKind {
    /// Go's `/debug/pprof/profile` endpoint.
    GoPprof,
    /// `perf record` on the server's process (Rust and anything else with symbols).
    Perf,
}

impl ProfilerKind {
    /// Go subjects serve pprof; every other language is profiled from outside.
    pub fn for_language(language: &str) -> Self {
        if language.eq_ignore_ascii_case("go") {
            Self::GoPprof
        } else {
            Self::Perf
        }
    }
}

/// A profile attempt and why it was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileOutcome {
    /// Why this profile was taken ("asked for", "anomaly: ...").
    pub reason: String,
    /// The profiler used.
    pub profiler: ProfilerKind,
    /// How long it recorded.
    pub seconds: u32,
    /// What came of it.
    pub result: ProfileResult,
}

/// A profile, or why there is none. A missing profile is recorded, never faked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum ProfileResult {
    /// The profile with its flame graph.
    Taken {
        /// The folded stacks.
        profile: CpuProfile,
        /// The flame graph (self-contained SVG).
        svg: String,
        /// The functions with the most CPU, for tables.
        top: Vec<FunctionShare>,
    },
    /// The profiler is not available here (perf missing or refused).
    Unavailable {
        /// Why, and how to fix it.
        reason: String,
    },
    /// The profiler ran but its profile could not be used.
    Failed {
        /// The error.
        error: String,
    },
}

impl ProfileOutcome {
    /// The same outcome with its reason set.
    pub fn with_reason(mut self, reason: &str) -> Self {
        self.reason = reason.to_string();
        self
    }

    /// The flame graph, when the profile was taken.
    pub fn svg(&self) -> Option<&str> {
        match &self.result {
            ProfileResult::Taken { svg, .. } => Some(svg),
            _ => None,
        }
    }
}

/// Profiles `server` for `seconds` with its profiler (blocking for that long) and draws
/// the flame graph. The server must be under load meanwhile, or the profile is empty.
pub fn take_profile(server: &ServerUnderTest, seconds: u32) -> ProfileOutcome {
    let taken = match server.profiler {
        ProfilerKind::GoPprof => go_cpu_profile(&server.base_url, seconds),
        ProfilerKind::Perf => perf_cpu_profile(server.pid, seconds, PERF_FREQUENCY),
    };
    let result = match taken {
        Ok(profile) => {
            let options = FlameOptions {
                title: format!("{} — CPU", server.name),
                subtitle: Some(format!(
                    "{} s, {} samples ({})",
                    profile.seconds,
                    profile.samples,
                    match server.profiler {
                        ProfilerKind::GoPprof => "Go pprof",
                        ProfilerKind::Perf => "perf",
                    }
                )),
                width: None,
            };
            match flamegraph_svg(&profile.folded, &options) {
                Ok(svg) => ProfileResult::Taken {
                    top: profile.folded.top_functions(TOP_FUNCTIONS),
                    profile,
                    svg,
                },
                Err(e) => ProfileResult::Failed {
                    error: e.to_string(),
                },
            }
        }
        Err(ProfileError::Unavailable(u)) => ProfileResult::Unavailable { reason: u.reason },
        Err(e) => ProfileResult::Failed {
            error: e.to_string(),
        },
    };
    ProfileOutcome {
        reason: String::new(),
        profiler: server.profiler,
        seconds,
        result,
    }
}
