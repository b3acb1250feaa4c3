//! Point statistics of one sample: median, quantiles, mean, standard deviation.

use crate::error::{StatsError, check_sample};

/// The median of `values`: the middle value, or for an even count the mean of the two
/// middle values.
pub fn median(values: &[f64]) -> Result<f64, StatsError> {
    check_sample(values, "values")?;
    Ok(median_of_sorted(&sorted(values)))
}

/// The `q`-quantile of `values` (0 ≤ q ≤ 1) by linear interpolation between order
/// statistics: position q·(n − 1) in the sorted sample. This is Hyndman and Fan's
/// type 7, the default of R, NumPy and spreadsheets, so figures can be checked there.
pub fn quantile(values: &[f64], q: f64) -> Result<f64, StatsError> {
    check_sample(values, "values")?;
    check_probability(q, "quantile")?;
    Ok(quantile_of_sorted(&sorted(values), q))
}

/// Rejects `q` outside [0, 1].
pub(crate) fn check_probability(q: f64, setting: &'static str) -> Result<(), StatsError> {
    if (0.0..=1.0).contains(&q) {
        Ok(())
    } else {
        Err(StatsError::InvalidConfig {
            setting,
            reason: format!("{q} is not a probability; use a value from 0 to 1"),
        })
    }
}

/// A sorted copy. Callers have checked that every value is finite, so `total_cmp`
/// orders them numerically (−0.0 before 0.0, which no statistic here can tell apart).
pub(crate) fn sorted(values: &[f64]) -> Vec<f64> {
    let mut copy = values.to_vec();
    copy.sort_unstable_by(f64::total_cmp);
    copy
}

/// Median of a sorted, non-empty slice.
pub(crate) fn median_of_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        // midpoint cannot overflow, unlike (a + b) / 2.
        sorted[n / 2 - 1].midpoint(sorted[n / 2])
    }
}

/// Type-7 quantile of a sorted, non-empty slice; `q` in [0, 1].
pub(crate) fn quantile_of_sorted(sorted: &[f64], q: f64) -> f64 {
    let last = sorted.len() - 1;
    let position = q * last as f64;
    // position is within [0, last], so the floor is a valid index.
    let below = (position.floor() as usize).min(last);
    let above = (below + 1).min(last);
    let fraction = position - below as f64;
    let (low, high) = (sorted[below], sorted[above]);
    if fraction == 0.0 || low == high {
        low
    } else {
        // Weighted form rather than lo + (hi − lo)·f, which overflows for huge spans;
        // the clamp removes rounding that could step a hair outside [lo, hi].
        (low * (1.0 - fraction) + high * fraction).clamp(low, high)
    }
}

/// Mean and sample standard deviation (n − 1 in the denominator; 0 for one value) of
/// a non-empty finite slice. Values are divided by their largest magnitude first so
/// that sums and squares cannot overflow for any finite input.
pub(crate) fn mean_and_stddev(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let scale = values.iter().fold(0.0_f64, |max, v| max.max(v.abs()));
    if scale == 0.0 {
        return (0.0, 0.0);
    }
    let scaled_mean = values.iter().map(|v| v / scale).sum::<f64>() / n;
    let mean = scaled_mean * scale;
    if values.len() < 2 {
        return (mean, 0.0);
    }
    let sum_of_squares: f64 = values
        .iter()
        .map(|v| {
            let deviation = v / scale - scaled_mean;
            deviation * deviation
        })
        .sum();
    (mean, (sum_of_squares / (n - 1.0)).sqrt() * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]).unwrap(), 2.0);
        // NumPy: np.median([3, 1, 4, 2]) == 2.5
        assert_eq!(median(&[3.0, 1.0, 4.0, 2.0]).unwrap(), 2.5);
        assert_eq!(median(&[7.0]).unwrap(), 7.0);
        assert_eq!(median(&[f64::MAX, f64::MAX]).unwrap(), f64::MAX);
    }

    #[test]
    fn quantiles_match_numpy_linear() {
        // Reference: numpy 2.4.6, np.quantile(v, q) with the default (linear) method.
        let values = [12.0, 2.0, 4.0, 4.0, 5.0, 7.0, 9.0, 10.0];
        let reference = [
            (0.0, 2.0),
            (0.1, 3.4),
            (0.25, 4.0),
            (0.5, 6.0),
            (0.75, 9.25),
            (0.9, 10.6),
            (1.0, 12.0),
        ];
        for (q, expected) in reference {
            let actual = quantile(&values, q).unwrap();
            assert!(
                (actual - expected).abs() < 1e-12,
                "q={q}: {actual} vs {expected}"
            );
        }
    }

    #[test]
    fn quantile_rejects_bad_probability_and_bad_values() {
        assert!(matches!(
            quantile(&[1.0], 1.5),
            Err(StatsError::InvalidConfig { .. })
        ));
        assert!(matches!(
            quantile(&[1.0], f64::NAN),
            Err(StatsError::InvalidConfig { .. })
        ));
        assert!(matches!(quantile(&[], 0.5), Err(StatsError::Empty { .. })));
        assert!(matches!(
            median(&[1.0, f64::NAN]),
            Err(StatsError::NonFinite { index: 1, .. })
        ));
    }

    #[test]
    fn mean_and_stddev_match_numpy() {
        // Reference: numpy 2.4.6, np.mean(v) and np.std(v, ddof=1).
        let (mean, stddev) = mean_and_stddev(&[2.0, 4.0, 4.0, 5.0, 7.0, 9.0, 10.0, 12.0]);
        assert!((mean - 6.625).abs() < 1e-12);
        assert!((stddev - 3.461_523_198_989_551_6).abs() < 1e-12);
        assert_eq!(mean_and_stddev(&[5.0]), (5.0, 0.0));
        assert_eq!(mean_and_stddev(&[0.0, 0.0]), (0.0, 0.0));
    }

    #[test]
    fn mean_and_stddev_do_not_overflow() {
        let (mean, stddev) = mean_and_stddev(&[f64::MAX, f64::MAX, f64::MAX]);
        assert_eq!(stddev, 0.0);
        assert!(mean.is_finite());
        let (mean, _) = mean_and_stddev(&[f64::MAX, -f64::MAX]);
        assert_eq!(mean, 0.0);
    }
}
