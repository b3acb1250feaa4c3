//! Ecosystem maturity of one Go module or Rust crate (`podium eco`): release history
//! from the registries, the decoupling of its own import graph, GitHub stars, forks and
//! merged pull requests, OSV vulnerabilities and CVE response times, JWT and
//! OpenTelemetry middleware, documentation coverage and support status, each with its
//! source and date, scored by DESIGN.md's weighted model.

pub mod collect;
pub mod decoupling;
pub mod doccov;
mod error;
pub mod github;
pub mod http;
pub mod middleware;
pub mod model;
pub mod osv;
pub mod registry;
pub mod snapshot;
pub mod spec;
pub mod time;

pub use collect::{EcoReport, Options, collect};
pub use error::EcoError;
pub use model::Weights;
pub use spec::ModuleSpec;

/// Now, in Unix milliseconds.
pub use podium_store::unix_millis_now as time_now_ms;
