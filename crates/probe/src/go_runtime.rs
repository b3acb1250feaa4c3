//! Go runtime figures of a measured window, from the two scrapes that bracket it.

use serde::{Deserialize, Serialize};

use crate::exposition::{Bucket, Quantile};
use crate::scrape::{GoRuntimeScrape, Scrape, ScrapeFigures, ScrapeSeries};

/// Why figures could not be derived from two scrapes.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WindowError {
    /// A bracketing scrape failed.
    #[error(
        "the scrape at {t_ms} ms failed ({error}); window figures need successful scrapes at both ends"
    )]
    FailedScrape {
        /// When it was sent.
        t_ms: u64,
        /// Why it failed.
        error: String,
    },
    /// The end scrape is not later than the start scrape.
    #[error(
        "the window from {from_ms} ms to {to_ms} ms is empty; scrape before the load starts and after it ends"
    )]
    EmptyWindow {
        /// The start scrape's time.
        from_ms: u64,
        /// The end scrape's time.
        to_ms: u64,
    },
    /// A metric the figures need is missing from a scrape.
    #[error(
        "{name} is missing from the scrape at {t_ms} ms; the subject does not expose what the contract asks for"
    )]
    MissingMetric {
        /// The metric.
        name: &'static str,
        /// When the scrape was sent.
        t_ms: u64,
    },
    /// A counter went down between the scrapes.
    #[error(
        "{name} went down from {before} to {after} between {from_ms} ms and {to_ms} ms: the subject restarted or reset its counters"
    )]
    CounterReset {
        /// The counter.
        name: &'static str,
        /// Its value at the start.
        before: f64,
        /// Its value at the end.
        after: f64,
        /// The start scrape's time.
        from_ms: u64,
        /// The end scrape's time.
        to_ms: u64,
    },
}

/// A quantile's bucket in a GC pause histogram, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PauseBucketMs {
    /// The bucket's lower bound (the previous bucket's upper bound, or 0).
    pub lower_ms: f64,
    /// Its upper bound; `None` for the bucket above the last finite bound.
    pub upper_ms: Option<f64>,
}

/// What the Go runtime did during a measured window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoRuntimeFigures {
    /// Seconds between the bracketing scrapes.
    pub window_s: f64,
    /// Heap bytes allocated per second (`go_memstats_alloc_bytes_total` delta over
    /// `window_s`).
    pub alloc_bytes_per_sec: f64,
    /// Requests the server counted in the window (`http_requests_total` delta), the
    /// denominator of `allocs_per_request`. The server's own count is used because it
    /// covers exactly the same interval as the allocation counter.
    pub requests: Option<u64>,
    /// Heap objects allocated per request (`go_memstats_mallocs_total` delta over
    /// `requests`); `None` without requests. It includes the allocations of the
    /// `/metrics` scrapes within the window, a small share at one scrape per second.
    pub allocs_per_request: Option<f64>,
    /// GC cycles completed in the window (`go_gc_duration_seconds_count` delta).
    pub gc_count: u64,
    /// `go_gc_duration_seconds` at the end scrape, in milliseconds: the quantiles
    /// (0, 0.25, 0.5, 0.75, 1) of the per-cycle stop-the-world pause total over the most
    /// recent GC cycles (up to 256, so possibly including cycles before the window).
    /// Quantile 1 is the maximum, not a p99. Empty when no GC cycle has run yet.
    pub gc_pause_quantiles_ms: Vec<Quantile>,
    /// The histogram the p99 comes from (see [`crate::GC_PAUSE_HISTOGRAMS`]); `None`
    /// when the subject exposes none.
    pub gc_pause_histogram: Option<String>,
    /// Individual stop-the-world GC pauses in the window (two per GC cycle), from the
    /// histogram's count delta.
    pub gc_pauses: Option<u64>,
    /// The 99th percentile of the window's individual GC pauses, in milliseconds,
    /// estimated from the histogram's bucket deltas by linear interpolation within the
    /// bucket that holds it (as Prometheus's `histogram_quantile`). `None` without a
    /// histogram or without pauses in the window. With few pauses it is close to their
    /// maximum.
    pub gc_pause_p99_ms: Option<f64>,
    /// The bucket holding the p99: the true value lies within it, whatever the
    /// interpolation says.
    pub gc_pause_p99_bucket_ms: Option<PauseBucketMs>,
    /// `go_goroutines` at the end scrape.
    pub goroutines_end: u64,
    /// The most goroutines in any successful scrape of the window (end scrapes included).
    pub goroutines_max: u64,
}

