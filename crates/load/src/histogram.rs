//! Bounded latency histograms.
//!
//! A [`LatencyHistogram`] is an HDR histogram of microseconds from 1 µs to 60 s with 3
//! significant digits: its size is fixed (about 140 KiB) whatever the run length, and
//! any value it reports is within 0.1% of the true one. Values above 60 s are clamped
//! to 60 s and counted, so a stalled server shows up as "clamped", never as a panic or
//! a silently dropped sample.

use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

/// Latency in microseconds, recorded in a fixed-size HDR histogram.
#[derive(Debug, Clone)]
pub struct LatencyHistogram {
    inner: Histogram<u64>,
    clamped: u64,
}

impl LatencyHistogram {
    /// The lowest discernible value, in microseconds.
    pub const LOWEST_US: u64 = 1;
    /// The highest value recorded as is, in microseconds (60 s); larger ones are clamped.
    pub const HIGHEST_US: u64 = 60_000_000;
    /// Significant decimal digits kept for every value.
    pub const SIGNIFICANT_DIGITS: u8 = 3;

    /// An empty histogram.
    pub fn new() -> Self {
        let inner =
            Histogram::new_with_bounds(Self::LOWEST_US, Self::HIGHEST_US, Self::SIGNIFICANT_DIGITS)
                .expect("the histogram bounds are valid constants");
        Self { inner, clamped: 0 }
    }

    /// Records one latency. Values above [`Self::HIGHEST_US`] are clamped and counted.
    pub fn record(&mut self, latency: Duration) {
        let us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.record_us(us);
    }

    /// Records one latency given in microseconds (see [`Self::record`]).
    pub fn record_us(&mut self, us: u64) {
        let us = if us > Self::HIGHEST_US {
            self.clamped += 1;
            Self::HIGHEST_US
        } else {
            us
        };
        self.inner.saturating_record(us);
    }

    /// Adds every sample of `other` to this histogram.
    pub fn merge(&mut self, other: &LatencyHistogram) {
        self.inner
            .add(&other.inner)
            .expect("histograms with the same bounds always merge");
        self.clamped += other.clamped;
    }

    /// Number of samples.
    pub fn len(&self) -> u64 {
        self.inner.len()
    }

    /// Whether no sample was recorded.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// Number of samples that were above [`Self::HIGHEST_US`] and recorded as that value.
    pub fn clamped(&self) -> u64 {
        self.clamped
    }

    /// The value at quantile `q` (0.0 to 1.0), in microseconds; 0 when empty.
    pub fn quantile_us(&self, q: f64) -> u64 {
        if self.is_empty() {
            return 0;
        }
        self.inner.value_at_quantile(q.clamp(0.0, 1.0))
    }

    /// The underlying HDR histogram (for interval-log output).
    pub fn hdr(&self) -> &Histogram<u64> {
        &self.inner
    }

    /// Min, mean, standard deviation, percentiles and max, in milliseconds.
    pub fn summary(&self) -> LatencySummary {
        if self.is_empty() {
            return LatencySummary::default();
        }
        let ms = |us: u64| us as f64 / 1000.0;
        LatencySummary {
            count: self.len(),
            clamped: self.clamped,
            min: ms(self.inner.min()),
            mean: self.inner.mean() / 1000.0,
            stdev: self.inner.stdev() / 1000.0,
            p50: ms(self.quantile_us(0.50)),
            p75: ms(self.quantile_us(0.75)),
            p90: ms(self.quantile_us(0.90)),
            p99: ms(self.quantile_us(0.99)),
            p999: ms(self.quantile_us(0.999)),
            max: ms(self.inner.max()),
        }
    }
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

/// A histogram's summary; every latency is in milliseconds (µs resolution).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct LatencySummary {
    /// Number of samples.
    pub count: u64,
    /// Samples above 60 s, recorded as 60 s.
    pub clamped: u64,
    /// Smallest sample.
    pub min: f64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Standard deviation.
    pub stdev: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Largest sample.
    pub max: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() <= expected.abs() * 0.002 + 0.001
    }

    #[test]
    fn percentiles_of_a_uniform_range() {
        let mut h = LatencyHistogram::new();
        for us in 1..=10_000 {
            h.record_us(us);
        }
        let s = h.summary();
        assert_eq!(s.count, 10_000);
        assert_eq!(s.clamped, 0);
        assert!(close(s.min, 0.001), "{s:?}");
        assert!(close(s.p50, 5.0), "{s:?}");
        assert!(close(s.p75, 7.5), "{s:?}");
        assert!(close(s.p90, 9.0), "{s:?}");
        assert!(close(s.p99, 9.9), "{s:?}");
        assert!(close(s.p999, 9.99), "{s:?}");
        assert!(close(s.max, 10.0), "{s:?}");
        assert!(close(s.mean, 5.0005), "{s:?}");
        // The standard deviation of 1..=n is about n / sqrt(12).
        assert!(close(s.stdev, 10.0 / 12f64.sqrt()), "{s:?}");
    }

    #[test]
    fn a_single_outlier_sets_max_and_p999_only() {
        let mut h = LatencyHistogram::new();
        for _ in 0..999 {
            h.record(Duration::from_millis(1));
        }
        h.record(Duration::from_secs(1));
        let s = h.summary();
        assert!(close(s.p50, 1.0) && close(s.p99, 1.0), "{s:?}");
        assert!(close(s.max, 1000.0), "{s:?}");
    }

    #[test]
    fn values_above_the_range_are_clamped_and_counted() {
        let mut h = LatencyHistogram::new();
        h.record(Duration::from_secs(120));
        h.record(Duration::MAX);
        h.record_us(5);
        assert_eq!(h.len(), 3);
        assert_eq!(h.clamped(), 2);
        let s = h.summary();
        assert!(close(s.max, 60_000.0), "{s:?}");
        assert_eq!(s.clamped, 2);
    }

    #[test]
    fn merge_adds_samples_and_clamp_counts() {
        let mut a = LatencyHistogram::new();
        let mut b = LatencyHistogram::new();
        for us in 1..=500 {
            a.record_us(us);
        }
        for us in 501..=1000 {
            b.record_us(us);
        }
        b.record(Duration::from_secs(100));
        a.merge(&b);
        assert_eq!(a.len(), 1001);
        assert_eq!(a.clamped(), 1);
        assert!(close(a.quantile_us(0.5) as f64, 501.0));
    }

    #[test]
    fn an_empty_histogram_summarises_to_zeros() {
        let h = LatencyHistogram::default();
        assert!(h.is_empty());
        assert_eq!(h.summary(), LatencySummary::default());
        assert_eq!(h.quantile_us(0.99), 0);
    }

    #[test]
    fn summary_serialises_with_the_documented_keys() {
        let mut h = LatencyHistogram::new();
        h.record_us(1500);
        let json = serde_json::to_value(h.summary()).unwrap();
        for key in [
            "count", "clamped", "min", "mean", "stdev", "p50", "p75", "p90", "p99", "p999", "max",
        ] {
            assert!(json.get(key).is_some(), "missing {key} in {json}");
        }
    }
}
