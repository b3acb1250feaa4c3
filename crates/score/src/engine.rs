//! The arithmetic shared by the scoreboard, the recommendations and the sensitivity
//! analysis: per-figure normalisation, composites over the measured figures, ranking.

use crate::axis::{Axis, SubjectFigures};
use crate::error::ScoreError;
use crate::profile::Better;
use std::collections::BTreeSet;

/// Per run of age, a figure keeps 95% of its weight: `decay = 0.95^age_runs`.
pub const DECAY_PER_RUN: f64 = 0.95;

/// Composites closer than this to the first composite of a tie group share its rank.
/// Composites lie in [0, 1], so this reads "equal to nine decimal places"; it only
/// absorbs floating-point rounding, not measurement noise.
pub const TIE_TOLERANCE: f64 = 1e-9;

/// `0.95^age_runs`: the factor an axis figure that is `age_runs` runs old is multiplied by.
pub fn decay(age_runs: u32) -> f64 {
    DECAY_PER_RUN.powi(i32::try_from(age_runs).unwrap_or(i32::MAX))
}

/// Where a scored figure comes from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Source {
    /// A radar axis (higher is better, decayed by age).
    Axis(Axis),
    /// An extra figure with its direction.
    Extra { figure: String, better: Better },
}

/// A scored figure and its weight as given (not yet normalised).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Component {
    pub source: Source,
    pub weight: f64,
}

impl Component {
    /// The figure's name: the axis key or the extra's figure name.
    pub fn name(&self) -> &str {
        match &self.source {
            Source::Axis(axis) => axis.key(),
            Source::Extra { figure, .. } => figure,
        }
    }

    pub fn better(&self) -> Better {
        match &self.source {
            Source::Axis(_) => Better::Higher,
            Source::Extra { better, .. } => *better,
        }
    }
}

/// One subject's figure on one component, normalised against the other subjects.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Cell {
    /// The caller's value.
    pub raw: f64,
    /// Age in runs (0 for extras).
    pub age_runs: u32,
    /// `0.95^age_runs` (1 for extras).
    pub decay: f64,
    /// In [0, 1]: axes and higher-better extras `raw * decay / max`, lower-better extras
    /// `min / raw` (1 when `raw` is 0).
    pub normalised: f64,
}

/// Every subject's normalised figures on every component.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// Subject names in input order.
    pub names: Vec<String>,
    pub components: Vec<Component>,
    /// `cells[subject][component]`; `None` where the subject lacks the figure.
    pub cells: Vec<Vec<Option<Cell>>>,
    /// Per component: the best raw value among the subjects that have it (max, or min
    /// for lower-better extras); `None` when no subject has it.
    pub best: Vec<Option<f64>>,
}

/// Checks names (non-empty, unique) and every axis value (finite, ≥ 0).
pub(crate) fn validate_subjects(subjects: &[SubjectFigures]) -> Result<(), ScoreError> {
    let mut seen = BTreeSet::new();
    for (index, subject) in subjects.iter().enumerate() {
        if subject.name.trim().is_empty() {
            return Err(ScoreError::EmptyName { index });
        }
        if !seen.insert(subject.name.as_str()) {
            return Err(ScoreError::DuplicateSubject {
                name: subject.name.clone(),
            });
        }
        for axis in Axis::ALL {
            if let Some(value) = subject.axes.get(axis) {
                check_figure(&subject.name, axis.key(), value.value)?;
            }
        }
    }
    Ok(())
}

fn check_figure(subject: &str, figure: &str, value: f64) -> Result<(), ScoreError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(ScoreError::InvalidFigure {
            subject: subject.to_string(),
            figure: figure.to_string(),
            value,
        })
    }
}

/// Normalises every component across the subjects. Subjects must have passed
/// [`validate_subjects`]; extra figures are checked here, only those a component uses.
pub(crate) fn build_table(
    subjects: &[SubjectFigures],
    components: Vec<Component>,
) -> Result<Table, ScoreError> {
    let mut raw: Vec<Vec<Option<(f64, u32)>>> = Vec::with_capacity(subjects.len());
    for subject in subjects {
        let mut row = Vec::with_capacity(components.len());
        for component in &components {
            let cell = match &component.source {
                Source::Axis(axis) => subject.axes.get(*axis).map(|v| (v.value, v.age_runs)),
                Source::Extra { figure, .. } => match subject.extras.get(figure) {
                    Some(&value) => {
                        check_figure(&subject.name, figure, value)?;
                        Some((value, 0))
                    }
                    None => None,
                },
            };
            row.push(cell);
        }
        raw.push(row);
    }

    let best: Vec<Option<f64>> = components
        .iter()
        .enumerate()
        .map(|(j, component)| {
            let values = raw.iter().filter_map(|row| row[j].map(|(value, _)| value));
            match component.better() {
                Better::Higher => values.reduce(f64::max),
                Better::Lower => values.reduce(f64::min),
            }
        })
        .collect();

    let cells = raw
        .iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(j, cell)| {
                    let (value, age_runs) = (*cell)?;
                    let best = best[j]?;
                    let (decay, normalised) = match components[j].source {
                        Source::Axis(_) => {
                            let decay = decay(age_runs);
                            (decay, relative_to_max(value, best) * decay)
                        }
                        Source::Extra {
                            better: Better::Higher,
                            ..
                        } => (1.0, relative_to_max(value, best)),
                        Source::Extra {
                            better: Better::Lower,
                            ..
                        } => (1.0, relative_to_min(value, best)),
                    };
                    Some(Cell {
                        raw: value,
                        age_runs,
                        decay,
                        normalised: normalised.clamp(0.0, 1.0),
                    })
                })
                .collect()
        })
        .collect();

    Ok(Table {
        names: subjects.iter().map(|s| s.name.clone()).collect(),
        components,
        cells,
        best,
    })
}

