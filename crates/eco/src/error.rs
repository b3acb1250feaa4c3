//! Why ecosystem data could not be collected.

use std::path::PathBuf;

/// An ecosystem look-up that failed. Each message says what went wrong and what to do.
#[derive(Debug, thiserror::Error)]
pub enum EcoError {
    /// The module argument is not a Go module path or `crate:NAME`.
    #[error(
        "`{spec}` is not a module: {problem} (give a Go module path such as github.com/gin-gonic/gin, or crate:NAME for a Rust crate, optionally followed by @VERSION)"
    )]
    Spec {
        /// The argument as given.
        spec: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The `go` command could not be started.
    #[error("cannot run `go {args}`: {source} (install Go 1.22 or newer and put it on PATH)")]
    GoMissing {
        /// The arguments.
        args: String,
        /// Why it could not start.
        source: std::io::Error,
    },
    /// The `go` command failed.
    #[error("`go {args}` failed: {stderr}")]
    GoCommand {
        /// The arguments.
        args: String,
        /// Its error output (trimmed).
        stderr: String,
    },
    /// A host could not be reached at all (DNS, refused, timeout).
    #[error("{url} is unreachable: {message}")]
    Unreachable {
        /// The address asked for.
        url: String,
        /// The transport error.
        message: String,
    },
    /// The server answered with an unexpected status.
    #[error("{url} answered HTTP {status}: {body}")]
    Status {
        /// The address asked for.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the answer's body.
        body: String,
    },
    /// The server refuses more requests for longer than Podium waits.
    #[error(
        "{url} is rate limited for another {wait_secs} s (more than the {max_wait_secs} s Podium waits); set GH_TOKEN for a higher limit or try again later"
    )]
    RateLimited {
        /// The address asked for.
        url: String,
        /// Seconds until the limit resets, as the server said.
        wait_secs: u64,
        /// The longest wait Podium accepts.
        max_wait_secs: u64,
    },
    /// An answer or file is not what its format says.
    #[error("{origin} is malformed: {message}")]
    Malformed {
        /// The address or file.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// A registry does not know the module or version.
    #[error("{0}")]
    NotFound(String),
    /// A file or folder could not be read or written.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The weights file is not valid. The message starts with `file:line:column`.
    #[error("{path}:{line}:{column}: {message}")]
    Weights {
        /// The weights file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong, naming the field.
        message: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] podium_store::StoreError),
}

impl EcoError {
    /// Whether this error means the service cannot be reached at all (so the caller
    /// falls back to the snapshot instead of failing).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, EcoError::Unreachable { .. })
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> EcoError {
        EcoError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn malformed(origin: impl Into<String>, message: impl ToString) -> EcoError {
        EcoError::Malformed {
            origin: origin.into(),
            message: message.to_string(),
        }
    }
}
