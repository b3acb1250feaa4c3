//! One figure with its spread: median, seeded percentile-bootstrap confidence interval
//! of the median, and the classic moments.

use serde::{Deserialize, Serialize};

use crate::error::{StatsError, check_sample};
use crate::rng::{Xoshiro256StarStar, seed_from_label};
use crate::sample::{mean_and_stddev, median_of_sorted, quantile_of_sorted, sorted};

/// Default number of bootstrap resamples: enough that the 2.5% and 97.5% percentiles
/// move by well under the sample's own resolution from one seed to another.
pub const DEFAULT_RESAMPLES: usize = 10_000;
/// Default confidence level of intervals.
pub const DEFAULT_CONFIDENCE: f64 = 0.95;
/// Fewest resamples accepted: below this the tail percentiles rest on a handful of
/// draws and the interval is mostly noise.
pub const MIN_RESAMPLES: usize = 100;

/// How bootstrap intervals are computed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BootstrapConfig {
    /// Number of resamples (default [`DEFAULT_RESAMPLES`], at least [`MIN_RESAMPLES`]).
    pub resamples: usize,
    /// Confidence level of the interval, strictly between 0 and 1 (default 0.95).
    pub confidence: f64,
    /// Seed of the resampling PRNG. The same values, resamples and seed always give
    /// the same interval, on any machine. Seed per figure with
    /// [`BootstrapConfig::for_label`] so that figures do not share one random stream.
    pub seed: u64,
}

impl Default for BootstrapConfig {
    /// 10 000 resamples, 95% confidence, seed = `seed_from_label("podium-stats")`.
    fn default() -> Self {
        Self::for_label("podium-stats")
    }
}

impl BootstrapConfig {
    /// The default settings with the seed derived from a figure's label
    /// (see [`seed_from_label`]), e.g. `"stdlib/ping/rps"`.
    pub fn for_label(label: &str) -> Self {
        Self {
            resamples: DEFAULT_RESAMPLES,
            confidence: DEFAULT_CONFIDENCE,
            seed: seed_from_label(label),
        }
    }

    /// Rejects resample counts and confidence levels that cannot give an interval.
    pub fn validate(&self) -> Result<(), StatsError> {
        if self.resamples < MIN_RESAMPLES {
            return Err(StatsError::InvalidConfig {
                setting: "resamples",
                reason: format!(
                    "{} resamples are too few for a percentile interval; use at least {MIN_RESAMPLES} (default {DEFAULT_RESAMPLES})",
                    self.resamples
                ),
            });
        }
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(StatsError::InvalidConfig {
                setting: "confidence",
                reason: format!(
                    "{} is not a confidence level; use a value strictly between 0 and 1, such as {DEFAULT_CONFIDENCE}",
                    self.confidence
                ),
            });
        }
        Ok(())
    }
}

/// One figure (e.g. requests/s over 5 repetitions) with its spread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of repetitions.
    pub n: usize,
    /// Median of the repetitions (mean of the two middle values for an even count).
    pub median: f64,
    /// Lower end of the bootstrap confidence interval of the median.
    pub ci_low: f64,
    /// Upper end of the bootstrap confidence interval of the median.
    pub ci_high: f64,
    /// Confidence level of `ci_low..=ci_high`, e.g. 0.95.
    pub confidence: f64,
    /// False for a single repetition: the interval then collapses to the value and
    /// says nothing about how much the figure varies.
    pub spread_known: bool,
    /// Arithmetic mean.
    pub mean: f64,
    /// Smallest repetition.
    pub min: f64,
    /// Largest repetition.
    pub max: f64,
    /// Sample standard deviation (n − 1 denominator); 0 for one repetition.
    pub stddev: f64,
    /// Coefficient of variation, stddev / |mean|. None when the mean is 0 or there is
    /// only one repetition (no spread to speak of), or when the quotient overflows.
    pub cv: Option<f64>,
    /// Number of bootstrap resamples behind the interval (0 when `n` is 1: nothing to
    /// resample).
    pub resamples: usize,
    /// Seed of the resampling PRNG, to reproduce the interval.
    pub seed: u64,
}

