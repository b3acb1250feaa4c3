//! Ratio of two medians with a bootstrap interval: overheads such as middleware cost
//! (`/mw/ping` rps ÷ `/ping` rps).

use serde::{Deserialize, Serialize};

use crate::error::{StatsError, check_sample};
use crate::rng::Xoshiro256StarStar;
use crate::sample::{median_of_sorted, sorted};
use crate::summary::{BootstrapConfig, MedianResampler, percentile_interval};

/// median(numerator) / median(denominator) with its confidence interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatioSummary {
    /// The point ratio of the two sample medians.
    pub ratio: f64,
    /// Lower end of the bootstrap interval.
    pub ci_low: f64,
    /// Upper end of the bootstrap interval.
    pub ci_high: f64,
    /// Confidence level of the interval.
    pub confidence: f64,
    /// Repetitions in the numerator.
    pub n_num: usize,
    /// Repetitions in the denominator.
    pub n_den: usize,
    /// False when either side has a single repetition: the interval then reflects only
    /// the other side's spread (or collapses to the ratio when both have one).
    pub spread_known: bool,
}

impl RatioSummary {
    /// The ratio as a relative change, e.g. 0.93 → −0.07 (a 7% cost).
    pub fn relative_change(&self) -> f64 {
        self.ratio - 1.0
    }
}

/// Bootstrap confidence interval of median(num) / median(den).
///
/// Each resample draws the numerator and the denominator independently, with
/// replacement and at their own sizes (the two are separate runs, not pairs), and
/// takes the ratio of the two medians; the interval is the percentile interval of
/// those ratios, widened to include the point ratio should it fall outside. One PRNG
/// seeded with `config.seed` serves both, so results are reproducible.
///
/// Errors: an empty sample or a non-finite value; a zero in the denominator; a
/// denominator with both signs (resampled medians could then approach zero); a ratio
/// too large for an f64; an invalid config.
pub fn ratio_of_medians(
    num: &[f64],
    den: &[f64],
    config: &BootstrapConfig,
) -> Result<RatioSummary, StatsError> {
    check_sample(num, "numerator")?;
    check_sample(den, "denominator")?;
    config.validate()?;
    if let Some(index) = den.iter().position(|&v| v == 0.0) {
        return Err(StatsError::ZeroDenominator { index });
    }
    let positive = den.iter().copied().find(|&v| v > 0.0);
    let negative = den.iter().copied().find(|&v| v < 0.0);
    if let (Some(positive), Some(negative)) = (positive, negative) {
        return Err(StatsError::DenominatorChangesSign { positive, negative });
    }

    let (num_sorted, den_sorted) = (sorted(num), sorted(den));
    let ratio = checked_ratio(median_of_sorted(&num_sorted), median_of_sorted(&den_sorted))?;
    let spread_known = num.len() >= 2 && den.len() >= 2;
    let (ci_low, ci_high) = if num.len() == 1 && den.len() == 1 {
        (ratio, ratio)
    } else {
        let mut rng = Xoshiro256StarStar::seed_from_u64(config.seed);
        let mut num_resampler = MedianResampler::new(&num_sorted);
        let mut den_resampler = MedianResampler::new(&den_sorted);
        let mut ratios = Vec::with_capacity(config.resamples);
        for _ in 0..config.resamples {
            let numerator = num_resampler.draw(&mut rng);
            let denominator = den_resampler.draw(&mut rng);
            ratios.push(checked_ratio(numerator, denominator)?);
        }
        let (low, high) = percentile_interval(ratios, config.confidence);
        (low.min(ratio), high.max(ratio))
    };
    Ok(RatioSummary {
        ratio,
        ci_low,
        ci_high,
        confidence: config.confidence,
        n_num: num.len(),
        n_den: den.len(),
        spread_known,
    })
}

