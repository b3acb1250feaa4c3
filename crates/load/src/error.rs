//! Why a load run could not start.

use std::net::SocketAddr;

/// Why a load run could not start. Failures during a run are not errors: they are
/// counted by kind in the report ([`crate::ErrorCounts`]).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The URL cannot be used by the HTTP/1.1 engine.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong and what to write instead.
        reason: String,
    },
    /// The settings contradict each other or are out of range.
    #[error("invalid load settings: {0}")]
    InvalidConfig(String),
    /// The host name did not resolve.
    #[error("cannot resolve {host}:{port} (from {url}): {reason}; check the host name")]
    Resolve {
        /// The URL as given.
        url: String,
        /// The host part.
        host: String,
        /// The port.
        port: u16,
        /// The resolver's answer.
        reason: String,
    },
    /// The first connection, made before any load is sent, failed.
    #[error(
        "cannot connect to {addr} (from {url}): {source}; check that the server is running and listening on that address"
    )]
    Connect {
        /// The URL as given.
        url: String,
        /// The address that was tried (the last one, when the name resolves to several).
        addr: SocketAddr,
        /// The connection error.
        source: std::io::Error,
    },
    /// A worker thread or its runtime could not be started.
    #[error("cannot start load worker {worker}: {source}")]
    Worker {
        /// The worker's index.
        worker: usize,
        /// The error.
        source: std::io::Error,
    },
}
