//! Scraping a Prometheus `/metrics` endpoint, once or periodically on a background thread.
//!
//! The HTTP client is reqwest on a current-thread tokio runtime owned by the scraping
//! thread. A hand-written `TcpStream` client would have to handle chunked transfer
//! encoding (Go's promhttp streams its answer chunked), keep-alive, and one timeout
//! covering connect, head and body; reqwest does all of that correctly and is already
//! built for the workspace (podium-verify uses it), so it costs nothing extra.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::exposition::{HistogramValue, MetricsError, MetricsText, Quantile};

/// A body larger than this is not a metrics page; refusing it bounds memory.
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// The GC pause histograms the figures use, best first: the one the bundled Go subjects
/// expose with two buckets per octave (see `subjects/go/common/metrics_gcpause.go`),
/// then client_golang's own, whose buckets are powers of ten.
pub const GC_PAUSE_HISTOGRAMS: [&str; 2] = [
    "podium_go_gc_pause_seconds",
    "go_sched_pauses_total_gc_seconds",
];

/// Why a scrape failed.
#[derive(Debug, thiserror::Error)]
pub enum ScrapeError {
    /// The URL is not an `http://` URL.
    #[error("invalid metrics URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The HTTP client or its runtime could not be set up.
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
    /// A blocking fetch was called from inside an async runtime.
    #[error(
        "MetricsClient blocks; call it from a plain thread (or use MetricsScraper), not from async code"
    )]
    InsideAsyncRuntime,
    /// The request failed (refused, timed out, reset).
    #[error("GET {url}: {reason}")]
    Request {
        /// The URL.
        url: String,
        /// What happened.
        reason: String,
    },
    /// The answer was not 200.
    #[error("GET {url}: status {status}, expected 200")]
    Status {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
    },
    /// The answer was too large to be a metrics page.
    #[error("GET {url}: body larger than {limit} bytes, not a metrics page")]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit.
        limit: usize,
    },
    /// The answer was not UTF-8 text.
    #[error("GET {url}: body is not UTF-8 text")]
    NotText {
        /// The URL.
        url: String,
    },
    /// The answer was not a valid exposition.
    #[error("GET {url}: {source}")]
    Parse {
        /// The URL.
        url: String,
        /// The parse error (line number and content).
        source: MetricsError,
    },
    /// The scrape interval was zero.
    #[error("the scrape interval must be longer than zero")]
    ZeroInterval,
    /// The scraping thread could not be started.
    #[error("cannot start the scraping thread: {0}")]
    Spawn(std::io::Error),
}

/// A blocking client for one `/metrics` URL.
#[derive(Debug)]
pub struct MetricsClient {
    url: reqwest::Url,
    client: reqwest::Client,
    runtime: tokio::runtime::Runtime,
}

impl MetricsClient {
    /// The default limit for one scrape (connect to last byte).
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

    /// A client for `url` (`http://host:port/metrics`). Proxies from the environment
    /// are ignored: the subject is always reached directly.
    pub fn new(url: &str, timeout: Duration) -> Result<Self, ScrapeError> {
        let invalid = |reason: String| ScrapeError::InvalidUrl {
            url: url.to_string(),
            reason,
        };
        let parsed = reqwest::Url::parse(url).map_err(|e| invalid(e.to_string()))?;
        if parsed.scheme() != "http" {
            return Err(invalid(format!(
                "scheme {:?} is not supported, use http://",
                parsed.scheme()
            )));
        }
        if parsed.host_str().is_none() {
            return Err(invalid("no host".to_string()));
        }
        let client = reqwest::Client::builder()
            .no_proxy()
            .http1_only()
            .timeout(timeout)
            .build()
            .map_err(|e| ScrapeError::Client(e.to_string()))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ScrapeError::Client(e.to_string()))?;
        Ok(Self {
            url: parsed,
            client,
            runtime,
        })
    }

    /// The URL scraped.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// Fetches the exposition text.
    pub fn fetch_text(&self) -> Result<String, ScrapeError> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(ScrapeError::InsideAsyncRuntime);
        }
        self.runtime.block_on(self.get())
    }

    /// Fetches and parses the exposition.
    pub fn fetch(&self) -> Result<MetricsText, ScrapeError> {
        let text = self.fetch_text()?;
        MetricsText::parse(&text).map_err(|source| ScrapeError::Parse {
            url: self.url().to_string(),
            source,
        })
    }

    async fn get(&self) -> Result<String, ScrapeError> {
        let url = self.url().to_string();
        let request_failed = |e: reqwest::Error| ScrapeError::Request {
            url: url.clone(),
            reason: describe(&e),
        };
        let mut response = self
            .client
            .get(self.url.clone())
            // The classic text format, whatever else the exporter could negotiate.
            .header("accept", "text/plain;version=0.0.4")
            .send()
            .await
            .map_err(request_failed)?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(ScrapeError::Status {
                url: url.clone(),
                status,
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(request_failed)? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(ScrapeError::TooLarge {
                    url: url.clone(),
                    limit: MAX_BODY_BYTES,
                });
            }
            body.extend_from_slice(&chunk);
        }
        String::from_utf8(body).map_err(|_| ScrapeError::NotText { url: url.clone() })
    }
}

