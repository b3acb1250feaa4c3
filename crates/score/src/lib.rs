//! Scoring, ranking and recommendations: turns each subject's figures into radar
//! values, a composite score and a ranking, and answers `podium recommend --profile`.
//!
//! Everything here is a pure function of its inputs except [`Profiles::load`], which
//! reads a weights file. The crate knows nothing about how figures were measured: the
//! caller hands in one [`SubjectFigures`] per subject, with a raw value per radar
//! [`Axis`] (higher is better, in any unit, finite and ≥ 0) and the figure's age in
//! runs, plus named `extras` for the profiles. Bad input (NaN, negative figures,
//! duplicate names, weights that are negative or all zero) is a [`ScoreError`] or a
//! [`ProfileError`], never a panic.
//!
//! # The radar: [`score`]
//!
//! The axes are Performance, Ecosystem, Observability and Hot reload ([`Axis::ALL`]).
//! For subject *s* on axis *a*, with `max_a` the largest raw value any subject has on
//! *a*, `w_a` the axis weight scaled so that the four weights sum to 1
//! ([`Scoreboard::normalised_weights`]) and `decay = 0.95^age_runs` (1 for a figure
//! measured in this run, 0.9025 for one two runs old):
//!
//! ```text
//! normalised(s, a) = value(s, a) × decay(s, a) / max_a            in [0, 1]
//! radar(s, a)      = max(0.05, normalised(s, a) × w_a)            in [0.05, max(0.05, w_a)]
//! ```
//!
//! `max_a` is taken over the raw values, so an old figure is decayed against fresh
//! ones and a subject that was best two runs ago shows 0.9025. When every value on an
//! axis is 0, every subject's normalised value there is 0 (the radar shows the 0.05
//! floor). A subject without a figure on an axis gets no radar point there (`None`,
//! not 0.05) and the axis is listed in [`SubjectScore::missing`]. The unweighted
//! `normalised` value is kept beside the radar value for display.
//!
//! # The composite and the ranking
//!
//! Let *M* be the axes measured for at least one subject. The composite weights are
//! `c_a = w_a / Σ_{b∈M} w_b` for *a* in *M* and 0 otherwise
//! ([`Scoreboard::composite_weights`]), and
//!
//! ```text
//! composite(s) = Σ_{a∈M} c_a × normalised(s, a)                   in [0, 1]
//! ```
//!
//! where `normalised(s, a)` counts as 0 when subject *s* lacks axis *a* although
//! another subject has it ([`SubjectScore::notes`] says so). An axis nobody measured
//! punishes nobody: it is left out and the other weights scale up
//! ([`Scoreboard::notes`] says so). If the weights give nothing to any measured axis
//! there is nothing to rank on and [`score`] returns [`ScoreError::NothingWeighted`].
//!
//! Subjects are ranked by composite, highest first. Composites within
//! [`TIE_TOLERANCE`] (10⁻⁹, i.e. floating-point rounding) of the first composite of a
//! group share that group's rank, and the next rank counts everyone before it
//! ("1, 1, 3"); tied subjects are listed by name. Input order never matters.
//!
//! The default weights are [`DEFAULT_WEIGHTS`] (performance 0.4, the other three 0.2
//! each; the reasons are on the constant). A team overrides them with a top-level
//! `[weights]` table in its weights file; [`Scoreboard::weights`] keeps what was used
//! so that the report can show it.
//!
//! # Recommendation profiles: [`recommend`]
//!
//! A [`Profile`] weighs the four axes and any number of extra figures
//! ([`ExtraWeight`]: the figure's key in [`SubjectFigures::extras`], a weight, and
//! `better = "higher"` or `"lower"`). Extras are normalised per figure across the
//! subjects that have it:
//!
//! ```text
//! higher is better: n(s, f) = v(s, f) / max_f       (0 when every value is 0)
//! lower is better:  n(s, f) = min_f / v(s, f)       (1 when v(s, f) = 0: nothing is lower)
//! ```
//!
//! so with lower-is-better, a subject at 0 scores 1 and every subject above 0 scores
//! 0 on that figure, which suits figures that are never 0 in practice (bytes,
//! seconds, lines) better than counts that can be (dependencies). Extras are not
//! decayed. The profile score is the composite formula above over axes and extras
//! together: each measured figure's weight divided by the sum of the measured
//! figures' weights, missing-for-this-subject counting as 0, figures nobody has left
//! out ([`Recommendation::notes`]). Each [`RecommendedSubject`] carries
//! [`reasons`](RecommendedSubject::reasons) written from its largest contributions,
//! e.g. "smallest binary (3.3 MiB, 1.00 of best)" or "performance 0.92 of the best",
//! and the full breakdown in [`contributions`](RecommendedSubject::contributions).
//!
//! Conventional extra figure names, understood by the reasons' wording (any other
//! name works, read as itself): `binary_bytes` (stripped binary) and
//! `oci_image_bytes` (minimal OCI image), lower is better; `build_cold_s` and
//! `build_warm_s` (build times in seconds), lower; `lines` (lines the subject needs
//! for the contract), lower; `deps` (module dependency count), lower; `rps_<route>`
//! (requests/s of one workload, e.g. `rps_ping`), higher. The extras map holds plain
//! values; the direction is always the profile's business.
//!
//! The bundled profiles ([`Profiles::bundled`], from `profiles.toml` embedded in the
//! crate) are `throughput`, `small-binary`, `productivity` and `observability`; a
//! team's file ([`Profiles::load`]) has the same format, and [`Profiles::merge`] lays
//! it over the bundled one. Errors in a file name the file, the line, the column and
//! the dotted field:
//!
//! ```text
//! team.toml:5:45: field `profile.b.weights.hot_reload` is -0.5; weights must be finite and ≥ 0 (0 leaves the figure out)
//! ```
//!
//! ```toml
//! [weights]                       # optional: the default composite
//! performance = 0.4
//! ecosystem = 0.2
//! observability = 0.2
//! hot_reload = 0.2
//!
//! [profile.small-binary]
//! description = "Smallest stripped binary and OCI image"
//! weights = { performance = 0.15, ecosystem = 0.1, observability = 0.05 }   # missing axes weigh 0
//! extras = [
//!     { figure = "binary_bytes", weight = 0.45, better = "lower" },
//!     { figure = "oci_image_bytes", weight = 0.25, better = "lower" },
//! ]
//! ```
//!
//! # Sensitivity: [`sensitivity`] and [`Recommendation::sensitivity`]
//!
//! How much the top of the ranking depends on the exact weights: each positive weight
//! of a measured figure is multiplied by 0.9 and by 1.1 in turn
//! ([`PERTURBATION_FACTORS`]), the weights renormalised and the subjects ranked again.
//! [`Sensitivity::stable_top`] names the subject that is alone at rank 1 throughout;
//! otherwise [`Sensitivity::summary`] says which change puts whom first, e.g. "the
//! top changes: gin is first with the weights as given; axum is first when
//! performance −10%".
//!
//! # The chart: [`radar_points`]
//!
//! [`RadarSeries`] per subject, in axis order: the radar values to draw, and the
//! normalised and raw figures for the hover text.

mod axis;
mod engine;
mod error;
mod format;
mod profile;
mod radar;
mod recommend;
mod scoreboard;
mod sensitivity;
mod weights;

pub use axis::{Axis, AxisValue, AxisValues, PerAxis, SubjectFigures};
pub use engine::{DECAY_PER_RUN, TIE_TOLERANCE, decay};
pub use error::ScoreError;
pub use profile::{
    BUNDLED_PROFILES, BUNDLED_SOURCE, Better, ExtraWeight, Profile, ProfileError, Profiles,
};
pub use radar::{RadarSeries, radar_points};
pub use recommend::{
    Contribution, MAX_REASONS, Recommendation, RecommendedSubject, WeightShare, recommend,
};
pub use scoreboard::{AxisScore, RADAR_FLOOR, Scoreboard, SubjectScore, score};
pub use sensitivity::{PERTURBATION_FACTORS, Perturbation, Sensitivity, sensitivity};
pub use weights::{DEFAULT_WEIGHTS, Weights};
