//! Ranking the subjects for one recommendation profile, with reasons.

use crate::axis::SubjectFigures;
use crate::engine::{self, Source, Table};
use crate::error::ScoreError;
use crate::format::FigureWords;
use crate::profile::{Better, Profile};
use crate::scoreboard::aged_note;
use crate::sensitivity::{self, Sensitivity};
use serde::{Deserialize, Serialize};

/// At most this many reasons are given per subject.
pub const MAX_REASONS: usize = 3;

/// How much one figure counted in a recommendation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightShare {
    /// The axis key or extra figure name.
    pub figure: String,
    /// Its direction (always higher for axes).
    pub better: Better,
    /// The weight as written in the profile.
    pub weight: f64,
    /// Its share of the score: the weight divided by the sum of the weights of the
    /// measured figures; 0 when no subject has the figure.
    pub share: f64,
    /// Whether at least one subject has the figure.
    pub measured: bool,
}

/// One figure's part in one subject's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// The axis key or extra figure name.
    pub figure: String,
    /// The subject's raw value; `None` when it has none.
    pub value: Option<f64>,
    /// The normalised value in [0, 1] (decayed for old axis figures); `None` when the
    /// subject has no value.
    pub normalised: Option<f64>,
    /// share × normalised: what the figure added to the score (0 when missing).
    pub contribution: f64,
}

/// One subject's place in a recommendation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecommendedSubject {
    /// The subject's name.
    pub name: String,
    /// 1-based rank; equal scores share a rank.
    pub rank: usize,
    /// The profile score in [0, 1]: the sum of the contributions.
    pub score: f64,
    /// Why it scored what it did, from its largest contributions, e.g. "smallest
    /// binary (3.3 MiB, 1.00 of best)" or "performance 0.92 of the best".
    pub reasons: Vec<String>,
    /// Every measured figure's part in the score, in profile order (axes first).
    pub contributions: Vec<Contribution>,
    /// Figures counted as 0 because only other subjects have them, decayed figures.
    pub notes: Vec<String>,
}

/// The subjects ranked for one profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    /// The profile used.
    pub profile: Profile,
    /// The weights actually used, axes then extras.
    pub weights: Vec<WeightShare>,
    /// The subjects, best first; inside a tie, by name.
    pub ranked: Vec<RecommendedSubject>,
    /// How the top reacts to ±10% on each weight.
    pub sensitivity: Sensitivity,
    /// Figures of the profile that no subject has (left out, weights renormalised).
    pub notes: Vec<String>,
}

impl Recommendation {
    /// The recommended subject: first in the ranking (`None` without subjects).
    pub fn winner(&self) -> Option<&RecommendedSubject> {
        self.ranked.first()
    }
}

/// Ranks `subjects` for `profile`: each axis and extra figure is normalised across the
/// subjects, weighted by its share, and summed (see the crate documentation). The
/// result carries reasons per subject and the ranking's sensitivity to the weights.
///
/// Errors: an invalid profile (negative or non-finite weights, all weights 0, bad
/// extras), empty or repeated subject names, NaN / infinite / negative figures (extras
/// only when the profile uses them), or no weighted figure measured for any subject.
pub fn recommend(
    subjects: &[SubjectFigures],
    profile: &Profile,
) -> Result<Recommendation, ScoreError> {
    profile.validate()?;
    engine::validate_subjects(subjects)?;
    let table = engine::build_table(subjects, profile.components())?;
    let given: Vec<f64> = table.components.iter().map(|c| c.weight).collect();
    let shares = table.shares(&given)?;
    let composites = table.composites(&shares);

    let weights = table
        .components
        .iter()
        .enumerate()
        .map(|(j, c)| WeightShare {
            figure: c.name().to_string(),
            better: c.better(),
            weight: c.weight,
            share: shares[j],
            measured: table.measured(j),
        })
        .collect();

    let unmeasured: Vec<String> = (0..table.components.len())
        .filter(|&j| !table.measured(j) && given[j] > 0.0)
        .map(|j| table.components[j].name().to_string())
        .collect();
    let mut notes = Vec::new();
    if !unmeasured.is_empty() && !subjects.is_empty() {
        notes.push(format!(
            "{} carry weight in profile {} but no subject has them: left out, the other weights renormalised",
            engine::join_and(&unmeasured),
            profile.name
        ));
    }

    let ranked = engine::rank(&table.names, &composites)
        .into_iter()
        .map(|(s, rank)| RecommendedSubject {
            name: table.names[s].clone(),
            rank,
            score: composites[s],
            reasons: reasons(&table, s, &shares),
            contributions: (0..table.components.len())
                .filter(|&j| table.measured(j))
                .map(|j| {
                    let cell = table.cells[s][j];
                    Contribution {
                        figure: table.components[j].name().to_string(),
                        value: cell.map(|c| c.raw),
                        normalised: cell.map(|c| c.normalised),
                        contribution: table.contribution(s, j, &shares),
                    }
                })
                .collect(),
            notes: subject_notes(&table, s, &shares),
        })
        .collect();

    Ok(Recommendation {
        profile: profile.clone(),
        weights,
        ranked,
        sensitivity: sensitivity::analyse(&table, &given)?,
        notes,
    })
}

