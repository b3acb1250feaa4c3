//! The load engine: drives a server with HTTP requests and measures what came back.
//!
//! Its one job is to produce honest performance figures: how many requests a server
//! answered, how fast, and how many answers were wrong, with latency in bounded HDR
//! histograms ([`LatencyHistogram`]) and the generator's own CPU use and lag recorded so
//! that a run where the client was the bottleneck can be recognised.
//!
//! The first load model is the closed loop ([`ClosedLoop`], like wrk): a fixed number of
//! keep-alive HTTP/1.1 connections split across worker threads, each thread running its
//! own single-threaded tokio runtime, sending pre-rendered request bytes and parsing
//! responses with `httparse`. A run returns a [`LoadReport`]; a target that cannot be
//! reached at all is one [`LoadError::Connect`] before any load is sent.

mod closed;
mod conn;
mod cpu;
mod error;
mod histogram;
mod parse;
mod report;
mod target;

pub use closed::ClosedLoop;
pub use error::LoadError;
pub use histogram::{LatencyHistogram, LatencySummary};
pub use report::{ErrorCounts, LoadReport, TimelinePoint};
