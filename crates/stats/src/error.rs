//! Why a statistic could not be computed.

/// Why a statistic could not be computed. Every variant names the sample or setting at
/// fault so that the caller can tell the user which measurement or option to fix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// A sample has no values.
    #[error("{sample} has no values; a figure needs at least one repetition")]
    Empty {
        /// Which sample: "values", "a", "b", "numerator", "denominator".
        sample: &'static str,
    },
    /// A sample holds NaN or an infinity.
    #[error(
        "{sample}[{index}] is {value}, not a finite number; the measurement that produced it failed and should be repeated or dropped"
    )]
    NonFinite {
        /// Which sample.
        sample: &'static str,
        /// Position of the first offending value.
        index: usize,
        /// The value itself (NaN or ±inf).
        value: f64,
    },
    /// A ratio's denominator holds a zero.
    #[error(
        "denominator[{index}] is 0; a ratio of medians needs every denominator value away from zero (was the baseline run empty?)"
    )]
    ZeroDenominator {
        /// Position of the first zero.
        index: usize,
    },
    /// A ratio's denominator holds both positive and negative values, so resampled
    /// medians can come arbitrarily close to zero and the ratio has no useful interval.
    #[error(
        "denominator values change sign (e.g. {positive} and {negative}); a ratio of medians needs a denominator of one sign"
    )]
    DenominatorChangesSign {
        /// One positive denominator value.
        positive: f64,
        /// One negative denominator value.
        negative: f64,
    },
    /// The ratio of medians (or one resampled ratio) does not fit in an f64.
    #[error(
        "the ratio of medians overflows ({numerator} / {denominator}); rescale the values to a common unit first"
    )]
    RatioOverflow {
        /// The numerator median that overflowed.
        numerator: f64,
        /// The denominator median that overflowed.
        denominator: f64,
    },
    /// A configuration value is out of range.
    #[error("invalid {setting}: {reason}")]
    InvalidConfig {
        /// The setting's name, as it appears in the config struct.
        setting: &'static str,
        /// What is wrong and which values are accepted.
        reason: String,
    },
    /// One of several named samples (in [`crate::rank`]) is unusable.
    #[error("sample {name:?}: {source}")]
    InSample {
        /// The sample's name as given by the caller.
        name: String,
        /// What is wrong with it.
        #[source]
        source: Box<StatsError>,
    },
}

/// Checks that a sample is non-empty and finite; `sample` names it in the error.
pub(crate) fn check_sample(values: &[f64], sample: &'static str) -> Result<(), StatsError> {
    if values.is_empty() {
        return Err(StatsError::Empty { sample });
    }
    if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(StatsError::NonFinite {
            sample,
            index,
            value,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_non_finite_samples_are_rejected_with_position() {
        assert_eq!(
            check_sample(&[], "a"),
            Err(StatsError::Empty { sample: "a" })
        );
        let err = check_sample(&[1.0, f64::INFINITY, f64::NAN], "b").unwrap_err();
        assert!(matches!(
            err,
            StatsError::NonFinite {
                sample: "b",
                index: 1,
                ..
            }
        ));
        assert!(err.to_string().contains("b[1] is inf"), "{err}");
        assert!(check_sample(&[0.0, -1.0, f64::MAX], "c").is_ok());
    }
}