/// `value / max`, 0 when every value is 0.
fn relative_to_max(value: f64, max: f64) -> f64 {
    if max > 0.0 { value / max } else { 0.0 }
}

/// `min / value`, 1 when the value is 0 (nothing is lower).
fn relative_to_min(value: f64, min: f64) -> f64 {
    if value > 0.0 { min / value } else { 1.0 }
}

impl Table {
    /// Whether at least one subject has component `j`.
    pub fn measured(&self, j: usize) -> bool {
        self.best[j].is_some()
    }

    /// Each component's share of the composite: its weight divided by the sum of the
    /// weights of the measured components; 0 for unmeasured ones. With no subjects
    /// every share is 0; otherwise a zero sum is [`ScoreError::NothingWeighted`].
    pub fn shares(&self, weights: &[f64]) -> Result<Vec<f64>, ScoreError> {
        let total: f64 = (0..self.components.len())
            .filter(|&j| self.measured(j))
            .map(|j| weights[j])
            .sum();
        if total > 0.0 {
            return Ok((0..self.components.len())
                .map(|j| {
                    if self.measured(j) {
                        weights[j] / total
                    } else {
                        0.0
                    }
                })
                .collect());
        }
        if self.names.is_empty() {
            return Ok(vec![0.0; self.components.len()]);
        }
        let list = |names: Vec<&str>| {
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        };
        Err(ScoreError::NothingWeighted {
            weighted: list(
                (0..self.components.len())
                    .filter(|&j| weights[j] > 0.0)
                    .map(|j| self.components[j].name())
                    .collect(),
            ),
            measured: list(
                (0..self.components.len())
                    .filter(|&j| self.measured(j))
                    .map(|j| self.components[j].name())
                    .collect(),
            ),
        })
    }

    /// Subject `s`'s contribution from component `j`: share × normalised value, 0 when
    /// the subject lacks the figure.
    pub fn contribution(&self, s: usize, j: usize, shares: &[f64]) -> f64 {
        self.cells[s][j].map_or(0.0, |cell| shares[j] * cell.normalised)
    }

    /// Every subject's composite (input order): the sum of its contributions, in [0, 1].
    pub fn composites(&self, shares: &[f64]) -> Vec<f64> {
        (0..self.names.len())
            .map(|s| {
                (0..self.components.len())
                    .map(|j| self.contribution(s, j, shares))
                    .sum::<f64>()
                    .clamp(0.0, 1.0)
            })
            .collect()
    }

    /// Components measured for some subjects but not for subject `s` (counted as 0).
    pub fn missing_for(&self, s: usize) -> Vec<usize> {
        (0..self.components.len())
            .filter(|&j| self.measured(j) && self.cells[s][j].is_none())
            .collect()
    }
}

/// Orders subjects best first: `(subject index, rank)`. Composites are sorted from high
/// to low; a subject whose composite is within [`TIE_TOLERANCE`] of the first composite
/// of the current group joins the group and shares its rank; the next group's rank
/// counts everyone before it ("1, 1, 3"). Inside a group subjects are listed by name.
pub(crate) fn rank(names: &[String], composites: &[f64]) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| {
        composites[b]
            .total_cmp(&composites[a])
            .then_with(|| names[a].cmp(&names[b]))
    });
    let mut ranked = Vec::with_capacity(order.len());
    let mut start = 0;
    while start < order.len() {
        let leader = composites[order[start]];
        let mut end = start + 1;
        while end < order.len() && leader - composites[order[end]] < TIE_TOLERANCE {
            end += 1;
        }
        let mut group = order[start..end].to_vec();
        group.sort_by(|&a, &b| names[a].cmp(&names[b]));
        ranked.extend(group.into_iter().map(|s| (s, start + 1)));
        start = end;
    }
    ranked
}