/// The error and its causes in one line ("timed out", "connection refused", ...).
fn describe(err: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut msg = if err.is_timeout() {
        "timed out".to_string()
    } else if err.is_connect() {
        "could not connect".to_string()
    } else {
        "request failed".to_string()
    };
    let mut source = err.source();
    while let Some(cause) = source {
        msg.push_str(": ");
        msg.push_str(&cause.to_string());
        source = cause.source();
    }
    msg
}

/// The figures kept from one scrape (not the whole text). Values that are not finite
/// are left out (`None`): they say nothing a figure could use, and JSON has no NaN.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ScrapeFigures {
    /// `http_requests_total`, summed over all its series.
    pub http_requests_total: Option<f64>,
    /// `process_cpu_seconds_total`.
    pub process_cpu_seconds_total: Option<f64>,
    /// `process_resident_memory_bytes` (includes page cache, unlike the /proc sampler).
    pub process_resident_memory_bytes: Option<f64>,
    /// `process_open_fds`.
    pub process_open_fds: Option<f64>,
    /// `process_threads` (Rust subjects).
    pub process_threads: Option<f64>,
    /// The Go runtime's figures; `None` when the exposition has none (a Rust subject).
    pub go: Option<GoRuntimeScrape>,
}

/// The Go runtime collector's figures in one scrape.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GoRuntimeScrape {
    /// `go_goroutines`.
    pub goroutines: Option<f64>,
    /// `go_memstats_alloc_bytes_total`: bytes allocated since start.
    pub alloc_bytes_total: Option<f64>,
    /// `go_memstats_mallocs_total`: heap objects allocated since start.
    pub mallocs_total: Option<f64>,
    /// `go_memstats_heap_alloc_bytes`: live heap bytes now.
    pub heap_alloc_bytes: Option<f64>,
    /// `go_gc_duration_seconds_count`: completed GC cycles since start.
    pub gc_cycles: Option<f64>,
    /// `go_gc_duration_seconds` quantiles, in seconds: client_golang's summary of the
    /// stop-the-world pause total of each of the most recent GC cycles (up to 256),
    /// at quantiles 0, 0.25, 0.5, 0.75 and 1 (the maximum).
    pub gc_pause_quantiles_s: Vec<Quantile>,
    /// A histogram of individual stop-the-world GC pauses since start, when exposed.
    pub gc_pauses: Option<PauseHistogram>,
}

/// A GC pause histogram and the metric it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PauseHistogram {
    /// The metric name (one of [`GC_PAUSE_HISTOGRAMS`]).
    pub metric: String,
    /// Its buckets, in seconds.
    pub histogram: HistogramValue,
}

fn finite(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite())
}