fn figures_of(scrape: &Scrape) -> Result<&ScrapeFigures, WindowError> {
    scrape.figures().ok_or_else(|| WindowError::FailedScrape {
        t_ms: scrape.t_ms,
        error: scrape.error().unwrap_or_default().to_string(),
    })
}

fn check_window(start: &Scrape, end: &Scrape) -> Result<f64, WindowError> {
    if end.t_ms <= start.t_ms {
        return Err(WindowError::EmptyWindow {
            from_ms: start.t_ms,
            to_ms: end.t_ms,
        });
    }
    Ok((end.t_ms - start.t_ms) as f64 / 1000.0)
}

/// The non-negative difference of a counter between two scrapes.
fn counter_delta(
    name: &'static str,
    start: &Scrape,
    end: &Scrape,
    get: impl Fn(&Scrape) -> Option<f64>,
) -> Result<f64, WindowError> {
    let missing = |s: &Scrape| WindowError::MissingMetric { name, t_ms: s.t_ms };
    let before = get(start).ok_or_else(|| missing(start))?;
    let after = get(end).ok_or_else(|| missing(end))?;
    if after < before {
        return Err(WindowError::CounterReset {
            name,
            before,
            after,
            from_ms: start.t_ms,
            to_ms: end.t_ms,
        });
    }
    Ok(after - before)
}

/// Requests the server counted between two scrapes (`http_requests_total`, all series).
pub fn requests_between(start: &Scrape, end: &Scrape) -> Result<u64, WindowError> {
    figures_of(start)?;
    figures_of(end)?;
    let delta = counter_delta("http_requests_total", start, end, |s| {
        s.figures()?.http_requests_total
    })?;
    Ok(delta.round() as u64)
}

fn go_of(scrape: &Scrape) -> Option<&GoRuntimeScrape> {
    scrape.figures()?.go.as_ref()
}