impl Summary {
    /// Summarises one figure's repetitions.
    ///
    /// The interval is a percentile bootstrap of the median: `resamples` times, draw n
    /// values with replacement, take their median; the interval runs from the
    /// (1 − confidence)/2 to the (1 + confidence)/2 quantile of those medians (type-7
    /// interpolation). Should rounding in a pathological resample distribution leave
    /// the sample median outside, the interval is widened to include it.
    ///
    /// Errors: no values, or a NaN or infinite value, or an invalid `config`.
    pub fn of(values: &[f64], config: &BootstrapConfig) -> Result<Self, StatsError> {
        check_sample(values, "values")?;
        config.validate()?;
        let sorted = sorted(values);
        let n = sorted.len();
        let median = median_of_sorted(&sorted);
        let (mean, stddev) = mean_and_stddev(&sorted);
        let spread_known = n >= 2;
        let (ci_low, ci_high, resamples) = if spread_known {
            let mut rng = Xoshiro256StarStar::seed_from_u64(config.seed);
            let mut resampler = MedianResampler::new(&sorted);
            let medians = (0..config.resamples)
                .map(|_| resampler.draw(&mut rng))
                .collect();
            let (low, high) = percentile_interval(medians, config.confidence);
            (low.min(median), high.max(median), config.resamples)
        } else {
            (median, median, 0)
        };
        let cv = (spread_known && mean != 0.0)
            .then(|| stddev / mean.abs())
            .filter(|cv| cv.is_finite());
        Ok(Self {
            n,
            median,
            ci_low,
            ci_high,
            confidence: config.confidence,
            spread_known,
            mean,
            min: sorted[0],
            max: sorted[n - 1],
            stddev,
            cv,
            resamples,
            seed: config.seed,
        })
    }

    /// True when the two confidence intervals share at least one point.
    pub fn ci_overlaps(&self, other: &Summary) -> bool {
        self.ci_low <= other.ci_high && other.ci_low <= self.ci_high
    }
}

/// Draws bootstrap medians from one sorted sample without allocating per draw.
///
/// A resample is represented by how many times each sorted position was drawn; the
/// median is then found by walking the cumulative counts, which is O(n) with no
/// comparisons of values (and the sample being sorted, position order is value order).
#[derive(Debug)]
pub(crate) struct MedianResampler<'a> {
    sorted: &'a [f64],
    counts: Vec<u32>,
}

impl<'a> MedianResampler<'a> {
    /// `sorted` must be sorted and non-empty.
    pub(crate) fn new(sorted: &'a [f64]) -> Self {
        Self {
            sorted,
            counts: vec![0; sorted.len()],
        }
    }

    /// The median of one resample of the same size as the sample.
    pub(crate) fn draw(&mut self, rng: &mut Xoshiro256StarStar) -> f64 {
        let n = self.sorted.len();
        self.counts.fill(0);
        for _ in 0..n {
            self.counts[rng.below(n)] += 1;
        }
        // 0-based ranks of the middle value(s) in the resample.
        let upper_rank = n / 2;
        let lower_rank = (n - 1) / 2;
        let mut lower = None;
        let mut seen = 0_usize;
        for (position, &count) in self.counts.iter().enumerate() {
            seen += count as usize;
            if lower.is_none() && seen > lower_rank {
                lower = Some(self.sorted[position]);
            }
            if seen > upper_rank {
                let upper = self.sorted[position];
                return lower.map_or(upper, |lower| lower.midpoint(upper));
            }
        }
        // The counts sum to n > upper_rank, so the loop always returns; this keeps
        // the function total without a panic path.
        self.sorted[n - 1]
    }
}