/// The largest positive contributions, best first, as sentences.
fn reasons(table: &Table, s: usize, shares: &[f64]) -> Vec<String> {
    let mut parts: Vec<(usize, f64)> = (0..table.components.len())
        .map(|j| (j, table.contribution(s, j, shares)))
        .filter(|(_, c)| *c > 0.0)
        .collect();
    parts.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let reasons: Vec<String> = parts
        .into_iter()
        .take(MAX_REASONS)
        .filter_map(|(j, _)| reason(table, s, j))
        .collect();
    if reasons.is_empty() {
        vec!["scores 0 on every weighted figure".to_string()]
    } else {
        reasons
    }
}

/// One figure's reason: "best performance", "performance 0.92 of the best",
/// "smallest binary (3.3 MiB, 1.00 of best)", "binary 5.1 MiB (0.65 of best)".
fn reason(table: &Table, s: usize, j: usize) -> Option<String> {
    let cell = table.cells[s][j]?;
    let best = table.best[j]?;
    let text = match &table.components[j].source {
        Source::Axis(axis) => {
            let mut text = if cell.normalised >= 1.0 {
                format!("best {}", axis.phrase())
            } else {
                format!("{} {:.2} of the best", axis.phrase(), cell.normalised)
            };
            if cell.age_runs > 0 {
                let runs = if cell.age_runs == 1 { "run" } else { "runs" };
                text.push_str(&format!(
                    " (figure {} {runs} old, ×{:.4})",
                    cell.age_runs, cell.decay
                ));
            }
            text
        }
        Source::Extra { figure, better } => {
            let words = FigureWords::of(figure, *better);
            if cell.raw == best || cell.normalised >= 1.0 {
                format!(
                    "{} {} ({}, {:.2} of best)",
                    words.best,
                    words.noun,
                    words.value(cell.raw),
                    cell.normalised
                )
            } else {
                format!(
                    "{} {} ({:.2} of best)",
                    words.noun,
                    words.value(cell.raw),
                    cell.normalised
                )
            }
        }
    };
    Some(text)
}