/// Formats a list of names as "a", "a and b", "a, b and c".
pub(crate) fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::axis::AxisValue;

    fn axis_components(weights: [f64; 4]) -> Vec<Component> {
        Axis::ALL
            .into_iter()
            .zip(weights)
            .map(|(axis, weight)| Component {
                source: Source::Axis(axis),
                weight,
            })
            .collect()
    }

    #[test]
    fn decay_is_095_per_run() {
        assert_eq!(decay(0), 1.0);
        assert!((decay(1) - 0.95).abs() < 1e-15);
        assert!((decay(2) - 0.9025).abs() < 1e-15);
        assert_eq!(decay(u32::MAX), 0.0);
    }

    #[test]
    fn ranks_share_ties_and_skip() {
        let names: Vec<String> = ["d", "c", "b", "a"].map(String::from).to_vec();
        let ranked = rank(&names, &[0.5, 0.9, 0.9 - 1e-12, 0.2]);
        // c and b tie (within tolerance) and are listed by name; d is third.
        assert_eq!(ranked, vec![(2, 1), (1, 1), (0, 3), (3, 4)]);
    }

    #[test]
    fn tie_groups_are_measured_from_their_first_member() {
        let names: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let step = TIE_TOLERANCE * 0.6;
        let ranked = rank(&names, &[0.5, 0.5 - step, 0.5 - 2.0 * step]);
        // b is within tolerance of a; c is within tolerance of b but not of a.
        assert_eq!(ranked, vec![(0, 1), (1, 1), (2, 3)]);
    }

    #[test]
    fn lower_is_better_extras_use_min_over_value() {
        let subjects = vec![
            SubjectFigures::new("a").with_extra("size", 4.0),
            SubjectFigures::new("b").with_extra("size", 8.0),
            SubjectFigures::new("c"),
        ];
        let table = build_table(
            &subjects,
            vec![Component {
                source: Source::Extra {
                    figure: "size".into(),
                    better: Better::Lower,
                },
                weight: 1.0,
            }],
        )
        .unwrap();
        assert_eq!(table.best, vec![Some(4.0)]);
        assert_eq!(table.cells[0][0].unwrap().normalised, 1.0);
        assert_eq!(table.cells[1][0].unwrap().normalised, 0.5);
        assert_eq!(table.cells[2][0], None);
        assert_eq!(table.missing_for(2), vec![0]);
    }

    #[test]
    fn zero_is_best_for_lower_is_better() {
        let subjects = vec![
            SubjectFigures::new("a").with_extra("deps", 0.0),
            SubjectFigures::new("b").with_extra("deps", 12.0),
        ];
        let table = build_table(
            &subjects,
            vec![Component {
                source: Source::Extra {
                    figure: "deps".into(),
                    better: Better::Lower,
                },
                weight: 1.0,
            }],
        )
        .unwrap();
        assert_eq!(table.cells[0][0].unwrap().normalised, 1.0);
        assert_eq!(table.cells[1][0].unwrap().normalised, 0.0);
    }

    #[test]
    fn all_zero_axis_normalises_to_zero() {
        let subjects = vec![
            SubjectFigures::new("a").with_axis(Axis::Observability, AxisValue::fresh(0.0)),
            SubjectFigures::new("b").with_axis(Axis::Observability, AxisValue::fresh(0.0)),
        ];
        let table = build_table(&subjects, axis_components([0.0, 0.0, 1.0, 0.0])).unwrap();
        assert_eq!(table.cells[0][2].unwrap().normalised, 0.0);
        let shares = table.shares(&[0.0, 0.0, 1.0, 0.0]).unwrap();
        assert_eq!(table.composites(&shares), vec![0.0, 0.0]);
    }

    #[test]
    fn bad_extra_values_are_reported_only_when_used() {
        let subjects = vec![
            SubjectFigures::new("a")
                .with_extra("used", f64::NAN)
                .with_extra("unused", -1.0),
        ];
        let used = |figure: &str| Component {
            source: Source::Extra {
                figure: figure.into(),
                better: Better::Higher,
            },
            weight: 1.0,
        };
        let err = build_table(&subjects, vec![used("used")]).unwrap_err();
        assert!(matches!(err, ScoreError::InvalidFigure { ref figure, .. } if figure == "used"));
        assert!(build_table(&subjects, vec![used("other")]).is_ok());
    }

    #[test]
    fn nothing_weighted_names_both_sides() {
        let subjects =
            vec![SubjectFigures::new("a").with_axis(Axis::Performance, AxisValue::fresh(1.0))];
        let table = build_table(&subjects, axis_components([0.0, 0.0, 0.0, 1.0])).unwrap();
        let err = table.shares(&[0.0, 0.0, 0.0, 1.0]).unwrap_err();
        assert_eq!(
            err,
            ScoreError::NothingWeighted {
                weighted: "hot_reload".into(),
                measured: "performance".into()
            }
        );
    }

    #[test]
    fn join_and_reads_naturally() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(join_and(&s(&[])), "");
        assert_eq!(join_and(&s(&["a"])), "a");
        assert_eq!(join_and(&s(&["a", "b"])), "a and b");
        assert_eq!(join_and(&s(&["a", "b", "c"])), "a, b and c");
    }
}