/// `numerator / denominator` for a non-zero denominator, or an error if it overflows.
fn checked_ratio(numerator: f64, denominator: f64) -> Result<f64, StatsError> {
    let ratio = numerator / denominator;
    if ratio.is_finite() {
        Ok(ratio)
    } else {
        Err(StatsError::RatioOverflow {
            numerator,
            denominator,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> BootstrapConfig {
        BootstrapConfig {
            resamples: 2_000,
            ..BootstrapConfig::for_label("ratio-tests")
        }
    }

    #[test]
    fn middleware_cost_ratio() {
        let with_middleware = [93_100.0, 92_800.0, 93_500.0, 92_950.0, 93_200.0];
        let without = [100_200.0, 99_900.0, 100_400.0, 100_050.0, 99_800.0];
        let summary = ratio_of_medians(&with_middleware, &without, &config()).unwrap();
        assert!((summary.ratio - 93_100.0 / 100_050.0).abs() < 1e-12);
        assert!(summary.ci_low <= summary.ratio && summary.ratio <= summary.ci_high);
        // The interval cannot leave the range of ratios of the extreme values.
        assert!(summary.ci_low >= 92_800.0 / 100_400.0);
        assert!(summary.ci_high <= 93_500.0 / 99_800.0);
        assert!(summary.ci_low < summary.ci_high);
        assert!(summary.spread_known);
        assert!((summary.relative_change() + 0.069_465).abs() < 1e-5);
        assert_eq!((summary.n_num, summary.n_den), (5, 5));
    }

    #[test]
    fn exact_multiple_has_tight_interval() {
        let den = [10.0, 11.0, 12.0, 13.0];
        let num = [20.0, 22.0, 24.0, 26.0];
        let summary = ratio_of_medians(&num, &den, &config()).unwrap();
        assert_eq!(summary.ratio, 2.0);
        // Independent resampling still spreads the interval, but within [20/13, 26/10].
        assert!(summary.ci_low >= 20.0 / 13.0 && summary.ci_high <= 26.0 / 10.0);
    }

    #[test]
    fn single_values_collapse() {
        let summary = ratio_of_medians(&[3.0], &[4.0], &config()).unwrap();
        assert_eq!(
            (summary.ci_low, summary.ratio, summary.ci_high),
            (0.75, 0.75, 0.75)
        );
        assert!(!summary.spread_known);
    }

    #[test]
    fn negative_denominators_of_one_sign_are_fine() {
        let summary = ratio_of_medians(&[4.0, 6.0], &[-2.0, -2.0], &config()).unwrap();
        assert_eq!(summary.ratio, -2.5);
    }

    #[test]
    fn bad_denominators_are_errors() {
        assert_eq!(
            ratio_of_medians(&[1.0, 2.0], &[3.0, 0.0], &config()),
            Err(StatsError::ZeroDenominator { index: 1 })
        );
        assert_eq!(
            ratio_of_medians(&[1.0], &[2.0, -1.0], &config()),
            Err(StatsError::DenominatorChangesSign {
                positive: 2.0,
                negative: -1.0
            })
        );
        assert!(matches!(
            ratio_of_medians(&[f64::MAX], &[0.5], &config()),
            Err(StatsError::RatioOverflow { .. })
        ));
        assert!(matches!(
            ratio_of_medians(&[1.0], &[], &config()),
            Err(StatsError::Empty {
                sample: "denominator"
            })
        ));
        assert!(matches!(
            ratio_of_medians(&[f64::NAN], &[1.0], &config()),
            Err(StatsError::NonFinite {
                sample: "numerator",
                ..
            })
        ));
    }

    #[test]
    fn same_seed_same_interval() {
        let num = [5.0, 7.0, 6.0, 9.0];
        let den = [3.0, 2.0, 4.0];
        let first = ratio_of_medians(&num, &den, &config()).unwrap();
        let second = ratio_of_medians(&num, &den, &config()).unwrap();
        assert_eq!(first, second);
    }
}
