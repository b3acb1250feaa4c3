//! What can go wrong when a report is rendered or written.

use std::path::PathBuf;

/// An error of the report exporters.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The model could not be serialised to JSON.
    #[error("cannot serialise the report to JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A report file could not be written (or its folder created).
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// `--lang` named a language the report does not speak.
    #[error("unknown report language {0:?}: expected \"en\" or \"zh\"")]
    UnknownLanguage(String),
}
