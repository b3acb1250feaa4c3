//! Statistics kept apart from measurement: given one value per repetition of a
//! measurement (requests/s of 5 runs, p99 latency in ms, ...), say what the figure is
//! with its spread, and whether two subjects really differ.
//!
//! The crate knows nothing about HTTP, load or subjects; it takes slices of `f64` and
//! returns serialisable results (the store keeps them as JSON). Bad input (no values,
//! NaN, infinities, zero denominators) is a [`StatsError`], never a panic.
//!
//! # One figure: [`Summary`]
//!
//! [`Summary::of`] gives n, median, mean, min, max, standard deviation, coefficient of
//! variation and a confidence interval of the **median**. The median, not the mean,
//! because benchmark repetitions are skewed by the odd slow run (a GC pause, a noisy
//! neighbour) and the median shrugs that off. The interval is a **percentile
//! bootstrap**: resample the repetitions with replacement ([`BootstrapConfig`]:
//! default 10 000 resamples, 95% confidence), take each resample's median, and read
//! the 2.5% and 97.5% percentiles of those medians. It assumes no distribution, which
//! matters with 3 to 10 repetitions of unknown shape, and it is never wider than the
//! data. With one repetition the interval collapses to the value and
//! [`Summary::spread_known`] is false.
//!
//! Resampling uses a PRNG implemented here (SplitMix64 seeding xoshiro256**,
//! [`Xoshiro256StarStar`]) so that a seed gives the same interval on every machine and
//! with every dependency version; [`seed_from_label`] (64-bit FNV-1a) turns a figure's
//! label such as `"stdlib/ping/rps"` into its seed.
//!
//! # Two subjects: [`compare`]
//!
//! [`compare`] answers "is A better, worse, or within noise of B?" and says how it
//! decided ([`Method`]), per DESIGN.md: two frameworks are "different" only when the
//! difference is significant.
//!
//! - **Mann-Whitney U** ([`mann_whitney_u`]) when the sample sizes allow it: the rank
//!   test assumes no distribution and is robust to outliers. With 3 repetitions
//!   against 3, though, its smallest possible two-sided p-value is 2 / C(6, 3) = 0.1:
//!   it could never report a difference at α = 0.05, however large. So the test is
//!   used only when its p-value for complete separation is below α
//!   ([`smallest_possible_p_value`]: 2 / C(n_A + n_B, n_A) in the exact range; from 4
//!   against 4 at α = 0.05).
//! - **CI overlap** otherwise: different only when the two bootstrap intervals of the
//!   medians do not overlap, a conservative rule that still works with 2 or 3
//!   repetitions (and never with 1: no spread, no verdict).
//!
//! Either way a difference of medians smaller than
//! [`CompareConfig::min_relative_effect`] (default 0) is within noise, and so is a
//! significant rank difference whose medians are equal or point the other way. The
//! verdict's direction is that of the medians; [`Comparison::explanation`] states the
//! figures, the ratio and the test in one line.
//!
//! The exact U distribution is used for samples of up to 25 values without ties,
//! the normal approximation with tie and continuity corrections otherwise; both
//! reproduce SciPy's `mannwhitneyu`. The normal tail uses [`erfc`] (Numerical Recipes'
//! Chebyshev fit, relative error < 1.2e-7).
//!
//! # More
//!
//! - [`ratio_of_medians`]: median(num) / median(den) with a bootstrap interval that
//!   resamples both sides independently (middleware cost: `/mw/ping` ÷ `/ping`).
//! - [`rank`]: several subjects ordered by median, neighbours within noise grouped.
//! - [`high_variance`], [`tukey_outliers`], [`detect_anomalies`] and [`Anomaly`]: when
//!   repetitions disagree enough to be worth an extra CPU profile.

mod anomaly;
mod compare;
mod error;
mod format;
mod mann_whitney;
mod normal;
mod rank;
mod ratio;
mod rng;
mod sample;
mod summary;

pub use anomaly::{
    Anomaly, DEFAULT_CV_THRESHOLD, TUKEY_FENCE, TUKEY_MIN_VALUES, detect_anomalies, high_variance,
    tukey_outliers,
};
pub use compare::{
    CompareConfig, Comparison, DEFAULT_ALPHA, Direction, FigureKind, Method, Reason, Verdict,
    compare,
};
pub use error::StatsError;
pub use mann_whitney::{
    EXACT_MAX_SAMPLE_SIZE, MannWhitney, MannWhitneyMethod, mann_whitney_u,
    smallest_possible_p_value,
};
pub use normal::{erfc, normal_cdf, normal_sf};
pub use rank::{RankEntry, rank};
pub use ratio::{RatioSummary, ratio_of_medians};
pub use rng::{SplitMix64, Xoshiro256StarStar, seed_from_label};
pub use sample::{median, quantile};
pub use summary::{BootstrapConfig, DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, MIN_RESAMPLES, Summary};
