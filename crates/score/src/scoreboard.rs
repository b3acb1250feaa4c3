//! The radar values and the composite ranking for one set of weights.

use crate::axis::{Axis, PerAxis, SubjectFigures};
use crate::engine::{self, Component, Source, Table};
use crate::error::ScoreError;
use crate::weights::Weights;
use serde::{Deserialize, Serialize};

/// The smallest radar value of a measured axis, so that a subject with a tiny figure
/// still shows a point on the chart instead of collapsing into the centre (which would
/// read as "not measured").
pub const RADAR_FLOOR: f64 = 0.05;

/// One subject's figure on one axis, as scored.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AxisScore {
    /// The caller's raw value.
    pub value: f64,
    /// The figure's age in runs.
    pub age_runs: u32,
    /// `0.95^age_runs`.
    pub decay: f64,
    /// Unweighted, for display and the composite: `value × decay / max(values on the
    /// axis)`, in [0, 1]; 0 when every value on the axis is 0.
    pub normalised: f64,
    /// The radar point: `max(0.05, normalised × weight)` with the axis's weight from
    /// [`Scoreboard::normalised_weights`], so in [0.05, max(0.05, weight)].
    pub radar: f64,
}

/// One subject's place on the scoreboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectScore {
    /// The subject's name.
    pub name: String,
    /// 1-based rank by composite; equal composites share a rank ("1, 1, 3").
    pub rank: usize,
    /// The weighted composite in [0, 1] (see the crate documentation).
    pub composite: f64,
    /// Per axis; `None` where the subject has no figure (no radar point, not 0.05).
    pub axes: PerAxis<Option<AxisScore>>,
    /// The axes this subject has no figure for, in radar order.
    pub missing: Vec<Axis>,
    /// What the reader should know about this subject's score: axes counted as 0
    /// because only other subjects have them, figures decayed by age.
    pub notes: Vec<String>,
}

/// Radar values, composites and ranking of a set of subjects under one set of weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scoreboard {
    /// The weights as given.
    pub weights: Weights,
    /// The weights scaled to sum 1: the `weight` of the radar formula.
    pub normalised_weights: Weights,
    /// The weights the composite used: those of the axes measured for at least one
    /// subject, scaled to sum 1; 0 for axes no subject has.
    pub composite_weights: Weights,
    /// Per axis, the largest raw value among the subjects (the radar's `max(values)`);
    /// `None` when no subject has the axis.
    pub maxima: PerAxis<Option<f64>>,
    /// Axes no subject has a figure for; they are left out of every composite.
    pub unmeasured: Vec<Axis>,
    /// The subjects, best first; inside a tie, by name.
    pub subjects: Vec<SubjectScore>,
    /// What the reader should know about the whole scoreboard (unmeasured axes and the
    /// weights actually used).
    pub notes: Vec<String>,
}

impl Scoreboard {
    /// The score of the subject called `name`.
    pub fn subject(&self, name: &str) -> Option<&SubjectScore> {
        self.subjects.iter().find(|s| s.name == name)
    }
}

/// The four axes as components with their weights as given.
pub(crate) fn axis_components(weights: &Weights) -> Vec<Component> {
    Axis::ALL
        .into_iter()
        .map(|axis| Component {
            source: Source::Axis(axis),
            weight: weights.get(axis),
        })
        .collect()
}

/// Validates the subjects and weights and normalises the axes.
pub(crate) fn axis_table(
    subjects: &[SubjectFigures],
    weights: &Weights,
) -> Result<Table, ScoreError> {
    weights.validate()?;
    engine::validate_subjects(subjects)?;
    engine::build_table(subjects, axis_components(weights))
}

