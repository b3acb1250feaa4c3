//! Do two subjects really differ on one figure? The verdict, the method behind it and a
//! sentence explaining it.

use serde::{Deserialize, Serialize};

use crate::error::{StatsError, check_sample};
use crate::format;
use crate::mann_whitney::{MannWhitney, mann_whitney_u, smallest_possible_p_value};
use crate::summary::{BootstrapConfig, Summary};

/// Default significance level.
pub const DEFAULT_ALPHA: f64 = 0.05;

/// Which way a figure improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Direction {
    /// More is better: throughput.
    HigherIsBetter,
    /// Less is better: latency, memory, binary size.
    LowerIsBetter,
}

/// What a figure measures; decides the words of a verdict and the usual direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FigureKind {
    /// Requests or messages per second.
    Throughput,
    /// Time per request.
    Latency,
    /// Size on disk (binary, image).
    Size,
    /// Memory in use.
    Memory,
    /// Anything else: verdicts read "better" / "worse".
    Other,
}

impl FigureKind {
    /// The direction in which this kind of figure improves (`Other` is assumed to be
    /// higher-is-better; pass a direction explicitly when it is not).
    pub fn direction(self) -> Direction {
        match self {
            Self::Throughput | Self::Other => Direction::HigherIsBetter,
            Self::Latency | Self::Size | Self::Memory => Direction::LowerIsBetter,
        }
    }
}

/// A relative to B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Verdict {
    /// A is significantly better than B in the figure's direction.
    Better,
    /// A is significantly worse than B.
    Worse,
    /// No difference shown: within noise.
    WithinNoise,
}

impl Verdict {
    /// The word for this verdict on a figure of this kind: speed figures (throughput
    /// and latency alike) say "faster" / "slower", since lower latency is faster;
    /// size and memory say "smaller" / "larger"; anything else "better" / "worse".
    pub fn label(self, kind: FigureKind) -> &'static str {
        match (self, kind) {
            (Self::WithinNoise, _) => "within noise",
            (Self::Better, FigureKind::Throughput | FigureKind::Latency) => "faster",
            (Self::Worse, FigureKind::Throughput | FigureKind::Latency) => "slower",
            (Self::Better, FigureKind::Size | FigureKind::Memory) => "smaller",
            (Self::Worse, FigureKind::Size | FigureKind::Memory) => "larger",
            (Self::Better, FigureKind::Other) => "better",
            (Self::Worse, FigureKind::Other) => "worse",
        }
    }

    /// The verdict for B relative to A.
    pub fn reversed(self) -> Self {
        match self {
            Self::Better => Self::Worse,
            Self::Worse => Self::Better,
            Self::WithinNoise => Self::WithinNoise,
        }
    }
}

/// How significance was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Method {
    /// Two-sided Mann-Whitney U test at level alpha.
    MannWhitneyU,
    /// Non-overlap of the two bootstrap confidence intervals of the medians, used when
    /// the samples are too small for Mann-Whitney U ever to reach alpha.
    CiOverlap,
}

/// Why the verdict is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Reason {
    /// The difference is significant and large enough.
    Significant,
    /// p ≥ alpha, or the confidence intervals overlap.
    NotSignificant,
    /// Confidence intervals were to be compared but one sample has one repetition, so
    /// its spread is unknown.
    NoSpread,
    /// The ranks differ significantly but the medians are equal or differ the other
    /// way (possible with skewed or bimodal samples); no direction can be claimed.
    MediansDisagree,
    /// Significant, but the medians differ by less than `min_relative_effect`.
    BelowMinimumEffect,
}

/// How two samples are compared.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CompareConfig {
    /// Significance level of Mann-Whitney U, strictly between 0 and 1 (default 0.05).
    /// It also decides the method: see [`compare`].
    pub alpha: f64,
    /// Settings of the confidence intervals in the summaries (and of the CI-overlap
    /// method).
    pub bootstrap: BootstrapConfig,
    /// Smallest relative difference of medians that can count as a difference,
    /// measured against the larger median: |m_A − m_B| / max(|m_A|, |m_B|). Default 0:
    /// any significant difference counts. With 0.02, a significant 1.5% gap is still
    /// within noise.
    pub min_relative_effect: f64,
}

impl Default for CompareConfig {
    fn default() -> Self {
        Self {
            alpha: DEFAULT_ALPHA,
            bootstrap: BootstrapConfig::default(),
            min_relative_effect: 0.0,
        }
    }
}

