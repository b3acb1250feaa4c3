//! Probes during a run: /proc sampling of a process tree, Prometheus /metrics scraping
//! and the Go runtime figures derived from it.
//!
//! This crate's one job is to observe a server while a load run drives it, from outside
//! the load generator:
//!
//! - [`ProcSampler`] reads the server's whole process tree ([`ProcessTree`]: the root and
//!   every descendant, found afresh at each sample) from /proc every 100 ms on a
//!   background thread: RSS without page cache, CPU time, threads, file descriptors
//!   ([`ProcSnapshot`]), summarised by [`ProcSeries::summary`].
//! - [`MetricsText`] parses the Prometheus text exposition format; [`MetricsScraper`]
//!   scrapes `/metrics` periodically on a background thread and keeps the figures of
//!   each scrape ([`ScrapeFigures`]), failed scrapes included.
//! - [`GoRuntimeFigures`] turns the two scrapes bracketing a measured window into
//!   allocation rate, allocations per request, GC cycles and pauses and goroutines;
//!   [`RequestCrossCheck`] compares the server's request counter with the generator's.
//!
//! ```no_run
//! use std::time::{Duration, Instant};
//! use podium_probe::{GoRuntimeFigures, MetricsScraper, ProcSampler, RequestCrossCheck};
//!
//! # fn run(pid: u32, base: &str) -> Result<(), Box<dyn std::error::Error>> {
//! let origin = Instant::now();
//! let sampler = ProcSampler::start_at(pid, ProcSampler::DEFAULT_INTERVAL, origin)?;
//! let scraper = MetricsScraper::start_at(
//!     &format!("{base}/metrics"),
//!     MetricsScraper::DEFAULT_INTERVAL,
//!     Duration::from_secs(2),
//!     origin,
//! )?;
//! let before = scraper.scrape_now();
//! let load_from = sampler.elapsed_ms();
//! // ... run the load; say it counted `responses` over `connections` connections ...
//! # let (responses, connections) = (0u64, 8u64);
//! let load_to = sampler.elapsed_ms();
//! let after = scraper.scrape_now();
//! let scrapes = scraper.stop();
//! let memory = sampler.stop().window(load_from, load_to).summary();
//! let go = GoRuntimeFigures::between(&before, &after, &scrapes)?; // None for Rust
//! let served = podium_probe::requests_between(&before, &after)?;
//! let check = RequestCrossCheck::new(served, responses, connections);
//! # let _ = (memory, go, check);
//! # Ok(())
//! # }
//! ```

mod crosscheck;
mod exposition;
mod go_runtime;
mod procfs;
mod sampler;
mod scrape;

pub use crosscheck::RequestCrossCheck;
pub use exposition::{
    Bucket, HistogramValue, MetricFamily, MetricKind, MetricsError, MetricsErrorKind, MetricsText,
    Quantile, Sample, SummaryValue,
};
pub use go_runtime::{GoRuntimeFigures, PauseBucketMs, WindowError, requests_between};
pub use procfs::{ProcError, ProcSnapshot, ProcessTree};
pub use sampler::{ProcSampler, ProcSeries, ProcSummary};
pub use scrape::{
    GC_PAUSE_HISTOGRAMS, GoRuntimeScrape, MetricsClient, MetricsScraper, PauseHistogram, Scrape,
    ScrapeError, ScrapeFigures, ScrapeOutcome, ScrapeSeries,
};
