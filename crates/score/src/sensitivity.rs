//! How much the top of a ranking depends on the exact weights.

use crate::axis::SubjectFigures;
use crate::engine::{self, Table};
use crate::error::ScoreError;
use crate::scoreboard::axis_table;
use crate::weights::Weights;
use serde::{Deserialize, Serialize};

/// Each weight is multiplied by each of these factors in turn (±10%).
pub const PERTURBATION_FACTORS: [f64; 2] = [0.9, 1.1];

/// The ranking's top after one weight was moved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Perturbation {
    /// The weight that moved: an axis key or an extra figure's name.
    pub weight: String,
    /// What it was multiplied by (0.9 or 1.1) before the weights were renormalised.
    pub factor: f64,
    /// The subject ranked first (the first by name when several share rank 1).
    pub top: String,
    /// Every subject at rank 1, by name (more than one on a tie).
    pub first: Vec<String>,
    /// The first three subjects in ranking order.
    pub top3: Vec<String>,
}

/// Whether the winner survives small changes of the weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// True when some ±10% perturbation puts a different set of subjects at rank 1.
    pub top_changes: bool,
    /// The subject that is alone at rank 1 with the weights as given and in every
    /// perturbation; `None` when the top changes or is shared.
    pub stable_top: Option<String>,
    /// The subjects at rank 1 with the weights as given.
    pub first: Vec<String>,
    /// The first three subjects with the weights as given.
    pub top3: Vec<String>,
    /// One entry per moved weight and factor. Weights of 0 and weights of figures no
    /// subject has are not moved: they cannot change the ranking.
    pub perturbations: Vec<Perturbation>,
    /// One sentence for the report, e.g. "gin stays first when any weight moves by
    /// ±10%" or "the top changes: gin is first with the weights as given; axum is
    /// first when performance −10%".
    pub summary: String,
}

/// The sensitivity of the plain composite (the radar's axes with `weights`).
pub fn sensitivity(
    subjects: &[SubjectFigures],
    weights: &Weights,
) -> Result<Sensitivity, ScoreError> {
    let table = axis_table(subjects, weights)?;
    let given: Vec<f64> = table.components.iter().map(|c| c.weight).collect();
    analyse(&table, &given)
}

/// The subjects at rank 1 and the first three, for one set of weights.
fn top_of(table: &Table, weights: &[f64]) -> Result<(Vec<String>, Vec<String>), ScoreError> {
    let shares = table.shares(weights)?;
    let ranked = engine::rank(&table.names, &table.composites(&shares));
    let first = ranked
        .iter()
        .take_while(|(_, rank)| *rank == 1)
        .map(|(s, _)| table.names[*s].clone())
        .collect();
    let top3 = ranked
        .iter()
        .take(3)
        .map(|(s, _)| table.names[*s].clone())
        .collect();
    Ok((first, top3))
}

/// Moves each positive weight of a measured component by each factor and ranks again.
pub(crate) fn analyse(table: &Table, weights: &[f64]) -> Result<Sensitivity, ScoreError> {
    let (first, top3) = top_of(table, weights)?;
    if table.names.is_empty() {
        return Ok(Sensitivity {
            top_changes: false,
            stable_top: None,
            first,
            top3,
            perturbations: Vec::new(),
            summary: "no subjects to rank".to_string(),
        });
    }
    let mut perturbations = Vec::new();
    for j in 0..table.components.len() {
        if weights[j] <= 0.0 || !table.measured(j) {
            continue;
        }
        for factor in PERTURBATION_FACTORS {
            let mut moved = weights.to_vec();
            moved[j] *= factor;
            let total: f64 = moved.iter().sum();
            moved.iter_mut().for_each(|w| *w /= total);
            let (p_first, p_top3) = top_of(table, &moved)?;
            perturbations.push(Perturbation {
                weight: table.components[j].name().to_string(),
                factor,
                top: p_first.first().cloned().unwrap_or_default(),
                first: p_first,
                top3: p_top3,
            });
        }
    }
    let top_changes = perturbations.iter().any(|p| p.first != first);
    let stable_top = match first.as_slice() {
        [only] if !top_changes => Some(only.clone()),
        _ => None,
    };
    let summary = summarise(&table.names, &first, top_changes, &perturbations);
    Ok(Sensitivity {
        top_changes,
        stable_top,
        first,
        top3,
        perturbations,
        summary,
    })
}

/// "−10%" / "+10%".
fn percent(factor: f64) -> String {
    let pct = ((factor - 1.0) * 100.0).round();
    if pct < 0.0 {
        format!("−{}%", -pct)
    } else {
        format!("+{pct}%")
    }
}

/// "gin is first" / "gin and echo share first".
fn who_is_first(first: &[String]) -> String {
    match first {
        [one] => format!("{one} is first"),
        many => format!("{} share first place", engine::join_and(many)),
    }
}

