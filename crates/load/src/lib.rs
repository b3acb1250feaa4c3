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
//!
//! The open loop ([`OpenLoop`], like wrk2 and vegeta) sends on a [`RateSchedule`]
//! (constant or ramping) whatever the server's speed, opening connections as needed up
//! to a limit, and measures latency from each request's intended send time
//! (coordinated-omission correction) as well as from its actual send time. Both models
//! judge their own generator ([`GeneratorCheck`]): a run where the client was the
//! bottleneck is flagged, with the reason.

mod check;
mod closed;
mod conn;
mod cpu;
mod error;
mod histogram;
mod open;
mod parse;
mod report;
mod request;
mod stats;
mod target;
mod ws;

pub use closed::ClosedLoop;
pub use error::LoadError;
pub use histogram::{
    HDR_LOG_FORMAT_VERSION, HDR_LOG_MAX_VALUE_DIVISOR, HistogramDecodeError, LatencyHistogram,
    LatencySummary, LogInterval, write_interval_log,
};
pub use open::{MISSED_SEND_THRESHOLD, OpenLoop};
/// The open loop's schedule, defined in `podium-workload` (what to send) and re-exported
/// here so that `podium_load::RateSchedule` names the same type.
pub use podium_workload::{RateError, RateSchedule};
pub use report::{ErrorCounts, GeneratorCheck, LoadReport, OpenLoopFigures, TimelinePoint};
pub use ws::WsLoad;