/// Scores `subjects` on the radar's axes with `weights`: radar values, unweighted
/// normalised values, composites and ranks (the formulas are in the crate
/// documentation).
///
/// Errors: invalid weights, empty or repeated names, NaN / infinite / negative figures,
/// or weights that give nothing to any measured axis. No subjects give an empty
/// scoreboard.
pub fn score(subjects: &[SubjectFigures], weights: &Weights) -> Result<Scoreboard, ScoreError> {
    let table = axis_table(subjects, weights)?;
    let normalised_weights = weights.normalised()?;
    let given: Vec<f64> = table.components.iter().map(|c| c.weight).collect();
    let shares = table.shares(&given)?;
    let composites = table.composites(&shares);
    let composite_weights = Weights::from_per_axis(PerAxis::from_fn(|axis| shares[axis.index()]));
    let unmeasured: Vec<Axis> = Axis::ALL
        .into_iter()
        .filter(|axis| !table.measured(axis.index()))
        .collect();

    let mut notes = Vec::new();
    if !unmeasured.is_empty() && !subjects.is_empty() {
        let names: Vec<String> = unmeasured.iter().map(|a| a.key().to_string()).collect();
        notes.push(format!(
            "not measured for any subject: {}; the composite uses the other axes with weights {}",
            engine::join_and(&names),
            describe_weights(&composite_weights, &unmeasured),
        ));
    }

    let scored = engine::rank(&table.names, &composites)
        .into_iter()
        .map(|(s, rank)| {
            let axes = PerAxis::from_fn(|axis| {
                table.cells[s][axis.index()].map(|cell| AxisScore {
                    value: cell.raw,
                    age_runs: cell.age_runs,
                    decay: cell.decay,
                    normalised: cell.normalised,
                    radar: (cell.normalised * normalised_weights.get(axis)).max(RADAR_FLOOR),
                })
            });
            let missing: Vec<Axis> = Axis::ALL
                .into_iter()
                .filter(|axis| axes.get(*axis).is_none())
                .collect();
            let mut subject_notes = Vec::new();
            for j in table.missing_for(s) {
                let axis = Axis::ALL[j];
                subject_notes.push(format!(
                    "{axis} was not measured for {} while other subjects have it: counted as 0 in the composite (weight {:.2})",
                    table.names[s],
                    shares[j],
                ));
            }
            for axis in Axis::ALL {
                if let Some(score) = axes.get(axis).filter(|score| score.age_runs > 0) {
                    subject_notes.push(aged_note(axis, score.age_runs, score.decay));
                }
            }
            SubjectScore {
                name: table.names[s].clone(),
                rank,
                composite: composites[s],
                axes,
                missing,
                notes: subject_notes,
            }
        })
        .collect();

    Ok(Scoreboard {
        weights: *weights,
        normalised_weights,
        composite_weights,
        maxima: PerAxis::from_fn(|axis| table.best[axis.index()]),
        unmeasured,
        subjects: scored,
        notes,
    })
}

/// "ecosystem figure is 2 runs old: decayed by 0.95^2 = 0.9025".
pub(crate) fn aged_note(axis: Axis, age_runs: u32, decay: f64) -> String {
    let runs = if age_runs == 1 { "run" } else { "runs" };
    format!("{axis} figure is {age_runs} {runs} old: decayed by 0.95^{age_runs} = {decay:.4}")
}

