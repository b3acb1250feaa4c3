//! Signs that a figure's repetitions are not telling one story, used to decide when to
//! take an extra CPU profile.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{StatsError, check_sample};
use crate::sample::{quantile_of_sorted, sorted};
use crate::summary::Summary;

/// Default coefficient-of-variation threshold: repetitions of a steady benchmark on a
/// quiet machine usually vary by a few percent; beyond 10% something (CPU frequency,
/// GC, another process) is interfering.
pub const DEFAULT_CV_THRESHOLD: f64 = 0.10;

/// Tukey's fence multiplier: values beyond 1.5 interquartile ranges from the quartiles
/// are outliers.
pub const TUKEY_FENCE: f64 = 1.5;

/// Fewest values for which quartiles, and so Tukey's fences, mean anything.
pub const TUKEY_MIN_VALUES: usize = 4;

/// Why a figure looks suspicious. Callers may construct these for reasons of their own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Anomaly {
    /// The coefficient of variation is above the threshold.
    HighVariance {
        /// The figure's coefficient of variation.
        cv: f64,
        /// The threshold it exceeded.
        threshold: f64,
    },
    /// Some repetitions lie beyond Tukey's fences.
    Outliers {
        /// Their positions in the sample, in input order.
        indices: Vec<usize>,
    },
    /// A single repetition: the spread is unknown.
    SingleRepetition,
}

impl fmt::Display for Anomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::HighVariance { cv, threshold } => write!(
                f,
                "high variance: repetitions vary by {:.1}% (coefficient of variation), above {:.1}%",
                cv * 100.0,
                threshold * 100.0
            ),
            Self::Outliers { indices } => {
                let list: Vec<String> = indices.iter().map(|i| format!("#{}", i + 1)).collect();
                write!(
                    f,
                    "outlying repetition{} {} (beyond 1.5 IQR)",
                    if indices.len() == 1 { "" } else { "s" },
                    list.join(", ")
                )
            }
            Self::SingleRepetition => write!(f, "a single repetition: spread unknown"),
        }
    }
}

/// True when the summary's coefficient of variation is above `cv_threshold` (see
/// [`DEFAULT_CV_THRESHOLD`]). A summary without a CV (mean 0, or one repetition) is
/// not flagged.
pub fn high_variance(summary: &Summary, cv_threshold: f64) -> bool {
    summary.cv.is_some_and(|cv| cv > cv_threshold)
}

/// Positions of values beyond Tukey's fences: below Q1 − 1.5·IQR or above
/// Q3 + 1.5·IQR, with type-7 quartiles. Fewer than [`TUKEY_MIN_VALUES`] values give
/// no outliers. Errors: an empty sample or a non-finite value.
pub fn tukey_outliers(values: &[f64]) -> Result<Vec<usize>, StatsError> {
    check_sample(values, "values")?;
    if values.len() < TUKEY_MIN_VALUES {
        return Ok(Vec::new());
    }
    let sorted = sorted(values);
    let (q1, q3) = (
        quantile_of_sorted(&sorted, 0.25),
        quantile_of_sorted(&sorted, 0.75),
    );
    // Fences computed as q ± 1.5·(q3 − q1) could overflow for extreme spans; the halved
    // form keeps every intermediate finite.
    let half_iqr = q3 / 2.0 - q1 / 2.0;
    let reach = 2.0 * TUKEY_FENCE * half_iqr;
    let (low_fence, high_fence) = (q1 - reach, q3 + reach);
    Ok(values
        .iter()
        .enumerate()
        .filter(|&(_, &v)| v < low_fence || v > high_fence)
        .map(|(index, _)| index)
        .collect())
}

