//! What can go wrong while checking a server's OpenTelemetry support.

use std::path::PathBuf;

/// Why an OpenTelemetry check could not be carried out (a check that runs and finds the
/// server lacking is a verdict, not an error).
#[derive(Debug, thiserror::Error)]
pub enum OtelError {
    /// A receiver port could not be bound.
    #[error(
        "cannot listen for {what} on 127.0.0.1:{port}: {source}; free the port or choose another (--http-port / --grpc-port)"
    )]
    Bind {
        /// `OTLP/HTTP` or `OTLP/gRPC`.
        what: &'static str,
        /// The port asked for.
        port: u16,
        /// The socket error.
        source: std::io::Error,
    },
    /// The async runtime or the receiver thread could not be created.
    #[error("cannot start the OTLP receiver: {0}")]
    Runtime(std::io::Error),
    /// The subject has no `[otel]` section.
    #[error(
        "{subject} has no [otel] section in its subject.toml: it has no OpenTelemetry variant to check"
    )]
    NoVariant {
        /// Subject name.
        subject: String,
    },
    /// Building a variant failed.
    #[error("{what}: {source}")]
    Build {
        /// Which variant.
        what: String,
        /// The build error (command, status, output).
        source: podium_subjects::BuildError,
    },
    /// A `prepare` command of an older SDK line failed.
    #[error(
        "{subject}: preparing {label} failed ({status}): `{command}`\n--- last lines ---\n{tail}"
    )]
    Prepare {
        /// Subject name.
        subject: String,
        /// The SDK line label.
        label: String,
        /// The command.
        command: String,
        /// Its exit status.
        status: String,
        /// The end of its output.
        tail: String,
    },
    /// Starting or waiting for a variant failed.
    #[error("{0}")]
    Run(#[from] podium_subjects::RunError),
    /// The subject could not be copied into a scratch folder for an older SDK line.
    #[error("cannot copy {subject} for an older SDK line: {source}")]
    Copy {
        /// The subject.
        subject: String,
        /// What failed.
        source: podium_subjects::CopyError,
    },
    /// A file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What Podium was doing.
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The load generator failed during the cost measurement.
    #[error("cost measurement of {what}: {source}")]
    Load {
        /// Which variant and run.
        what: String,
        /// The load error.
        source: podium_load::LoadError,
    },
    /// Too few figures for a statistic.
    #[error("cost measurement: {0}")]
    Stats(#[from] podium_stats::StatsError),
}