impl CompareConfig {
    /// Rejects settings that cannot give a verdict.
    pub fn validate(&self) -> Result<(), StatsError> {
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(StatsError::InvalidConfig {
                setting: "alpha",
                reason: format!(
                    "{} is not a significance level; use a value strictly between 0 and 1, such as {DEFAULT_ALPHA}",
                    self.alpha
                ),
            });
        }
        if !(self.min_relative_effect >= 0.0 && self.min_relative_effect.is_finite()) {
            return Err(StatsError::InvalidConfig {
                setting: "min_relative_effect",
                reason: format!(
                    "{} is not a relative difference; use 0 (any difference) or a positive fraction such as 0.02 for 2%",
                    self.min_relative_effect
                ),
            });
        }
        self.bootstrap.validate()
    }
}

/// The answer to "does A differ from B on this figure?".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// A relative to B.
    pub verdict: Verdict,
    /// How significance was decided.
    pub method: Method,
    /// Why the verdict is what it is.
    pub reason: Reason,
    /// Which way the figure improves.
    pub direction: Direction,
    /// Mann-Whitney U p-value (two-sided); None with the CI-overlap method.
    pub p_value: Option<f64>,
    /// The full Mann-Whitney U result; None with the CI-overlap method.
    pub mann_whitney: Option<MannWhitney>,
    /// median_A / median_B; None when B's median is 0 (or the ratio overflows).
    pub ratio: Option<f64>,
    /// |median_A − median_B| / max(|median_A|, |median_B|), 0 when both are 0.
    pub relative_difference: f64,
    /// Significance level used.
    pub alpha: f64,
    /// Minimum relative effect used.
    pub min_relative_effect: f64,
    /// Summary of A.
    pub summary_a: Summary,
    /// Summary of B.
    pub summary_b: Summary,
    /// One line for humans, without a unit (see [`Comparison::explain`]), e.g.
    /// "median 41 200 vs 39 800 (1.04×); Mann-Whitney U p = 0.0081 < 0.05".
    pub explanation: String,
}

impl Comparison {
    /// The explanation with a unit after the figures, e.g. `explain("req/s")` gives
    /// "median 41 200 vs 39 800 req/s (1.04×); Mann-Whitney U p = 0.0081 < 0.05".
    pub fn explain(&self, unit: &str) -> String {
        let unit = if unit.is_empty() {
            String::new()
        } else {
            format!(" {unit}")
        };
        let (a, b) = (&self.summary_a, &self.summary_b);
        let ratio = match self.ratio {
            Some(ratio) => format!("{ratio:.2}×"),
            None => "no ratio: B's median is 0".to_string(),
        };
        let head = format!(
            "median {} vs {}{unit} ({ratio})",
            format::figure(a.median),
            format::figure(b.median)
        );
        let alpha = self.alpha;
        let test = match (self.method, self.p_value) {
            (Method::MannWhitneyU, Some(p)) => {
                let relation = if p < alpha { "<" } else { "≥" };
                format!(
                    "Mann-Whitney U p = {} {relation} {alpha}",
                    format::p_value(p)
                )
            }
            _ => {
                let too_few = format!(
                    "{} and {} repetitions are too few for Mann-Whitney U to reach p < {alpha}",
                    a.n, b.n
                );
                if self.reason == Reason::NoSpread {
                    let which = if a.spread_known { "B" } else { "A" };
                    format!("{which} has a single repetition, so its spread is unknown ({too_few})")
                } else {
                    let relation = if a.ci_overlaps(b) {
                        "overlap"
                    } else {
                        "do not overlap"
                    };
                    format!(
                        "{}% CIs [{}, {}] and [{}, {}] {relation} ({too_few})",
                        format::figure(a.confidence * 100.0),
                        format::figure(a.ci_low),
                        format::figure(a.ci_high),
                        format::figure(b.ci_low),
                        format::figure(b.ci_high),
                    )
                }
            }
        };
        let tail = match self.reason {
            Reason::Significant => String::new(),
            Reason::NotSignificant => ": within noise".to_string(),
            Reason::NoSpread => ": within noise".to_string(),
            Reason::MediansDisagree => {
                ", but the medians do not differ in the direction of the ranks: within noise"
                    .to_string()
            }
            Reason::BelowMinimumEffect => format!(
                ", but the medians differ by {}, below the {} minimum effect: within noise",
                format::percent(self.relative_difference),
                format::percent(self.min_relative_effect)
            ),
        };
        format!("{head}; {test}{tail}")
    }
}