impl GoRuntimeFigures {
    /// The figures of the window between two scrapes of the same subject (scrape just
    /// before the load starts and just after it ends), with the maximum goroutine count
    /// taken over the scrapes of `series` within the window.
    ///
    /// `Ok(None)` when neither scrape has Go runtime metrics: a Rust subject.
    pub fn between(
        start: &Scrape,
        end: &Scrape,
        series: &ScrapeSeries,
    ) -> Result<Option<Self>, WindowError> {
        let (first, last) = (figures_of(start)?, figures_of(end)?);
        let window_s = check_window(start, end)?;
        if first.go.is_none() && last.go.is_none() {
            return Ok(None);
        }
        let alloc_bytes = counter_delta("go_memstats_alloc_bytes_total", start, end, |s| {
            go_of(s)?.alloc_bytes_total
        })?;
        let mallocs = counter_delta("go_memstats_mallocs_total", start, end, |s| {
            go_of(s)?.mallocs_total
        })?;
        let gc_count = counter_delta("go_gc_duration_seconds_count", start, end, |s| {
            go_of(s)?.gc_cycles
        })?;
        let goroutines_end =
            go_of(end)
                .and_then(|g| g.goroutines)
                .ok_or(WindowError::MissingMetric {
                    name: "go_goroutines",
                    t_ms: end.t_ms,
                })?;
        let requests = match (first.http_requests_total, last.http_requests_total) {
            (Some(_), Some(_)) => Some(requests_between(start, end)?),
            _ => None,
        };
        let goroutines_max = series
            .window(start.t_ms, end.t_ms)
            .chain([start, end])
            .filter_map(|s| go_of(s)?.goroutines)
            .fold(goroutines_end, f64::max);
        let ended_gc = go_of(end).and_then(|g| g.gc_cycles).unwrap_or(0.0) > 0.0;
        let gc_pause_quantiles_ms = go_of(end)
            .filter(|_| ended_gc)
            .map(|g| {
                g.gc_pause_quantiles_s
                    .iter()
                    .map(|q| Quantile {
                        quantile: q.quantile,
                        value: q.value * 1000.0,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let pauses = pause_window(start, end);
        Ok(Some(GoRuntimeFigures {
            window_s,
            alloc_bytes_per_sec: alloc_bytes / window_s,
            requests,
            allocs_per_request: requests.filter(|&r| r > 0).map(|r| mallocs / r as f64),
            gc_count: gc_count.round() as u64,
            gc_pause_quantiles_ms,
            gc_pause_histogram: pauses.as_ref().map(|p| p.metric.clone()),
            gc_pauses: pauses.as_ref().map(|p| p.count.round() as u64),
            gc_pause_p99_ms: pauses.as_ref().and_then(|p| p.p99).map(|(ms, _)| ms),
            gc_pause_p99_bucket_ms: pauses.as_ref().and_then(|p| p.p99).map(|(_, b)| b),
            goroutines_end: goroutines_end.round() as u64,
            goroutines_max: goroutines_max.round() as u64,
        }))
    }
}

struct PauseWindow {
    metric: String,
    count: f64,
    p99: Option<(f64, PauseBucketMs)>,
}

/// The window's share of the pause histogram: the bucket-by-bucket difference of the
/// end and start histograms. `None` unless both scrapes have the same histogram with
/// the same bucket bounds and no bucket went down.
fn pause_window(start: &Scrape, end: &Scrape) -> Option<PauseWindow> {
    let before = go_of(start)?.gc_pauses.as_ref()?;
    let after = go_of(end)?.gc_pauses.as_ref()?;
    if before.metric != after.metric
        || before.histogram.buckets.len() != after.histogram.buckets.len()
    {
        return None;
    }
    let mut buckets = Vec::with_capacity(after.histogram.buckets.len());
    for (b, a) in before
        .histogram
        .buckets
        .iter()
        .zip(&after.histogram.buckets)
    {
        if a.le != b.le || a.count < b.count {
            return None;
        }
        buckets.push(Bucket {
            le: a.le,
            count: a.count - b.count,
        });
    }
    let count = after.histogram.count - before.histogram.count;
    if count < 0.0 {
        return None;
    }
    Some(PauseWindow {
        metric: after.metric.clone(),
        count,
        p99: histogram_quantile(0.99, &buckets, count).map(|(value, lower, upper)| {
            (
                value * 1000.0,
                PauseBucketMs {
                    lower_ms: lower * 1000.0,
                    upper_ms: upper.map(|u| u * 1000.0),
                },
            )
        }),
    })
}

/// The `q` quantile of a cumulative histogram (finite buckets ascending, `total` in the
/// `+Inf` bucket) by linear interpolation within the bucket holding rank `q * total`,
/// with 0 as the lower bound of the first bucket. Returns the estimate and the bucket's
/// bounds; above the last finite bound, the estimate is that bound (a lower bound of the
/// truth, as in Prometheus). `None` when `total` is zero.
fn histogram_quantile(q: f64, buckets: &[Bucket], total: f64) -> Option<(f64, f64, Option<f64>)> {
    if total <= 0.0 || !total.is_finite() {
        return None;
    }
    let rank = q * total;
    let mut lower = 0.0;
    let mut below = 0.0;
    for bucket in buckets {
        if bucket.count >= rank && bucket.count > below {
            let share = (rank - below) / (bucket.count - below);
            return Some((lower + (bucket.le - lower) * share, lower, Some(bucket.le)));
        }
        lower = bucket.le;
        below = bucket.count;
    }
    Some((lower, lower, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exposition::HistogramValue;
    use crate::scrape::{PauseHistogram, ScrapeOutcome};

    fn scrape(t_ms: u64, requests: f64, go: Option<GoRuntimeScrape>) -> Scrape {
        Scrape {
            t_ms,
            took_ms: 1.0,
            outcome: ScrapeOutcome::Ok(Box::new(ScrapeFigures {
                http_requests_total: Some(requests),
                go,
                ..ScrapeFigures::default()
            })),
        }
    }

    fn go(alloc: f64, mallocs: f64, gcs: f64, goroutines: f64, pauses: &[f64]) -> GoRuntimeScrape {
        let les = [0.0001, 0.0002, 0.0004];
        GoRuntimeScrape {
            goroutines: Some(goroutines),
            alloc_bytes_total: Some(alloc),
            mallocs_total: Some(mallocs),
            heap_alloc_bytes: Some(1e6),
            gc_cycles: Some(gcs),
            gc_pause_quantiles_s: vec![
                Quantile {
                    quantile: 0.0,
                    value: 0.00005,
                },
                Quantile {
                    quantile: 1.0,
                    value: 0.0003,
                },
            ],
            gc_pauses: Some(PauseHistogram {
                metric: "podium_go_gc_pause_seconds".to_string(),
                histogram: HistogramValue {
                    buckets: les
                        .iter()
                        .zip(pauses)
                        .map(|(&le, &count)| Bucket { le, count })
                        .collect(),
                    count: pauses[3],
                    sum: None,
                },
            }),
        }
    }

    fn series(scrapes: Vec<Scrape>) -> ScrapeSeries {
        ScrapeSeries {
            url: "http://127.0.0.1:1/metrics".to_string(),
            interval_ms: 1000,
            scrapes,
        }
    }

    #[test]
    fn window_figures_come_from_counter_deltas() {
        let start = scrape(
            1000,
            10.0,
            Some(go(1e6, 1000.0, 2.0, 8.0, &[2.0, 2.0, 4.0, 4.0])),
        );
        let middle = scrape(
            2000,
            5000.0,
            Some(go(3e6, 50_000.0, 5.0, 30.0, &[2.0, 2.0, 4.0, 4.0])),
        );
        let end = scrape(
            3000,
            10_010.0,
            Some(go(5e6, 101_000.0, 12.0, 9.0, &[12.0, 22.0, 24.0, 24.0])),
        );
        let s = series(vec![start.clone(), middle, end.clone()]);
        let f = GoRuntimeFigures::between(&start, &end, &s)
            .unwrap()
            .unwrap();
        assert_eq!(f.window_s, 2.0);
        assert_eq!(f.alloc_bytes_per_sec, 2e6);
        assert_eq!(f.requests, Some(10_000));
        assert_eq!(f.allocs_per_request, Some(10.0));
        assert_eq!(f.gc_count, 10);
        assert_eq!((f.goroutines_end, f.goroutines_max), (9, 30));
        assert!((f.gc_pause_quantiles_ms[1].value - 0.3).abs() < 1e-12);
        // Window pauses: 10 below 0.1 ms, 10 in 0.1–0.2 ms, none above: 20 in all. The
        // p99 rank 19.8 lies in the second bucket: 0.1 + 0.1 * 9.8 / 10 ms.
        assert_eq!(f.gc_pauses, Some(20));
        let p99 = f.gc_pause_p99_ms.unwrap();
        assert!((p99 - 0.198).abs() < 1e-9, "{p99}");
        let bucket = f.gc_pause_p99_bucket_ms.unwrap();
        assert!((bucket.lower_ms - 0.1).abs() < 1e-12, "{bucket:?}");
        assert!((bucket.upper_ms.unwrap() - 0.2).abs() < 1e-12, "{bucket:?}");
        let back: GoRuntimeFigures =
            serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
        assert_eq!((back.requests, back.gc_pauses), (f.requests, f.gc_pauses));
    }

    #[test]
    fn no_pause_in_the_window_means_no_p99() {
        let g = go(1e6, 1000.0, 2.0, 8.0, &[2.0, 2.0, 4.0, 4.0]);
        let (start, end) = (scrape(0, 0.0, Some(g.clone())), scrape(500, 0.0, Some(g)));
        let f = GoRuntimeFigures::between(&start, &end, &series(vec![]))
            .unwrap()
            .unwrap();
        assert_eq!((f.gc_pauses, f.gc_pause_p99_ms), (Some(0), None));
        assert_eq!(f.allocs_per_request, None);
        assert_eq!(f.gc_count, 0);
    }

    #[test]
    fn rust_subject_has_no_go_figures() {
        let (start, end) = (scrape(0, 1.0, None), scrape(100, 2.0, None));
        assert_eq!(
            GoRuntimeFigures::between(&start, &end, &series(vec![])),
            Ok(None)
        );
    }

    #[test]
    fn restart_failed_scrape_and_empty_window_are_errors() {
        let start = scrape(
            0,
            100.0,
            Some(go(5e6, 1000.0, 2.0, 8.0, &[1.0, 1.0, 1.0, 1.0])),
        );
        let restarted = scrape(
            900,
            5.0,
            Some(go(1e6, 10.0, 0.0, 8.0, &[0.0, 0.0, 0.0, 0.0])),
        );
        let err = GoRuntimeFigures::between(&start, &restarted, &series(vec![])).unwrap_err();
        assert!(
            matches!(
                err,
                WindowError::CounterReset {
                    name: "go_memstats_alloc_bytes_total",
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("restarted"));

        let failed = Scrape {
            t_ms: 900,
            took_ms: 2000.0,
            outcome: ScrapeOutcome::Failed {
                error: "timed out".to_string(),
            },
        };
        let err = GoRuntimeFigures::between(&start, &failed, &series(vec![])).unwrap_err();
        assert!(err.to_string().contains("timed out"), "{err}");

        let err = GoRuntimeFigures::between(&start, &start, &series(vec![])).unwrap_err();
        assert!(matches!(err, WindowError::EmptyWindow { .. }));

        let mut half = go(6e6, 2000.0, 3.0, 8.0, &[1.0, 1.0, 1.0, 1.0]);
        half.mallocs_total = None;
        let err =
            GoRuntimeFigures::between(&start, &scrape(900, 200.0, Some(half)), &series(vec![]))
                .unwrap_err();
        assert_eq!(
            err,
            WindowError::MissingMetric {
                name: "go_memstats_mallocs_total",
                t_ms: 900
            }
        );
    }

    #[test]
    fn requests_between_is_the_counter_delta() {
        let (start, end) = (scrape(0, 41.0, None), scrape(10, 141.0, None));
        assert_eq!(requests_between(&start, &end), Ok(100));
        assert!(matches!(
            requests_between(&end, &start),
            Err(WindowError::CounterReset { .. })
        ));
    }

    #[test]
    fn quantile_interpolates_within_its_bucket() {
        let buckets = [
            Bucket {
                le: 1.0,
                count: 50.0,
            },
            Bucket {
                le: 2.0,
                count: 90.0,
            },
            Bucket {
                le: 4.0,
                count: 100.0,
            },
        ];
        let (v, lo, hi) = histogram_quantile(0.5, &buckets, 100.0).unwrap();
        assert_eq!((v, lo, hi), (1.0, 0.0, Some(1.0)));
        let (v, lo, hi) = histogram_quantile(0.99, &buckets, 100.0).unwrap();
        assert!(
            (v - 3.8).abs() < 1e-9 && lo == 2.0 && hi == Some(4.0),
            "{v}"
        );
        // Observations above the last finite bound: the estimate is that bound.
        let (v, lo, hi) = histogram_quantile(0.99, &buckets, 200.0).unwrap();
        assert_eq!((v, lo, hi), (4.0, 4.0, None));
        assert_eq!(histogram_quantile(0.99, &buckets, 0.0), None);
        // Empty leading buckets are skipped, not chosen for a zero rank.
        let sparse = [
            Bucket {
                le: 1.0,
                count: 0.0,
            },
            Bucket {
                le: 2.0,
                count: 1.0,
            },
        ];
        let (v, lo, hi) = histogram_quantile(0.99, &sparse, 1.0).unwrap();
        assert!(
            (v - 1.99).abs() < 1e-12 && lo == 1.0 && hi == Some(2.0),
            "{v}"
        );
    }
}