/// "performance 0.50, ecosystem 0.50" for the axes not in `skip`.
fn describe_weights(weights: &Weights, skip: &[Axis]) -> String {
    Axis::ALL
        .into_iter()
        .filter(|axis| !skip.contains(axis))
        .map(|axis| format!("{axis} {:.2}", weights.get(axis)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::axis::AxisValue;

    const EPS: f64 = 1e-12;

    fn subject(name: &str, values: [Option<f64>; 4]) -> SubjectFigures {
        let mut s = SubjectFigures::new(name);
        for (axis, value) in Axis::ALL.into_iter().zip(values) {
            if let Some(v) = value {
                s = s.with_axis(axis, AxisValue::fresh(v));
            }
        }
        s
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < EPS
    }

    #[test]
    fn hand_computed_radar_and_composite() {
        // Default weights 0.4 / 0.2 / 0.2 / 0.2.
        let subjects = vec![
            subject("gin", [Some(200.0), Some(8.0), Some(3.0), Some(4.0)]),
            subject("chi", [Some(100.0), Some(10.0), Some(1.5), Some(2.0)]),
        ];
        let board = score(&subjects, &Weights::default()).unwrap();
        let gin = board.subject("gin").unwrap();
        let chi = board.subject("chi").unwrap();

        // Unweighted: gin 1, 0.8, 1, 1; chi 0.5, 1, 0.5, 0.5.
        let gin_perf = gin.axes.performance.unwrap();
        assert_eq!(gin_perf.normalised, 1.0);
        assert!(close(gin_perf.radar, 0.4));
        let gin_eco = gin.axes.ecosystem.unwrap();
        assert!(close(gin_eco.normalised, 0.8));
        assert!(close(gin_eco.radar, 0.16));
        let chi_perf = chi.axes.performance.unwrap();
        assert!(close(chi_perf.normalised, 0.5));
        assert!(close(chi_perf.radar, 0.2));
        assert!(close(chi.axes.hot_reload.unwrap().radar, 0.1));

        // gin: 0.4·1 + 0.2·0.8 + 0.2·1 + 0.2·1 = 0.96; chi: 0.2 + 0.2 + 0.1 + 0.1 = 0.6.
        assert!(close(gin.composite, 0.96), "{}", gin.composite);
        assert!(close(chi.composite, 0.6), "{}", chi.composite);
        assert_eq!((gin.rank, chi.rank), (1, 2));
        assert_eq!(board.subjects[0].name, "gin");
        assert_eq!(board.maxima.performance, Some(200.0));
        assert!(board.unmeasured.is_empty() && board.notes.is_empty());
    }

    #[test]
    fn radar_floor_is_005() {
        let subjects = vec![
            subject("fast", [Some(1000.0), None, None, None]),
            subject("slow", [Some(10.0), None, None, None]),
        ];
        let board = score(&subjects, &Weights::default()).unwrap();
        let slow = board.subject("slow").unwrap().axes.performance.unwrap();
        // 10 × 0.4 / 1000 = 0.004, floored to 0.05; the unweighted value stays 0.01.
        assert!(close(slow.normalised, 0.01));
        assert_eq!(slow.radar, RADAR_FLOOR);
        let fast = board.subject("fast").unwrap().axes.performance.unwrap();
        assert!(close(fast.radar, 0.4));
    }

    #[test]
    fn age_two_decays_by_09025() {
        let mut subjects = vec![
            subject("echo", [Some(1.0), None, None, None]),
            subject("fiber", [Some(1.0), None, None, None]),
        ];
        subjects[0].axes.ecosystem = Some(AxisValue::aged(0.5, 2));
        subjects[1].axes.ecosystem = Some(AxisValue::fresh(0.25));
        let weights = Weights {
            performance: 0.5,
            ecosystem: 0.5,
            observability: 0.0,
            hot_reload: 0.0,
        };
        let board = score(&subjects, &weights).unwrap();
        let echo = board.subject("echo").unwrap();
        let eco = echo.axes.ecosystem.unwrap();
        // max is the raw 0.5: 0.5 × 0.9025 / 0.5 = 0.9025; radar × 0.5 = 0.45125.
        assert!(close(eco.decay, 0.9025));
        assert!(close(eco.normalised, 0.9025));
        assert!(close(eco.radar, 0.45125));
        assert!(close(echo.composite, 0.5 + 0.5 * 0.9025));
        assert_eq!(
            echo.notes,
            vec!["ecosystem figure is 2 runs old: decayed by 0.95^2 = 0.9025".to_string()]
        );
        let fiber = board.subject("fiber").unwrap();
        assert!(close(fiber.axes.ecosystem.unwrap().normalised, 0.5));
        assert!(fiber.notes.is_empty());
    }

    #[test]
    fn axis_missing_for_one_subject_counts_as_zero_with_a_note() {
        let subjects = vec![
            subject("axum", [Some(1.0), Some(1.0), None, None]),
            subject("actix-web", [Some(1.0), None, None, None]),
        ];
        let board = score(&subjects, &Weights::default()).unwrap();
        // Observability and hot reload were measured for nobody: the composite uses
        // performance 0.4 and ecosystem 0.2, renormalised to 2/3 and 1/3.
        assert_eq!(board.unmeasured, vec![Axis::Observability, Axis::HotReload]);
        assert!(close(board.composite_weights.performance, 2.0 / 3.0));
        assert_eq!(board.composite_weights.hot_reload, 0.0);
        assert_eq!(board.notes.len(), 1);
        assert!(
            board.notes[0].contains("observability and hot_reload"),
            "{:?}",
            board.notes
        );

        let axum = board.subject("axum").unwrap();
        assert!(close(axum.composite, 1.0));
        assert_eq!(axum.missing, vec![Axis::Observability, Axis::HotReload]);
        assert!(axum.notes.is_empty());

        let actix = board.subject("actix-web").unwrap();
        assert!(close(actix.composite, 2.0 / 3.0));
        assert_eq!(actix.axes.ecosystem, None);
        assert_eq!(
            actix.missing,
            vec![Axis::Ecosystem, Axis::Observability, Axis::HotReload]
        );
        assert_eq!(actix.notes.len(), 1);
        assert!(
            actix.notes[0].starts_with("ecosystem was not measured for actix-web"),
            "{:?}",
            actix.notes
        );
    }

    #[test]
    fn equal_composites_share_a_rank() {
        let subjects = vec![
            subject("b", [Some(2.0), Some(1.0), None, None]),
            subject("a", [Some(1.0), Some(2.0), None, None]),
            subject("c", [Some(1.0), Some(1.0), None, None]),
        ];
        let weights = Weights {
            performance: 1.0,
            ecosystem: 1.0,
            observability: 0.0,
            hot_reload: 0.0,
        };
        let board = score(&subjects, &weights).unwrap();
        let ranks: Vec<(&str, usize)> = board
            .subjects
            .iter()
            .map(|s| (s.name.as_str(), s.rank))
            .collect();
        assert_eq!(ranks, vec![("a", 1), ("b", 1), ("c", 3)]);
        assert!(close(board.subjects[0].composite, 0.75));
        assert!(close(board.subjects[2].composite, 0.5));
    }

    #[test]
    fn zero_weight_axis_still_gets_a_floored_radar_point() {
        let subjects = vec![subject(
            "stdlib",
            [Some(1.0), Some(1.0), Some(1.0), Some(1.0)],
        )];
        let weights = Weights {
            performance: 1.0,
            ecosystem: 0.0,
            observability: 0.0,
            hot_reload: 0.0,
        };
        let board = score(&subjects, &weights).unwrap();
        let s = &board.subjects[0];
        assert_eq!(s.axes.ecosystem.unwrap().radar, RADAR_FLOOR);
        assert_eq!(s.axes.ecosystem.unwrap().normalised, 1.0);
        assert_eq!(s.axes.performance.unwrap().radar, 1.0);
        assert_eq!(s.composite, 1.0);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let nan = vec![subject("gin", [Some(f64::NAN), None, None, None])];
        assert!(matches!(
            score(&nan, &Weights::default()),
            Err(ScoreError::InvalidFigure { ref subject, ref figure, .. })
                if subject == "gin" && figure == "performance"
        ));
        let negative = vec![subject("gin", [None, None, Some(-1.0), None])];
        let err = score(&negative, &Weights::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "subject \"gin\": figure observability is -1; figures must be finite and ≥ 0, so the measurement that produced it should be repeated or dropped"
        );
        let twice = vec![subject("gin", [None; 4]), subject("gin", [None; 4])];
        assert_eq!(
            score(&twice, &Weights::default()),
            Err(ScoreError::DuplicateSubject { name: "gin".into() })
        );
        let unnamed = vec![subject(" ", [None; 4])];
        assert_eq!(
            score(&unnamed, &Weights::default()),
            Err(ScoreError::EmptyName { index: 0 })
        );
        let nothing = vec![subject("gin", [None; 4])];
        assert!(matches!(
            score(&nothing, &Weights::default()),
            Err(ScoreError::NothingWeighted { .. })
        ));
    }

    #[test]
    fn no_subjects_give_an_empty_scoreboard() {
        let board = score(&[], &Weights::default()).unwrap();
        assert!(board.subjects.is_empty());
        assert!(board.notes.is_empty());
        assert_eq!(board.unmeasured, Axis::ALL.to_vec());
    }

    #[test]
    fn scoreboard_round_trips_through_json() {
        let subjects = vec![
            subject("gin", [Some(3.0), Some(0.7), None, Some(2.0)]),
            subject("echo", [Some(2.5), Some(0.9), None, None]),
        ];
        let board = score(&subjects, &Weights::default()).unwrap();
        let json = serde_json::to_string(&board).unwrap();
        let back: Scoreboard = serde_json::from_str(&json).unwrap();
        assert_eq!(back, board);
    }
}