/// Compares figure A with figure B (one value per repetition each) and says whether A
/// is better, worse, or within noise, for a figure that improves in `direction`.
///
/// Method: if the sample sizes allow the Mann-Whitney U test to reach significance at
/// all ([`smallest_possible_p_value`] below `alpha`: 2 / C(n_A + n_B, n_A) in the exact
/// range, 0.1 for 3 against 3 and 0.029 for 4 against 4), the test decides:
/// significant when p < alpha. Otherwise the bootstrap confidence intervals of the two
/// medians decide: significant when they do not overlap (which needs at least two
/// repetitions on each side). A significant result still counts as within noise when
/// the medians are equal, point the other way than the ranks, or differ by less than
/// `min_relative_effect`. The direction of a difference is that of the medians.
///
/// The result is antisymmetric: `compare(b, a)` has the reversed verdict of
/// `compare(a, b)`. Errors: an empty sample, a NaN or infinite value, or an invalid
/// config.
pub fn compare(
    a: &[f64],
    b: &[f64],
    direction: Direction,
    config: &CompareConfig,
) -> Result<Comparison, StatsError> {
    check_sample(a, "a")?;
    check_sample(b, "b")?;
    config.validate()?;
    let summary_a = Summary::of(a, &config.bootstrap)?;
    let summary_b = Summary::of(b, &config.bootstrap)?;
    compare_summarised(a, b, summary_a, summary_b, direction, config)
}

/// [`compare`] with the summaries already computed (by [`crate::rank`]).
pub(crate) fn compare_summarised(
    a: &[f64],
    b: &[f64],
    summary_a: Summary,
    summary_b: Summary,
    direction: Direction,
    config: &CompareConfig,
) -> Result<Comparison, StatsError> {
    let (median_a, median_b) = (summary_a.median, summary_b.median);
    let relative_difference = relative_difference(median_a, median_b);
    let ratio = Some(median_a / median_b).filter(|r| median_b != 0.0 && r.is_finite());
    let use_mann_whitney = smallest_possible_p_value(a.len(), b.len()) < config.alpha;

    let (method, mann_whitney, significance) = if use_mann_whitney {
        let test = mann_whitney_u(a, b)?;
        let significance = if test.p_value >= config.alpha {
            Reason::NotSignificant
        } else if median_a == median_b || test.a_tends_larger() != (median_a > median_b) {
            Reason::MediansDisagree
        } else {
            Reason::Significant
        };
        (Method::MannWhitneyU, Some(test), significance)
    } else {
        let significance = if !(summary_a.spread_known && summary_b.spread_known) {
            Reason::NoSpread
        } else if summary_a.ci_overlaps(&summary_b) {
            Reason::NotSignificant
        } else {
            // Each median lies inside its own interval, so separate intervals imply
            // medians that differ in the same direction.
            Reason::Significant
        };
        (Method::CiOverlap, None, significance)
    };
    let reason = if significance == Reason::Significant
        && relative_difference < config.min_relative_effect
    {
        Reason::BelowMinimumEffect
    } else {
        significance
    };
    let verdict = if reason == Reason::Significant {
        let a_higher = median_a > median_b;
        if a_higher == (direction == Direction::HigherIsBetter) {
            Verdict::Better
        } else {
            Verdict::Worse
        }
    } else {
        Verdict::WithinNoise
    };
    let mut comparison = Comparison {
        verdict,
        method,
        reason,
        direction,
        p_value: mann_whitney.as_ref().map(|test| test.p_value),
        mann_whitney,
        ratio,
        relative_difference,
        alpha: config.alpha,
        min_relative_effect: config.min_relative_effect,
        summary_a,
        summary_b,
        explanation: String::new(),
    };
    comparison.explanation = comparison.explain("");
    Ok(comparison)
}

