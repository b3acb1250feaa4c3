//! Sampling a process tree at a fixed interval on a background thread.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::procfs::{ProcError, ProcSnapshot, ProcessTree};

/// Samples a process tree ([`ProcessTree`]) every `interval` until stopped or until the
/// root process exits.
///
/// The first sample is taken at once; later ones keep to the interval's grid (a late
/// sample does not shift the following ones, and missed ticks are skipped, not caught
/// up in a burst).
#[derive(Debug)]
pub struct ProcSampler {
    origin: Instant,
    stop: mpsc::Sender<()>,
    thread: JoinHandle<ProcSeries>,
    interval_ms: u64,
}

impl ProcSampler {
    /// The usual interval: fine enough to see a memory peak of a few seconds' run,
    /// coarse enough that reading /proc costs the measured machine little.
    pub const DEFAULT_INTERVAL: Duration = Duration::from_millis(100);

    /// Starts sampling the tree rooted at `pid`; times are measured from now.
    pub fn start(pid: u32, interval: Duration) -> Result<Self, ProcError> {
        Self::start_at(pid, interval, Instant::now())
    }

    /// Starts sampling with times measured from `origin`, so that samples line up with
    /// another clock (a load run's, a scraper's) started from the same instant.
    pub fn start_at(pid: u32, interval: Duration, origin: Instant) -> Result<Self, ProcError> {
        if interval.is_zero() {
            return Err(ProcError::ZeroInterval);
        }
        let tree = ProcessTree::new(pid);
        let first = tree
            .snapshot(elapsed_ms(origin))?
            .ok_or(ProcError::NoSuchProcess { pid })?;
        let (stop, stopped) = mpsc::channel();
        let interval_ms = u64::try_from(interval.as_millis()).unwrap_or(u64::MAX);
        let thread = thread::Builder::new()
            .name(format!("proc-sampler-{pid}"))
            .spawn(move || sample_until_stopped(tree, interval, origin, first, &stopped))
            .map_err(ProcError::Spawn)?;
        Ok(Self {
            origin,
            stop,
            thread,
            interval_ms,
        })
    }

    /// Milliseconds since the origin, on the samples' clock: for marking the bounds of a
    /// phase to pass to [`ProcSeries::window`].
    pub fn elapsed_ms(&self) -> u64 {
        elapsed_ms(self.origin)
    }

    /// Stops sampling and returns every sample taken.
    pub fn stop(self) -> ProcSeries {
        // The thread may have ended already (root exited): then nobody receives.
        let _ = self.stop.send(());
        self.thread.join().unwrap_or_else(|_| ProcSeries {
            interval_ms: self.interval_ms,
            samples: Vec::new(),
            ended_early: false,
            error: Some("the sampling thread panicked".to_string()),
        })
    }
}

fn elapsed_ms(origin: Instant) -> u64 {
    u64::try_from(origin.elapsed().as_millis()).unwrap_or(u64::MAX)
}

fn sample_until_stopped(
    tree: ProcessTree,
    interval: Duration,
    origin: Instant,
    first: ProcSnapshot,
    stopped: &mpsc::Receiver<()>,
) -> ProcSeries {
    let mut series = ProcSeries {
        interval_ms: u64::try_from(interval.as_millis()).unwrap_or(u64::MAX),
        samples: vec![first],
        ended_early: false,
        error: None,
    };
    let start = Instant::now();
    let mut next = start + interval;
    loop {
        match stopped.recv_timeout(next.saturating_duration_since(Instant::now())) {
            Ok(()) | Err(RecvTimeoutError::Disconnected) => return series,
            Err(RecvTimeoutError::Timeout) => {}
        }
        match tree.snapshot(elapsed_ms(origin)) {
            Ok(Some(snap)) => series.samples.push(snap),
            Ok(None) => {
                series.ended_early = true;
                return series;
            }
            Err(e) => {
                // Errors other than a vanished process (permissions, a missing field)
                // would repeat at every tick.
                series.error = Some(e.to_string());
                return series;
            }
        }
        let now = Instant::now();
        next += interval;
        if next <= now {
            // Skip the ticks already missed instead of sampling in a burst.
            let behind = (now - next).as_nanos() / interval.as_nanos();
            let skip = u32::try_from(behind + 1).unwrap_or(u32::MAX);
            next += interval.saturating_mul(skip);
        }
    }
}