impl ScrapeFigures {
    /// Picks the figures out of a parsed exposition.
    pub fn from_metrics(metrics: &MetricsText) -> Self {
        let gc_summary = metrics.summary_quantiles("go_gc_duration_seconds");
        let go = GoRuntimeScrape {
            goroutines: finite(metrics.sum("go_goroutines")),
            alloc_bytes_total: finite(metrics.sum("go_memstats_alloc_bytes_total")),
            mallocs_total: finite(metrics.sum("go_memstats_mallocs_total")),
            heap_alloc_bytes: finite(metrics.sum("go_memstats_heap_alloc_bytes")),
            gc_cycles: finite(gc_summary.as_ref().and_then(|s| s.count)),
            gc_pause_quantiles_s: gc_summary
                .map(|s| {
                    s.quantiles
                        .into_iter()
                        .filter(|q| q.quantile.is_finite() && q.value.is_finite())
                        .collect()
                })
                .unwrap_or_default(),
            gc_pauses: GC_PAUSE_HISTOGRAMS.iter().find_map(|&name| {
                let histogram = metrics.histogram(name)?;
                let all_finite = histogram.count.is_finite()
                    && histogram.buckets.iter().all(|b| b.count.is_finite());
                all_finite.then(|| PauseHistogram {
                    metric: name.to_string(),
                    histogram: HistogramValue {
                        sum: finite(histogram.sum),
                        ..histogram
                    },
                })
            }),
        };
        let has_go = go.goroutines.is_some()
            || go.alloc_bytes_total.is_some()
            || go.mallocs_total.is_some()
            || go.gc_cycles.is_some();
        ScrapeFigures {
            http_requests_total: finite(metrics.sum("http_requests_total")),
            process_cpu_seconds_total: finite(metrics.sum("process_cpu_seconds_total")),
            process_resident_memory_bytes: finite(metrics.sum("process_resident_memory_bytes")),
            process_open_fds: finite(metrics.sum("process_open_fds")),
            process_threads: finite(metrics.sum("process_threads")),
            go: has_go.then_some(go),
        }
    }
}

/// What one scrape gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ScrapeOutcome {
    /// The scrape succeeded (boxed: the figures are much larger than an error).
    Ok(Box<ScrapeFigures>),
    /// The scrape failed; recorded, not fatal.
    Failed {
        /// Why, in words.
        error: String,
    },
}

/// One scrape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scrape {
    /// When the request was sent, in milliseconds since the scraper's origin.
    pub t_ms: u64,
    /// How long the scrape took, in milliseconds.
    pub took_ms: f64,
    /// The figures, or the error.
    pub outcome: ScrapeOutcome,
}

impl Scrape {
    /// Whether the scrape succeeded.
    pub fn ok(&self) -> bool {
        matches!(self.outcome, ScrapeOutcome::Ok(_))
    }

    /// The figures of a successful scrape.
    pub fn figures(&self) -> Option<&ScrapeFigures> {
        match &self.outcome {
            ScrapeOutcome::Ok(f) => Some(f),
            ScrapeOutcome::Failed { .. } => None,
        }
    }

    /// The error of a failed scrape.
    pub fn error(&self) -> Option<&str> {
        match &self.outcome {
            ScrapeOutcome::Ok(_) => None,
            ScrapeOutcome::Failed { error } => Some(error),
        }
    }
}

/// Every scrape of one scraper run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScrapeSeries {
    /// The URL scraped.
    pub url: String,
    /// The periodic interval, in milliseconds.
    pub interval_ms: u64,
    /// The scrapes in time order: periodic ones and those asked for with
    /// [`MetricsScraper::scrape_now`].
    pub scrapes: Vec<Scrape>,
}

impl ScrapeSeries {
    /// Scrapes that failed.
    pub fn failed(&self) -> usize {
        self.scrapes.iter().filter(|s| !s.ok()).count()
    }

    /// The scrapes sent from `from_ms` to `to_ms` (both included).
    pub fn window(&self, from_ms: u64, to_ms: u64) -> impl Iterator<Item = &Scrape> {
        self.scrapes
            .iter()
            .filter(move |s| (from_ms..=to_ms).contains(&s.t_ms))
    }
}

enum Command {
    Now(mpsc::Sender<Scrape>),
    Stop,
}

/// Scrapes a `/metrics` URL every `interval` on a background thread until stopped.
/// Failed scrapes are recorded with their error; they do not end the series.
#[derive(Debug)]
pub struct MetricsScraper {
    origin: Instant,
    commands: mpsc::Sender<Command>,
    thread: JoinHandle<ScrapeSeries>,
    url: String,
    interval_ms: u64,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Command::Now(_) => "Now",
            Command::Stop => "Stop",
        })
    }
}