fn summarise(
    names: &[String],
    first: &[String],
    top_changes: bool,
    perturbations: &[Perturbation],
) -> String {
    if let [only] = names {
        return format!("{only} is the only subject ranked; there is nothing to reorder");
    }
    if !top_changes {
        return match first {
            [one] => format!("{one} stays first when any weight moves by ±10%"),
            many => format!(
                "{} share first place and still do when any weight moves by ±10%",
                engine::join_and(many)
            ),
        };
    }
    // Group the perturbations that change the top by the new top, in order of
    // first appearance.
    let mut groups: Vec<(&[String], Vec<String>)> = Vec::new();
    for p in perturbations.iter().filter(|p| p.first != first) {
        let change = format!("{} {}", p.weight, percent(p.factor));
        match groups.iter_mut().find(|(f, _)| *f == p.first.as_slice()) {
            Some((_, changes)) => changes.push(change),
            None => groups.push((&p.first, vec![change])),
        }
    }
    let mut parts = vec![format!("{} with the weights as given", who_is_first(first))];
    for (new_first, changes) in groups {
        parts.push(format!(
            "{} when {}",
            who_is_first(new_first),
            changes.join(" or ")
        ));
    }
    format!("the top changes: {}", parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::axis::{Axis, AxisValue};

    fn subject(name: &str, performance: f64, ecosystem: f64) -> SubjectFigures {
        SubjectFigures::new(name)
            .with_axis(Axis::Performance, AxisValue::fresh(performance))
            .with_axis(Axis::Ecosystem, AxisValue::fresh(ecosystem))
    }

    const HALF_HALF: Weights = Weights {
        performance: 0.5,
        ecosystem: 0.5,
        observability: 0.0,
        hot_reload: 0.0,
    };

    #[test]
    fn near_tie_flips_when_a_weight_moves() {
        // gin: (1 + 0.8) / 2 = 0.9; axum: (0.79 + 1) / 2 = 0.895.
        // Ecosystem +10%: gin (0.5 + 0.55·0.8) / 1.05 = 0.8952, axum (0.5·0.79 + 0.55) / 1.05 = 0.9.
        let subjects = vec![subject("gin", 1.0, 0.8), subject("axum", 0.79, 1.0)];
        let s = sensitivity(&subjects, &HALF_HALF).unwrap();
        assert_eq!(s.first, vec!["gin".to_string()]);
        assert!(s.top_changes);
        assert_eq!(s.stable_top, None);
        // Only the two weighted, measured axes move: 2 × 2 perturbations.
        assert_eq!(s.perturbations.len(), 4);
        let flips: Vec<(&str, f64)> = s
            .perturbations
            .iter()
            .filter(|p| p.top == "axum")
            .map(|p| (p.weight.as_str(), p.factor))
            .collect();
        assert_eq!(flips, vec![("performance", 0.9), ("ecosystem", 1.1)]);
        assert_eq!(
            s.summary,
            "the top changes: gin is first with the weights as given; axum is first when performance −10% or ecosystem +10%"
        );
        let flipped = &s.perturbations[0];
        assert_eq!(flipped.top3, vec!["axum".to_string(), "gin".to_string()]);
    }

    #[test]
    fn clear_winner_is_stable() {
        let subjects = vec![
            subject("gin", 1.0, 1.0),
            subject("echo", 0.5, 0.6),
            subject("chi", 0.4, 0.9),
            subject("fiber", 0.3, 0.2),
        ];
        let s = sensitivity(&subjects, &HALF_HALF).unwrap();
        assert!(!s.top_changes);
        assert_eq!(s.stable_top.as_deref(), Some("gin"));
        assert_eq!(s.summary, "gin stays first when any weight moves by ±10%");
        assert_eq!(s.top3, vec!["gin", "chi", "echo"]);
        assert!(s.perturbations.iter().all(|p| p.top == "gin"));
        assert_eq!(s.perturbations.len(), 4);
    }

    #[test]
    fn shared_first_place_is_not_a_stable_top() {
        let subjects = vec![subject("a", 1.0, 1.0), subject("b", 1.0, 1.0)];
        let s = sensitivity(&subjects, &HALF_HALF).unwrap();
        assert!(!s.top_changes);
        assert_eq!(s.stable_top, None);
        assert_eq!(
            s.summary,
            "a and b share first place and still do when any weight moves by ±10%"
        );
    }

    #[test]
    fn one_subject_and_no_subjects() {
        let s = sensitivity(&[subject("stdlib", 1.0, 1.0)], &HALF_HALF).unwrap();
        assert_eq!(s.stable_top.as_deref(), Some("stdlib"));
        assert!(s.summary.contains("only subject"), "{}", s.summary);
        let s = sensitivity(&[], &HALF_HALF).unwrap();
        assert_eq!(s.stable_top, None);
        assert!(s.perturbations.is_empty());
        assert_eq!(s.summary, "no subjects to rank");
    }

    #[test]
    fn percent_signs() {
        assert_eq!(percent(0.9), "−10%");
        assert_eq!(percent(1.1), "+10%");
    }
}