/// The samples of one sampler run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcSeries {
    /// The sampling interval, in milliseconds.
    pub interval_ms: u64,
    /// The samples, in time order.
    pub samples: Vec<ProcSnapshot>,
    /// Whether sampling ended because the root process exited (before `stop`).
    pub ended_early: bool,
    /// Why sampling ended early, if a /proc file could not be read.
    pub error: Option<String>,
}

/// What a series of samples comes to.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProcSummary {
    /// The largest `rss_bytes` (RSS without page cache) of any sample.
    pub rss_peak_bytes: u64,
    /// The median `rss_bytes` over the last half of the samples (the later half when
    /// the count is odd). A server's memory grows while it warms up (pools, caches,
    /// heap growth) and then settles; the median of the later half is that settled
    /// level, unmoved by a single spike. Pass a series cut to the measured phase
    /// ([`ProcSeries::window`]) so that start-up does not count.
    pub rss_steady_bytes: u64,
    /// CPU seconds (user + system) used between the first and the last sample.
    pub cpu_s: f64,
    /// Seconds between the first and the last sample.
    pub span_s: f64,
    /// The most threads at any sample.
    pub threads_max: u64,
    /// The most open file descriptors at any sample.
    pub fds_max: u64,
    /// The most live processes at any sample.
    pub processes_max: u32,
    /// Number of samples summarised.
    pub samples: usize,
}

impl ProcSeries {
    /// The summary of the samples; `None` when there are none.
    pub fn summary(&self) -> Option<ProcSummary> {
        let first = self.samples.first()?;
        let last = self.samples.last()?;
        let mut steady: Vec<u64> = self.samples[self.samples.len() / 2..]
            .iter()
            .map(|s| s.rss_bytes)
            .collect();
        steady.sort_unstable();
        let mid = steady.len() / 2;
        let rss_steady_bytes = if steady.len() % 2 == 1 {
            steady[mid]
        } else {
            // Mean of the two middle values, without overflow.
            steady[mid - 1] / 2 + steady[mid] / 2 + (steady[mid - 1] % 2 + steady[mid] % 2) / 2
        };
        Some(ProcSummary {
            rss_peak_bytes: self.samples.iter().map(|s| s.rss_bytes).max().unwrap_or(0),
            rss_steady_bytes,
            // CPU time only grows; a negative difference could only come from a reaped
            // child whose parent is outside the tree, so clamp rather than report it.
            cpu_s: (last.cpu_s() - first.cpu_s()).max(0.0),
            span_s: last.t_ms.saturating_sub(first.t_ms) as f64 / 1000.0,
            threads_max: self.samples.iter().map(|s| s.threads).max().unwrap_or(0),
            fds_max: self.samples.iter().map(|s| s.fds).max().unwrap_or(0),
            processes_max: self.samples.iter().map(|s| s.processes).max().unwrap_or(0),
            samples: self.samples.len(),
        })
    }