fn subject_notes(table: &Table, s: usize, shares: &[f64]) -> Vec<String> {
    let mut notes: Vec<String> = table
        .missing_for(s)
        .into_iter()
        .map(|j| {
            format!(
                "{} was not measured for {} while other subjects have it: counted as 0 (share {:.2})",
                table.components[j].name(),
                table.names[s],
                shares[j]
            )
        })
        .collect();
    for (j, component) in table.components.iter().enumerate() {
        if let (Source::Axis(axis), Some(cell)) = (&component.source, table.cells[s][j])
            && cell.age_runs > 0
        {
            notes.push(aged_note(*axis, cell.age_runs, cell.decay));
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::axis::{Axis, AxisValue};
    use crate::profile::{ExtraWeight, Profiles};
    use crate::weights::Weights;

    const MIB: f64 = 1024.0 * 1024.0;

    fn with_axes(name: &str, axes: [f64; 4]) -> SubjectFigures {
        Axis::ALL
            .into_iter()
            .zip(axes)
            .fold(SubjectFigures::new(name), |s, (axis, v)| {
                s.with_axis(axis, AxisValue::fresh(v))
            })
    }

    /// Four subjects, each best at what one bundled profile favours.
    fn contenders() -> Vec<SubjectFigures> {
        vec![
            // Fastest by far, big binary, average elsewhere.
            with_axes("fiber", [1.0, 0.6, 0.5, 0.5])
                .with_extra("binary_bytes", 12.0 * MIB)
                .with_extra("oci_image_bytes", 14.0 * MIB)
                .with_extra("lines", 260.0)
                .with_extra("build_warm_s", 4.0),
            // Slow but tiny.
            with_axes("stdlib", [0.6, 0.5, 0.5, 0.5])
                .with_extra("binary_bytes", 3.3 * MIB)
                .with_extra("oci_image_bytes", 4.0 * MIB)
                .with_extra("lines", 300.0)
                .with_extra("build_warm_s", 3.0),
            // Mature ecosystem, great dev loop, short code, quick rebuilds.
            with_axes("gin", [0.7, 1.0, 0.6, 1.0])
                .with_extra("binary_bytes", 10.0 * MIB)
                .with_extra("oci_image_bytes", 12.0 * MIB)
                .with_extra("lines", 150.0)
                .with_extra("build_warm_s", 1.0),
            // Best OpenTelemetry support.
            with_axes("echo", [0.75, 0.7, 1.0, 0.4])
                .with_extra("binary_bytes", 11.0 * MIB)
                .with_extra("oci_image_bytes", 13.0 * MIB)
                .with_extra("lines", 220.0)
                .with_extra("build_warm_s", 2.0),
        ]
    }

    fn winner(profile: &str) -> String {
        let profiles = Profiles::bundled().unwrap();
        let rec = recommend(&contenders(), profiles.profile(profile).unwrap()).unwrap();
        rec.winner().unwrap().name.clone()
    }

    #[test]
    fn each_bundled_profile_picks_its_subject() {
        assert_eq!(winner("throughput"), "fiber");
        assert_eq!(winner("small-binary"), "stdlib");
        assert_eq!(winner("productivity"), "gin");
        assert_eq!(winner("observability"), "echo");
        // And the plain default composite picks none of the specialists above for
        // the single reason they were built around: gin is the rounded one.
        let default = Profile::from_weights("default", Weights::default());
        let rec = recommend(&contenders(), &default).unwrap();
        assert_eq!(rec.winner().unwrap().name, "gin");
    }

    #[test]
    fn small_binary_reasons_name_the_binary() {
        let profiles = Profiles::bundled().unwrap();
        let rec = recommend(&contenders(), profiles.profile("small-binary").unwrap()).unwrap();
        let stdlib = &rec.ranked[0];
        assert_eq!(stdlib.name, "stdlib");
        assert_eq!(stdlib.reasons[0], "smallest binary (3.3 MiB, 1.00 of best)");
        assert_eq!(
            stdlib.reasons[1],
            "smallest OCI image (4.0 MiB, 1.00 of best)"
        );
        assert_eq!(stdlib.reasons.len(), MAX_REASONS);
        let fiber = rec.ranked.iter().find(|s| s.name == "fiber").unwrap();
        assert!(
            fiber.reasons.contains(&"best performance".to_string()),
            "{:?}",
            fiber.reasons
        );
        // stdlib's score by hand: shares are the weights (they sum to 1):
        // 0.15·0.6 + 0.1·0.5 + 0.05·0.5 + 0.45·1 + 0.25·1 = 0.865.
        assert!((stdlib.score - 0.865).abs() < 1e-12, "{}", stdlib.score);
        let total: f64 = stdlib.contributions.iter().map(|c| c.contribution).sum();
        assert!((total - stdlib.score).abs() < 1e-12);
    }

    #[test]
    fn throughput_reason_reports_the_fraction_of_the_best() {
        let profiles = Profiles::bundled().unwrap();
        let rec = recommend(&contenders(), profiles.profile("throughput").unwrap()).unwrap();
        let echo = rec.ranked.iter().find(|s| s.name == "echo").unwrap();
        assert_eq!(echo.reasons[0], "performance 0.75 of the best");
        assert!(rec.sensitivity.stable_top.as_deref() == Some("fiber"));
    }

    #[test]
    fn extras_nobody_has_are_left_out_and_missing_ones_count_zero() {
        let profile = Profile {
            name: "lean".into(),
            description: String::new(),
            weights: Weights {
                performance: 0.5,
                ecosystem: 0.0,
                observability: 0.0,
                hot_reload: 0.0,
            },
            extras: vec![
                ExtraWeight {
                    figure: "binary_bytes".into(),
                    weight: 0.5,
                    better: Better::Lower,
                },
                ExtraWeight {
                    figure: "rps_ws".into(),
                    weight: 1.0,
                    better: Better::Higher,
                },
            ],
            source: "test".into(),
        };
        let subjects = vec![
            SubjectFigures::new("a")
                .with_axis(Axis::Performance, AxisValue::fresh(1.0))
                .with_extra("binary_bytes", 2.0 * MIB),
            SubjectFigures::new("b").with_axis(Axis::Performance, AxisValue::fresh(1.0)),
        ];
        let rec = recommend(&subjects, &profile).unwrap();
        assert_eq!(rec.notes.len(), 1);
        assert!(
            rec.notes[0].starts_with("rps_ws carry weight"),
            "{:?}",
            rec.notes
        );
        let shares: Vec<(String, f64, bool)> = rec
            .weights
            .iter()
            .map(|w| (w.figure.clone(), w.share, w.measured))
            .collect();
        assert_eq!(shares[0], ("performance".to_string(), 0.5, true));
        assert_eq!(shares[4], ("binary_bytes".to_string(), 0.5, true));
        assert_eq!(shares[5], ("rps_ws".to_string(), 0.0, false));
        assert_eq!(rec.ranked[0].name, "a");
        assert_eq!(rec.ranked[0].score, 1.0);
        let b = &rec.ranked[1];
        assert_eq!(b.score, 0.5);
        assert_eq!(
            b.notes,
            vec!["binary_bytes was not measured for b while other subjects have it: counted as 0 (share 0.50)".to_string()]
        );
        let missing = b
            .contributions
            .iter()
            .find(|c| c.figure == "binary_bytes")
            .unwrap();
        assert_eq!((missing.value, missing.contribution), (None, 0.0));
    }

    #[test]
    fn aged_figures_are_explained() {
        let subjects = vec![
            SubjectFigures::new("chi").with_axis(Axis::Ecosystem, AxisValue::aged(1.0, 1)),
            SubjectFigures::new("go-zero").with_axis(Axis::Ecosystem, AxisValue::fresh(0.5)),
        ];
        let profile = Profile::from_weights("eco", Weights::default());
        let rec = recommend(&subjects, &profile).unwrap();
        let chi = &rec.ranked[0];
        assert_eq!(
            chi.reasons,
            vec!["ecosystem maturity 0.95 of the best (figure 1 run old, ×0.9500)"]
        );
        assert_eq!(
            chi.notes,
            vec!["ecosystem figure is 1 run old: decayed by 0.95^1 = 0.9500"]
        );
    }

    #[test]
    fn zero_scores_get_a_reason_too() {
        let subjects = vec![
            SubjectFigures::new("a").with_extra("binary_bytes", 0.0),
            SubjectFigures::new("b").with_extra("binary_bytes", 5.0),
        ];
        let mut profile = Profile::from_weights("zero", Weights::from_per_axis(Default::default()));
        profile.extras.push(ExtraWeight {
            figure: "binary_bytes".into(),
            weight: 1.0,
            better: Better::Lower,
        });
        let rec = recommend(&subjects, &profile).unwrap();
        assert_eq!(
            rec.ranked[0].reasons,
            vec!["smallest binary (0 B, 1.00 of best)"]
        );
        assert_eq!(rec.ranked[1].score, 0.0);
        assert_eq!(
            rec.ranked[1].reasons,
            vec!["scores 0 on every weighted figure"]
        );
    }

    #[test]
    fn bad_extra_values_are_errors() {
        let subjects = vec![SubjectFigures::new("a").with_extra("binary_bytes", -3.0)];
        let profiles = Profiles::bundled().unwrap();
        let err = recommend(&subjects, profiles.profile("small-binary").unwrap()).unwrap_err();
        assert!(matches!(
            err,
            ScoreError::InvalidFigure { ref figure, .. } if figure == "binary_bytes"
        ));
    }

    #[test]
    fn recommendation_round_trips_through_json() {
        let profiles = Profiles::bundled().unwrap();
        let rec = recommend(&contenders(), profiles.profile("productivity").unwrap()).unwrap();
        let json = serde_json::to_string(&rec).unwrap();
        let back: Recommendation = serde_json::from_str(&json).unwrap();
        assert_eq!(back, rec);
    }
}