impl MetricsScraper {
    /// The usual interval: often enough to plot a run, rarely enough that the
    /// server's work for `/metrics` stays negligible.
    pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(1);

    /// Starts scraping `url` with the default timeout; times are measured from now.
    pub fn start(url: &str, interval: Duration) -> Result<Self, ScrapeError> {
        Self::start_at(
            url,
            interval,
            MetricsClient::DEFAULT_TIMEOUT,
            Instant::now(),
        )
    }

    /// Starts scraping with times measured from `origin` (to line up with a process
    /// sampler or a load run started from the same instant). The first scrape is sent
    /// at once.
    pub fn start_at(
        url: &str,
        interval: Duration,
        timeout: Duration,
        origin: Instant,
    ) -> Result<Self, ScrapeError> {
        if interval.is_zero() {
            return Err(ScrapeError::ZeroInterval);
        }
        let client = MetricsClient::new(url, timeout)?;
        let url = client.url().to_string();
        let interval_ms = u64::try_from(interval.as_millis()).unwrap_or(u64::MAX);
        let (commands, received) = mpsc::channel();
        let thread = thread::Builder::new()
            .name("metrics-scraper".to_string())
            .spawn(move || scrape_until_stopped(client, interval, origin, &received))
            .map_err(ScrapeError::Spawn)?;
        Ok(Self {
            origin,
            commands,
            thread,
            url,
            interval_ms,
        })
    }

    /// Scrapes now (besides the periodic scrapes) and returns the result, which is
    /// also kept in the series: for the scrapes that bracket a measured window.
    pub fn scrape_now(&self) -> Scrape {
        let (reply, answer) = mpsc::channel();
        let lost = || Scrape {
            t_ms: elapsed_ms(self.origin),
            took_ms: 0.0,
            outcome: ScrapeOutcome::Failed {
                error: "the scraping thread has stopped".to_string(),
            },
        };
        if self.commands.send(Command::Now(reply)).is_err() {
            return lost();
        }
        answer.recv().unwrap_or_else(|_| lost())
    }

    /// Milliseconds since the origin, on the scrapes' clock.
    pub fn elapsed_ms(&self) -> u64 {
        elapsed_ms(self.origin)
    }

    /// Stops scraping and returns every scrape.
    pub fn stop(self) -> ScrapeSeries {
        let _ = self.commands.send(Command::Stop);
        let (url, interval_ms) = (self.url, self.interval_ms);
        self.thread.join().unwrap_or_else(|_| ScrapeSeries {
            url,
            interval_ms,
            scrapes: Vec::new(),
        })
    }
}

fn elapsed_ms(origin: Instant) -> u64 {
    u64::try_from(origin.elapsed().as_millis()).unwrap_or(u64::MAX)
}

fn scrape_once(client: &MetricsClient, origin: Instant) -> Scrape {
    let t_ms = elapsed_ms(origin);
    let started = Instant::now();
    let outcome = match client.fetch() {
        Ok(metrics) => ScrapeOutcome::Ok(Box::new(ScrapeFigures::from_metrics(&metrics))),
        Err(e) => ScrapeOutcome::Failed {
            error: e.to_string(),
        },
    };
    Scrape {
        t_ms,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        outcome,
    }
}