/// |x − y| / max(|x|, |y|), computed after dividing by the larger magnitude so that it
/// cannot overflow and is bit-for-bit symmetric in x and y.
fn relative_difference(x: f64, y: f64) -> f64 {
    let scale = x.abs().max(y.abs());
    if scale == 0.0 {
        0.0
    } else {
        (x / scale - y / scale).abs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> CompareConfig {
        CompareConfig {
            bootstrap: BootstrapConfig {
                resamples: 2_000,
                ..BootstrapConfig::for_label("compare-tests")
            },
            ..CompareConfig::default()
        }
    }

    const FAST: [f64; 5] = [41_200.0, 41_350.0, 41_100.0, 41_280.0, 41_190.0];
    const SLOW: [f64; 5] = [39_800.0, 39_700.0, 39_950.0, 39_820.0, 39_760.0];

    #[test]
    fn clear_difference_with_enough_repetitions_uses_mann_whitney() {
        let result = compare(&FAST, &SLOW, Direction::HigherIsBetter, &config()).unwrap();
        assert_eq!(result.method, Method::MannWhitneyU);
        assert_eq!(result.verdict, Verdict::Better);
        assert_eq!(result.reason, Reason::Significant);
        // Exact p for complete separation of 5 and 5: 2 / C(10, 5) = 2/252.
        let p = result.p_value.unwrap();
        assert!((p - 2.0 / 252.0).abs() < 1e-12, "{p}");
        assert!((result.ratio.unwrap() - 41_200.0 / 39_800.0).abs() < 1e-12);
        assert_eq!(
            result.explanation,
            "median 41 200 vs 39 800 (1.04×); Mann-Whitney U p = 0.0079 < 0.05"
        );
        assert_eq!(
            result.explain("req/s"),
            "median 41 200 vs 39 800 req/s (1.04×); Mann-Whitney U p = 0.0079 < 0.05"
        );

        let lower = compare(&FAST, &SLOW, Direction::LowerIsBetter, &config()).unwrap();
        assert_eq!(lower.verdict, Verdict::Worse);
    }

    #[test]
    fn three_repetitions_fall_back_to_ci_overlap() {
        let result = compare(&FAST[..3], &SLOW[..3], Direction::HigherIsBetter, &config()).unwrap();
        assert_eq!(result.method, Method::CiOverlap);
        assert_eq!(result.p_value, None);
        assert_eq!(result.verdict, Verdict::Better);
        assert!(
            result.explanation.contains("do not overlap")
                && result
                    .explanation
                    .contains("3 and 3 repetitions are too few"),
            "{}",
            result.explanation
        );

        let overlapping = compare(
            &[10.0, 12.0, 14.0],
            &[11.0, 13.0, 15.0],
            Direction::HigherIsBetter,
            &config(),
        )
        .unwrap();
        assert_eq!(overlapping.method, Method::CiOverlap);
        assert_eq!(overlapping.verdict, Verdict::WithinNoise);
        assert_eq!(overlapping.reason, Reason::NotSignificant);
        assert!(overlapping.explanation.ends_with(": within noise"));
    }

    #[test]
    fn overlapping_samples_are_within_noise() {
        let a = [100.0, 104.0, 98.0, 101.0, 103.0, 99.0];
        let b = [101.0, 97.0, 102.0, 100.0, 104.0, 98.0];
        let result = compare(&a, &b, Direction::HigherIsBetter, &config()).unwrap();
        assert_eq!(result.method, Method::MannWhitneyU);
        assert_eq!(result.verdict, Verdict::WithinNoise);
        assert!(result.p_value.unwrap() >= 0.05);
        assert!(result.explanation.contains("≥ 0.05: within noise"));
    }

    #[test]
    fn single_repetitions_are_never_different() {
        let result = compare(&[100.0], &[1.0], Direction::HigherIsBetter, &config()).unwrap();
        assert_eq!(result.method, Method::CiOverlap);
        assert_eq!(result.reason, Reason::NoSpread);
        assert_eq!(result.verdict, Verdict::WithinNoise);
        assert_eq!(
            result.explanation,
            "median 100 vs 1 (100.00×); A has a single repetition, so its spread is unknown \
             (1 and 1 repetitions are too few for Mann-Whitney U to reach p < 0.05): within noise"
        );
    }

    #[test]
    fn one_value_against_many_cannot_be_significant() {
        // Complete separation of 1 against 40 gives p = 0.099 (normal approximation),
        // so the test is not used, and one repetition has no interval to compare.
        let many: Vec<f64> = (0..40).map(|i| 100.0 + f64::from(i)).collect();
        let result = compare(&[1_000.0], &many, Direction::HigherIsBetter, &config()).unwrap();
        assert_eq!(result.method, Method::CiOverlap);
        assert_eq!(result.reason, Reason::NoSpread);
        assert_eq!(result.verdict, Verdict::WithinNoise);
    }

    #[test]
    fn large_samples_use_the_normal_approximation() {
        let a: Vec<f64> = (0..30).map(|i| 200.0 + f64::from(i)).collect();
        let b: Vec<f64> = (0..30).map(|i| 100.0 + f64::from(i)).collect();
        let result = compare(&a, &b, Direction::LowerIsBetter, &config()).unwrap();
        assert_eq!(result.method, Method::MannWhitneyU);
        assert_eq!(
            result.mann_whitney.as_ref().unwrap().method,
            crate::MannWhitneyMethod::NormalApprox
        );
        assert_eq!(result.verdict, Verdict::Worse);
    }

    #[test]
    fn minimum_effect_turns_small_differences_into_noise() {
        let with_floor = CompareConfig {
            min_relative_effect: 0.05,
            ..config()
        };
        // FAST is 3.4% above SLOW: significant, but below 5%.
        let result = compare(&FAST, &SLOW, Direction::HigherIsBetter, &with_floor).unwrap();
        assert_eq!(result.verdict, Verdict::WithinNoise);
        assert_eq!(result.reason, Reason::BelowMinimumEffect);
        assert!(
            result
                .explanation
                .contains("differ by 3.4%, below the 5% minimum effect"),
            "{}",
            result.explanation
        );
    }

    #[test]
    fn disagreement_between_ranks_and_medians_is_noise() {
        // Medians equal (10 vs 10) but B's ranks dominate: U test significant, yet
        // no direction can be claimed from the medians.
        let a = [0.0, 0.1, 0.2, 0.3, 0.4, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0];
        let b = [
            10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 20.0, 21.0, 22.0, 23.0, 24.0,
        ];
        let result = compare(&a, &b, Direction::HigherIsBetter, &config()).unwrap();
        assert_eq!(result.summary_a.median, result.summary_b.median);
        assert!(result.p_value.unwrap() < 0.05, "{result:?}");
        assert_eq!(result.reason, Reason::MediansDisagree);
        assert_eq!(result.verdict, Verdict::WithinNoise);
    }

    #[test]
    fn zero_median_has_no_ratio() {
        let result = compare(
            &[1.0, 2.0],
            &[0.0, 0.0],
            Direction::HigherIsBetter,
            &config(),
        )
        .unwrap();
        assert_eq!(result.ratio, None);
        assert!(result.explanation.contains("no ratio"));
        assert_eq!(result.relative_difference, 1.0);
    }

    #[test]
    fn labels() {
        assert_eq!(Verdict::Better.label(FigureKind::Throughput), "faster");
        assert_eq!(Verdict::Better.label(FigureKind::Latency), "faster");
        assert_eq!(Verdict::Worse.label(FigureKind::Latency), "slower");
        assert_eq!(Verdict::Better.label(FigureKind::Memory), "smaller");
        assert_eq!(Verdict::Worse.label(FigureKind::Size), "larger");
        assert_eq!(Verdict::Worse.label(FigureKind::Other), "worse");
        assert_eq!(Verdict::WithinNoise.label(FigureKind::Size), "within noise");
        assert_eq!(FigureKind::Latency.direction(), Direction::LowerIsBetter);
        assert_eq!(
            FigureKind::Throughput.direction(),
            Direction::HigherIsBetter
        );
        assert_eq!(Verdict::Better.reversed(), Verdict::Worse);
    }

    #[test]
    fn invalid_config_is_an_error() {
        for alpha in [0.0, 1.0, f64::NAN] {
            let bad = CompareConfig { alpha, ..config() };
            assert!(matches!(
                compare(&[1.0], &[2.0], Direction::HigherIsBetter, &bad),
                Err(StatsError::InvalidConfig {
                    setting: "alpha",
                    ..
                })
            ));
        }
        for min_relative_effect in [-0.1, f64::INFINITY] {
            let bad = CompareConfig {
                min_relative_effect,
                ..config()
            };
            assert!(matches!(
                compare(&[1.0], &[2.0], Direction::HigherIsBetter, &bad),
                Err(StatsError::InvalidConfig {
                    setting: "min_relative_effect",
                    ..
                })
            ));
        }
    }

    #[test]
    fn relative_difference_is_symmetric_and_bounded() {
        assert_eq!(relative_difference(0.0, 0.0), 0.0);
        assert_eq!(
            relative_difference(100.0, 98.0),
            relative_difference(98.0, 100.0)
        );
        assert!((relative_difference(100.0, 98.0) - 0.02).abs() < 1e-15);
        assert_eq!(relative_difference(f64::MAX, -f64::MAX), 2.0);
    }

    #[test]
    fn comparison_round_trips_through_json() {
        let result = compare(&FAST, &SLOW, Direction::HigherIsBetter, &config()).unwrap();
        let json = serde_json::to_string(&result).unwrap();
        let back: Comparison = serde_json::from_str(&json).unwrap();
        assert_eq!(back, result);
    }
}