    /// The samples taken from `from_ms` to `to_ms` (both included), e.g. to cut the
    /// warm-up away. `ended_early` and `error` are kept only when the series ended
    /// within the window (no sample after `to_ms`).
    pub fn window(&self, from_ms: u64, to_ms: u64) -> ProcSeries {
        let ended_within = !self.samples.iter().any(|s| s.t_ms > to_ms);
        ProcSeries {
            interval_ms: self.interval_ms,
            samples: self
                .samples
                .iter()
                .filter(|s| (from_ms..=to_ms).contains(&s.t_ms))
                .copied()
                .collect(),
            ended_early: self.ended_early && ended_within,
            error: self.error.clone().filter(|_| ended_within),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(t_ms: u64, rss_bytes: u64, cpu_s: f64, threads: u64) -> ProcSnapshot {
        ProcSnapshot {
            t_ms,
            processes: 1,
            rss_bytes,
            rss_file_bytes: 1,
            cpu_user_s: cpu_s * 0.75,
            cpu_system_s: cpu_s * 0.25,
            threads,
            fds: threads + 3,
        }
    }

    fn series(samples: Vec<ProcSnapshot>) -> ProcSeries {
        ProcSeries {
            interval_ms: 100,
            samples,
            ended_early: false,
            error: None,
        }
    }

    #[test]
    fn summary_takes_peak_median_of_later_half_and_cpu_difference() {
        // Warm-up climbs to a spike, then RSS settles around 50 with one outlier.
        let s = series(vec![
            snap(0, 10, 1.0, 2),
            snap(100, 30, 1.2, 4),
            snap(200, 90, 1.4, 8),
            snap(300, 50, 1.6, 8),
            snap(400, 52, 1.8, 6),
            snap(500, 48, 2.0, 6),
            snap(600, 70, 2.2, 6),
            snap(700, 51, 2.5, 6),
        ]);
        let sum = s.summary().unwrap();
        assert_eq!(sum.rss_peak_bytes, 90);
        // Later half: 52, 48, 70, 51 → sorted 48 51 52 70 → (51 + 52) / 2.
        assert_eq!(sum.rss_steady_bytes, 51);
        assert!((sum.cpu_s - 1.5).abs() < 1e-9, "{}", sum.cpu_s);
        assert!((sum.span_s - 0.7).abs() < 1e-9);
        assert_eq!(sum.threads_max, 8);
        assert_eq!(sum.fds_max, 11);
        assert_eq!(sum.samples, 8);
    }

    #[test]
    fn summary_of_odd_count_uses_the_later_half_median() {
        let s = series(vec![
            snap(0, 100, 0.0, 1),
            snap(100, 7, 0.0, 1),
            snap(200, 9, 0.0, 1),
        ]);
        // Later half of 3 samples: the last 2 (7, 9) → 8.
        assert_eq!(s.summary().unwrap().rss_steady_bytes, 8);
        let one = series(vec![snap(0, 42, 0.0, 1)]);
        let sum = one.summary().unwrap();
        assert_eq!((sum.rss_steady_bytes, sum.rss_peak_bytes), (42, 42));
        assert_eq!(sum.cpu_s, 0.0);
    }

    #[test]
    fn median_of_huge_values_does_not_overflow() {
        let s = series(vec![
            snap(0, u64::MAX, 0.0, 1),
            snap(1, u64::MAX - 2, 0.0, 1),
        ]);
        // Later half is just the last sample.
        assert_eq!(s.summary().unwrap().rss_steady_bytes, u64::MAX - 2);
        let s = series(vec![
            snap(0, 0, 0.0, 1),
            snap(1, 0, 0.0, 1),
            snap(2, u64::MAX, 0.0, 1),
            snap(3, u64::MAX, 0.0, 1),
        ]);
        assert_eq!(s.summary().unwrap().rss_steady_bytes, u64::MAX);
    }

    #[test]
    fn empty_series_has_no_summary() {
        assert_eq!(series(Vec::new()).summary(), None);
    }

    #[test]
    fn window_keeps_samples_in_bounds_and_the_end_flag_only_at_the_end() {
        let mut s = series((0..10).map(|i| snap(i * 100, i, 0.0, 1)).collect());
        s.ended_early = true;
        let w = s.window(200, 500);
        assert_eq!(
            w.samples.iter().map(|x| x.t_ms).collect::<Vec<_>>(),
            [200, 300, 400, 500]
        );
        assert!(!w.ended_early);
        assert!(s.window(800, 2000).ended_early);
        assert!(s.window(2000, 3000).samples.is_empty());
    }

    #[test]
    fn zero_interval_is_refused() {
        let err = ProcSampler::start(std::process::id(), Duration::ZERO).unwrap_err();
        assert!(matches!(err, ProcError::ZeroInterval));
    }

    #[test]
    fn sampling_a_missing_process_is_an_error_naming_it() {
        let err = ProcSampler::start(u32::MAX - 1, ProcSampler::DEFAULT_INTERVAL).unwrap_err();
        assert!(err.to_string().contains(&(u32::MAX - 1).to_string()));
    }

    #[test]
    fn sampler_keeps_to_its_interval_until_stopped() {
        let sampler = ProcSampler::start(std::process::id(), Duration::from_millis(20)).unwrap();
        thread::sleep(Duration::from_millis(300));
        let series = sampler.stop();
        assert!(!series.ended_early && series.error.is_none());
        // 300 ms at 20 ms: about 16 samples; the bound is loose for a loaded machine.
        assert!(
            (3..=17).contains(&series.samples.len()),
            "{} samples",
            series.samples.len()
        );
        assert!(series.samples.windows(2).all(|w| w[0].t_ms <= w[1].t_ms));
    }
}
