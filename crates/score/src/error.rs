//! Why subjects could not be scored.

use serde::{Deserialize, Serialize};

/// Why a set of subjects could not be scored, ranked or recommended. Every variant names
/// the subject, figure or weight at fault and says what to change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum ScoreError {
    /// A subject has an empty name.
    #[error(
        "subject #{index} (0-based) has an empty name; every scored subject needs its name for the ranking"
    )]
    EmptyName {
        /// Position of the subject in the input.
        index: usize,
    },
    /// Two subjects share a name.
    #[error(
        "subject {name:?} appears twice; score each subject once (merge or rename the duplicates)"
    )]
    DuplicateSubject {
        /// The repeated name.
        name: String,
    },
    /// An axis or extra figure is NaN, infinite or negative.
    #[error(
        "subject {subject:?}: figure {figure} is {value}; figures must be finite and ≥ 0, so the measurement that produced it should be repeated or dropped"
    )]
    InvalidFigure {
        /// The subject.
        subject: String,
        /// The axis key (`performance`, …) or the extra figure's name.
        figure: String,
        /// The offending value.
        value: f64,
    },
    /// A weight is NaN, infinite or negative.
    #[error(
        "weight {weight} is {value}; weights must be finite and ≥ 0 (0 leaves the figure out of the score)"
    )]
    InvalidWeight {
        /// The axis key or extra figure name.
        weight: String,
        /// The offending value.
        value: f64,
    },
    /// Every weight is zero.
    #[error("every weight is 0; give at least one axis or extra figure a positive weight")]
    AllWeightsZero,
    /// An extra figure of a profile is unusable (empty, repeated, or named like an axis).
    #[error("extra figure {figure:?} {problem}")]
    InvalidExtra {
        /// The figure name as written.
        figure: String,
        /// What is wrong.
        problem: String,
    },
    /// No figure that carries weight was measured for any subject.
    #[error(
        "nothing to rank on: the figures with weight ({weighted}) were measured for no subject, and the measured ones ({measured}) have weight 0; measure a weighted figure or give weight to a measured one"
    )]
    NothingWeighted {
        /// Comma-separated names of the figures that carry weight.
        weighted: String,
        /// Comma-separated names of the figures measured for at least one subject
        /// ("none" when nothing was measured).
        measured: String,
    },
}