/// Percentile interval of bootstrap estimates at the given confidence.
pub(crate) fn percentile_interval(mut estimates: Vec<f64>, confidence: f64) -> (f64, f64) {
    estimates.sort_unstable_by(f64::total_cmp);
    let tail = (1.0 - confidence) / 2.0;
    (
        quantile_of_sorted(&estimates, tail),
        quantile_of_sorted(&estimates, 1.0 - tail),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(seed: u64) -> BootstrapConfig {
        BootstrapConfig {
            resamples: 2_000,
            confidence: 0.95,
            seed,
        }
    }

    #[test]
    fn summary_of_known_sample() {
        let values = [41.2, 39.8, 40.5, 42.1, 38.9];
        let summary = Summary::of(&values, &config(1)).unwrap();
        assert_eq!(summary.n, 5);
        assert_eq!(summary.median, 40.5);
        assert_eq!(summary.min, 38.9);
        assert_eq!(summary.max, 42.1);
        assert!((summary.mean - 40.5).abs() < 1e-12);
        // numpy 2.4.6: np.std([41.2, 39.8, 40.5, 42.1, 38.9], ddof=1)
        assert!((summary.stddev - 1.234_908_903_522_848_7).abs() < 1e-12);
        assert!((summary.cv.unwrap() - summary.stddev / 40.5).abs() < 1e-15);
        assert!(summary.spread_known);
        assert!(summary.ci_low <= 40.5 && 40.5 <= summary.ci_high);
        assert!(summary.ci_low >= 38.9 && summary.ci_high <= 42.1);
        // With 5 values the 2.5% bootstrap median is below the median: the interval
        // has width.
        assert!(summary.ci_low < summary.ci_high);
    }

    #[test]
    fn bootstrap_interval_of_median_matches_theory() {
        // For the sample 0..=100 (101 values, one per rank), the bootstrap median's rank
        // is close to normal with standard deviation √101 / 2 ≈ 5.0 ranks, so the 95%
        // interval is about 50 ± 9.8. The bounds allow for resampling noise.
        let values: Vec<f64> = (0..=100).map(f64::from).collect();
        let summary = Summary::of(&values, &config(3)).unwrap();
        assert_eq!(summary.median, 50.0);
        assert!((37.0..=45.0).contains(&summary.ci_low), "{summary:?}");
        assert!((55.0..=63.0).contains(&summary.ci_high), "{summary:?}");
    }

    #[test]
    fn single_value_has_no_spread() {
        let summary = Summary::of(&[12.5], &config(0)).unwrap();
        assert_eq!(
            (summary.ci_low, summary.median, summary.ci_high),
            (12.5, 12.5, 12.5)
        );
        assert!(!summary.spread_known);
        assert_eq!(summary.stddev, 0.0);
        assert_eq!(summary.cv, None);
        assert_eq!(summary.resamples, 0);
    }

    #[test]
    fn constant_sample_has_zero_width_interval() {
        let summary = Summary::of(&[3.0; 6], &config(5)).unwrap();
        assert_eq!((summary.ci_low, summary.ci_high), (3.0, 3.0));
        assert_eq!(summary.cv, Some(0.0));
    }

    #[test]
    fn zero_mean_has_no_cv() {
        let summary = Summary::of(&[-1.0, 1.0], &config(5)).unwrap();
        assert_eq!(summary.cv, None);
    }

    #[test]
    fn seed_decides_interval() {
        let values = [5.0, 1.0, 9.0, 4.0, 7.0, 3.0, 8.0, 2.0];
        let a = Summary::of(&values, &config(11)).unwrap();
        let b = Summary::of(&values, &config(11)).unwrap();
        assert_eq!(a, b);
        let differs = (12..40).any(|seed| {
            let c = Summary::of(&values, &config(seed)).unwrap();
            (c.ci_low, c.ci_high) != (a.ci_low, a.ci_high)
        });
        assert!(differs, "the seed has no effect on the interval");
    }

    #[test]
    fn bad_input_and_config_are_errors() {
        assert!(matches!(
            Summary::of(&[], &config(0)),
            Err(StatsError::Empty { .. })
        ));
        assert!(matches!(
            Summary::of(&[1.0, f64::NAN], &config(0)),
            Err(StatsError::NonFinite { index: 1, .. })
        ));
        let few = BootstrapConfig {
            resamples: 10,
            ..config(0)
        };
        assert!(matches!(
            Summary::of(&[1.0, 2.0], &few),
            Err(StatsError::InvalidConfig {
                setting: "resamples",
                ..
            })
        ));
        for confidence in [0.0, 1.0, f64::NAN, -0.5] {
            let bad = BootstrapConfig {
                confidence,
                ..config(0)
            };
            assert!(matches!(
                Summary::of(&[1.0, 2.0], &bad),
                Err(StatsError::InvalidConfig {
                    setting: "confidence",
                    ..
                })
            ));
        }
    }

    #[test]
    fn resampler_median_of_even_resample_is_midpoint() {
        // Two values: resample medians are 1 (both low), 2 (both high) or 1.5.
        let sorted = [1.0, 2.0];
        let mut resampler = MedianResampler::new(&sorted);
        let mut rng = Xoshiro256StarStar::seed_from_u64(8);
        let mut seen = [0; 3];
        for _ in 0..400 {
            let median = resampler.draw(&mut rng);
            let slot = [1.0, 1.5, 2.0].iter().position(|&m| m == median).unwrap();
            seen[slot] += 1;
        }
        // Expected 100 / 200 / 100.
        assert!(seen.iter().all(|&count| count > 50), "{seen:?}");
        assert!(seen[1] > seen[0] && seen[1] > seen[2], "{seen:?}");
    }

    #[test]
    fn default_config_is_documented_values() {
        let config = BootstrapConfig::default();
        assert_eq!(config.resamples, 10_000);
        assert_eq!(config.confidence, 0.95);
        assert_eq!(config.seed, seed_from_label("podium-stats"));
        assert!(config.validate().is_ok());
    }
}
