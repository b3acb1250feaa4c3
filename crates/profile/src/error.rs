//! Why a profile could not be taken, read or drawn.

/// Why `perf` cannot profile on this machine. The caller records the reason next to the
/// missing flame graph ("flame graph unavailable: …") instead of drawing a fake one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("perf profiling is unavailable: {reason}")]
pub struct ProfileUnavailable {
    /// What is missing or refused, and how to fix it.
    pub reason: String,
}

/// Why a CPU profile could not be taken, decoded, folded or drawn.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The profile body was empty.
    #[error(
        "the profile is empty (0 bytes): was /debug/pprof/profile reachable and did the server run long enough to take samples?"
    )]
    Empty,
    /// The bytes are neither a gzip-compressed nor a raw `profile.proto`.
    #[error("not a pprof profile: {detail}")]
    NotPprof {
        /// What the decoder found instead.
        detail: String,
    },
    /// The profile decodes but contradicts itself (a sample naming a location that does
    /// not exist, a string index past the string table, ...).
    #[error("corrupt pprof profile: {detail}")]
    Corrupt {
        /// The first inconsistency found.
        detail: String,
    },
    /// The profile is well formed but holds no samples (or only zero-valued ones).
    #[error("the profile holds no samples: the server was idle; profile while it is under load")]
    NoSamples,
    /// An argument the caller passed makes no sense (zero seconds, a URL that is not
    /// `http://`, ...).
    #[error("invalid profiling request: {detail}")]
    InvalidRequest {
        /// What is wrong with it.
        detail: String,
    },
    /// The pprof endpoint could not be reached or the answer was cut short.
    #[error("fetching {url} failed: {reason}")]
    Fetch {
        /// The URL requested.
        url: String,
        /// What went wrong (connection refused, timeout, malformed HTTP, ...).
        reason: String,
    },
    /// The pprof endpoint answered with a status other than 200.
    #[error("{url} answered HTTP {status}: {body_start}")]
    HttpStatus {
        /// The URL requested.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The first bytes of the body (lossily decoded), which usually say why.
        body_start: String,
    },
    /// The process to profile does not exist.
    #[error("no process with pid {pid}: did the server exit before it could be profiled?")]
    NoSuchProcess {
        /// The pid asked for.
        pid: u32,
    },
    /// `perf` is missing or not permitted; the caller should record the reason.
    #[error(transparent)]
    Unavailable(#[from] ProfileUnavailable),
    /// A `perf` step failed for another reason.
    #[error("`{command}` failed ({status}): {stderr}")]
    PerfFailed {
        /// The command line that ran.
        command: String,
        /// Its exit status.
        status: String,
        /// The end of its standard error.
        stderr: String,
    },
    /// A local file or process operation failed.
    #[error("{action}: {source}")]
    Io {
        /// What Podium was doing.
        action: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The folded stacks could not be drawn.
    #[error("drawing the flame graph failed: {reason}")]
    Flamegraph {
        /// The renderer's complaint.
        reason: String,
    },
}

impl ProfileError {
    pub(crate) fn corrupt(detail: impl Into<String>) -> Self {
        Self::Corrupt {
            detail: detail.into(),
        }
    }

    pub(crate) fn io(action: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let action = action.into();
        move |source| Self::Io { action, source }
    }
}