/// Every anomaly of one figure: single repetition, high variance, outliers.
pub fn detect_anomalies(
    values: &[f64],
    summary: &Summary,
    cv_threshold: f64,
) -> Result<Vec<Anomaly>, StatsError> {
    let mut anomalies = Vec::new();
    if !summary.spread_known {
        anomalies.push(Anomaly::SingleRepetition);
    }
    if let Some(cv) = summary.cv.filter(|_| high_variance(summary, cv_threshold)) {
        anomalies.push(Anomaly::HighVariance {
            cv,
            threshold: cv_threshold,
        });
    }
    let indices = tukey_outliers(values)?;
    if !indices.is_empty() {
        anomalies.push(Anomaly::Outliers { indices });
    }
    Ok(anomalies)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::BootstrapConfig;

    fn summary(values: &[f64]) -> Summary {
        let config = BootstrapConfig {
            resamples: 200,
            ..BootstrapConfig::default()
        };
        Summary::of(values, &config).unwrap()
    }

    #[test]
    fn outliers_beyond_fences() {
        // Sorted: 10 11 12 13 14 15 16 50; numpy quantiles: Q1 11.75, Q3 15.25,
        // IQR 3.5, fences 6.5 and 20.5: only 50 (index 3) is outside.
        let values = [12.0, 10.0, 14.0, 50.0, 11.0, 13.0, 16.0, 15.0];
        assert_eq!(tukey_outliers(&values).unwrap(), vec![3]);
        let low = [100.0, 101.0, 99.0, 102.0, 1.0, 100.5];
        assert_eq!(tukey_outliers(&low).unwrap(), vec![4]);
        assert!(
            tukey_outliers(&[1.0, 2.0, 3.0, 4.0, 5.0])
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn too_few_values_have_no_outliers() {
        assert!(tukey_outliers(&[1.0, 2.0, 1000.0]).unwrap().is_empty());
        assert!(tukey_outliers(&[f64::NAN]).is_err());
        assert!(tukey_outliers(&[]).is_err());
    }

    #[test]
    fn constant_sample_has_no_outliers_and_extremes_do_not_overflow() {
        assert!(tukey_outliers(&[7.0; 6]).unwrap().is_empty());
        let extreme = [-f64::MAX, -f64::MAX, f64::MAX, f64::MAX];
        assert!(tukey_outliers(&extreme).unwrap().is_empty());
    }

    #[test]
    fn high_variance_uses_threshold() {
        let steady = summary(&[100.0, 101.0, 99.0, 100.5]);
        let noisy = summary(&[100.0, 140.0, 70.0, 110.0]);
        assert!(!high_variance(&steady, DEFAULT_CV_THRESHOLD));
        assert!(high_variance(&noisy, DEFAULT_CV_THRESHOLD));
        assert!(!high_variance(&summary(&[5.0]), 0.0));
    }

    #[test]
    fn detect_lists_every_reason() {
        let values = [100.0, 101.0, 99.0, 100.0, 160.0, 100.5, 99.5, 100.2];
        let anomalies = detect_anomalies(&values, &summary(&values), DEFAULT_CV_THRESHOLD).unwrap();
        assert_eq!(anomalies.len(), 2, "{anomalies:?}");
        assert!(matches!(anomalies[0], Anomaly::HighVariance { .. }));
        assert_eq!(anomalies[1], Anomaly::Outliers { indices: vec![4] });
        assert_eq!(
            detect_anomalies(&[3.0], &summary(&[3.0]), DEFAULT_CV_THRESHOLD).unwrap(),
            vec![Anomaly::SingleRepetition]
        );
    }

    #[test]
    fn display_is_readable() {
        let high = Anomaly::HighVariance {
            cv: 0.153,
            threshold: 0.1,
        };
        assert_eq!(
            high.to_string(),
            "high variance: repetitions vary by 15.3% (coefficient of variation), above 10.0%"
        );
        let outliers = Anomaly::Outliers {
            indices: vec![0, 4],
        };
        assert_eq!(
            outliers.to_string(),
            "outlying repetitions #1, #5 (beyond 1.5 IQR)"
        );
    }
}
