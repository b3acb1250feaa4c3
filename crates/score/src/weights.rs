//! How much each radar axis counts in the composite score.

use crate::axis::{Axis, PerAxis};
use crate::error::ScoreError;
use serde::{Deserialize, Serialize};

/// The composite's weights when neither the user nor a profile gives any.
///
/// Performance gets twice the weight of each other axis, 0.4 against 0.2, because it
/// is the figure Podium measures most carefully (pinned, isolated, repeated, with
/// confidence intervals) and the one most teams ask a benchmark about first; yet it
/// stays below half, so a framework that is a little faster but has no working
/// OpenTelemetry support or a poor hot-reload loop can still lose to a more rounded
/// one. Ecosystem, observability and hot reload are weighed equally because which of
/// them matters more depends on the team, and the recommendation profiles exist to
/// express that.
pub const DEFAULT_WEIGHTS: Weights = Weights {
    performance: 0.4,
    ecosystem: 0.2,
    observability: 0.2,
    hot_reload: 0.2,
};

/// One weight per radar axis: finite, ≥ 0, not all zero. Only their ratios matter;
/// they are normalised to sum 1 before use ([`Weights::normalised`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    /// Weight of the performance axis.
    pub performance: f64,
    /// Weight of the ecosystem axis.
    pub ecosystem: f64,
    /// Weight of the observability axis.
    pub observability: f64,
    /// Weight of the hot-reload axis.
    pub hot_reload: f64,
}

impl Default for Weights {
    fn default() -> Self {
        DEFAULT_WEIGHTS
    }
}

impl Weights {
    /// The weight of `axis`.
    pub fn get(&self, axis: Axis) -> f64 {
        match axis {
            Axis::Performance => self.performance,
            Axis::Ecosystem => self.ecosystem,
            Axis::Observability => self.observability,
            Axis::HotReload => self.hot_reload,
        }
    }

    /// The weights as a [`PerAxis`].
    pub fn to_per_axis(&self) -> PerAxis<f64> {
        PerAxis::from_fn(|axis| self.get(axis))
    }

    /// The weights from a [`PerAxis`].
    pub fn from_per_axis(values: PerAxis<f64>) -> Self {
        Weights {
            performance: values.performance,
            ecosystem: values.ecosystem,
            observability: values.observability,
            hot_reload: values.hot_reload,
        }
    }

    /// Checks that every weight is finite and ≥ 0 and that one is positive.
    pub fn validate(&self) -> Result<(), ScoreError> {
        for axis in Axis::ALL {
            check_weight(axis.key(), self.get(axis))?;
        }
        if Axis::ALL.into_iter().all(|axis| self.get(axis) == 0.0) {
            return Err(ScoreError::AllWeightsZero);
        }
        Ok(())
    }

    /// The weights scaled to sum 1 (after [`Weights::validate`]).
    pub fn normalised(&self) -> Result<Weights, ScoreError> {
        self.validate()?;
        let sum: f64 = Axis::ALL.into_iter().map(|axis| self.get(axis)).sum();
        Ok(Weights::from_per_axis(PerAxis::from_fn(|axis| {
            self.get(axis) / sum
        })))
    }
}

/// A weight must be finite and ≥ 0.
pub(crate) fn check_weight(name: &str, value: f64) -> Result<(), ScoreError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(ScoreError::InvalidWeight {
            weight: name.to_string(),
            value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_weights_sum_to_one() {
        let w = Weights::default();
        let sum: f64 = Axis::ALL.into_iter().map(|a| w.get(a)).sum();
        assert!((sum - 1.0).abs() < 1e-12);
        assert_eq!(w.normalised().unwrap().performance, w.performance);
    }

    #[test]
    fn normalising_keeps_ratios() {
        let w = Weights {
            performance: 4.0,
            ecosystem: 2.0,
            observability: 2.0,
            hot_reload: 0.0,
        };
        let n = w.normalised().unwrap();
        assert_eq!(n.performance, 0.5);
        assert_eq!(n.ecosystem, 0.25);
        assert_eq!(n.observability, 0.25);
        assert_eq!(n.hot_reload, 0.0);
    }

    #[test]
    fn negative_nan_and_all_zero_weights_are_rejected() {
        let mut w = Weights {
            ecosystem: -0.1,
            ..Weights::default()
        };
        let err = w.validate().unwrap_err();
        assert_eq!(
            err,
            ScoreError::InvalidWeight {
                weight: "ecosystem".into(),
                value: -0.1
            }
        );
        assert!(
            err.to_string().contains("weight ecosystem is -0.1"),
            "{err}"
        );

        w.ecosystem = f64::NAN;
        assert!(matches!(
            w.validate(),
            Err(ScoreError::InvalidWeight { ref weight, .. }) if weight == "ecosystem"
        ));

        let zero = Weights::from_per_axis(PerAxis::from_fn(|_| 0.0));
        assert_eq!(zero.validate(), Err(ScoreError::AllWeightsZero));
        assert_eq!(zero.normalised(), Err(ScoreError::AllWeightsZero));
    }

    #[test]
    fn json_rejects_unknown_axes() {
        let err = serde_json::from_str::<Weights>(
            r#"{"performance":1,"ecosystem":0,"observability":0,"hot_reload":0,"speed":1}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("speed"), "{err}");
    }
}