fn scrape_until_stopped(
    client: MetricsClient,
    interval: Duration,
    origin: Instant,
    commands: &mpsc::Receiver<Command>,
) -> ScrapeSeries {
    let mut series = ScrapeSeries {
        url: client.url().to_string(),
        interval_ms: u64::try_from(interval.as_millis()).unwrap_or(u64::MAX),
        scrapes: Vec::new(),
    };
    let mut next = Instant::now();
    loop {
        match commands.recv_timeout(next.saturating_duration_since(Instant::now())) {
            Ok(Command::Now(reply)) => {
                let scrape = scrape_once(&client, origin);
                series.scrapes.push(scrape.clone());
                // The asker may have given up; the scrape is kept either way.
                let _ = reply.send(scrape);
            }
            Ok(Command::Stop) | Err(RecvTimeoutError::Disconnected) => return series,
            Err(RecvTimeoutError::Timeout) => {
                series.scrapes.push(scrape_once(&client, origin));
                next += interval;
                let now = Instant::now();
                if next <= now {
                    // A slow scrape: skip the missed ticks rather than scrape in a burst.
                    let behind = (now - next).as_nanos() / interval.as_nanos();
                    next += interval.saturating_mul(u32::try_from(behind + 1).unwrap_or(u32::MAX));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_other_than_http_are_refused_with_the_reason() {
        for url in [
            "not a url",
            "https://127.0.0.1:1/metrics",
            "file:///metrics",
        ] {
            let err = MetricsClient::new(url, MetricsClient::DEFAULT_TIMEOUT).unwrap_err();
            assert!(
                matches!(err, ScrapeError::InvalidUrl { .. }),
                "{url}: {err}"
            );
            assert!(err.to_string().contains(url), "{err}");
        }
    }

    #[test]
    fn zero_interval_is_refused() {
        let err = MetricsScraper::start("http://127.0.0.1:1/metrics", Duration::ZERO).unwrap_err();
        assert!(matches!(err, ScrapeError::ZeroInterval));
    }

    #[test]
    fn figures_keep_finite_values_and_find_the_go_runtime() {
        let text = "http_requests_total{code=\"200\"} 7\nhttp_requests_total{code=\"500\"} 3\n\
                    process_open_fds NaN\ngo_goroutines 12\n\
                    # TYPE go_gc_duration_seconds summary\n\
                    go_gc_duration_seconds{quantile=\"0\"} 0.00001\n\
                    go_gc_duration_seconds{quantile=\"1\"} NaN\n\
                    go_gc_duration_seconds_sum 0.1\ngo_gc_duration_seconds_count 4\n\
                    # TYPE podium_go_gc_pause_seconds histogram\n\
                    podium_go_gc_pause_seconds_bucket{le=\"0.001\"} 6\n\
                    podium_go_gc_pause_seconds_bucket{le=\"+Inf\"} 8\n\
                    podium_go_gc_pause_seconds_sum NaN\npodium_go_gc_pause_seconds_count 8\n";
        let figures = ScrapeFigures::from_metrics(&MetricsText::parse(text).unwrap());
        assert_eq!(figures.http_requests_total, Some(10.0));
        assert_eq!(figures.process_open_fds, None);
        let go = figures.go.unwrap();
        assert_eq!((go.goroutines, go.gc_cycles), (Some(12.0), Some(4.0)));
        assert_eq!(
            go.gc_pause_quantiles_s,
            [Quantile {
                quantile: 0.0,
                value: 0.00001
            }]
        );
        let pauses = go.gc_pauses.unwrap();
        assert_eq!(pauses.metric, "podium_go_gc_pause_seconds");
        assert_eq!((pauses.histogram.count, pauses.histogram.sum), (8.0, None));
    }

    #[test]
    fn rust_subject_figures_have_no_go_runtime() {
        let text = "http_requests_total 5\nprocess_threads 9\nprocess_open_fds 20\n";
        let figures = ScrapeFigures::from_metrics(&MetricsText::parse(text).unwrap());
        assert_eq!(figures.go, None);
        assert_eq!(figures.process_threads, Some(9.0));
    }

    #[test]
    fn scrape_outcomes_round_trip_through_json() {
        let scrapes = vec![
            Scrape {
                t_ms: 5,
                took_ms: 1.5,
                outcome: ScrapeOutcome::Ok(Box::new(ScrapeFigures {
                    http_requests_total: Some(3.0),
                    ..ScrapeFigures::default()
                })),
            },
            Scrape {
                t_ms: 1005,
                took_ms: 2000.0,
                outcome: ScrapeOutcome::Failed {
                    error: "timed out".to_string(),
                },
            },
        ];
        let json = serde_json::to_string(&scrapes).unwrap();
        assert!(json.contains(r#""status":"failed""#), "{json}");
        let back: Vec<Scrape> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, scrapes);
    }
}
