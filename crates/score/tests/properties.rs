#![allow(clippy::unwrap_used)]
//! Properties that must hold for any input, checked with proptest.

use podium_score::{
    Axis, AxisValue, Better, ExtraWeight, Profile, RADAR_FLOOR, ScoreError, Scoreboard,
    SubjectFigures, TIE_TOLERANCE, Weights, recommend, score, sensitivity,
};
use proptest::prelude::*;

/// Figures in the range of real ones, with small integers likely so that ties and
/// zeros are exercised.
fn figure() -> impl Strategy<Value = f64> {
    prop_oneof![(0.0..1_000_000.0_f64), (0_u32..5).prop_map(f64::from)]
}

fn axis_value() -> impl Strategy<Value = Option<AxisValue>> {
    prop::option::weighted(
        0.8,
        (figure(), 0_u32..4).prop_map(|(v, a)| AxisValue::aged(v, a)),
    )
}

/// 1 to 8 subjects named s0, s1, … with random axes and two optional extras.
fn subjects() -> impl Strategy<Value = Vec<SubjectFigures>> {
    prop::collection::vec(
        (
            [axis_value(), axis_value(), axis_value(), axis_value()],
            prop::option::weighted(0.8, 1.0..50_000_000.0_f64),
            prop::option::weighted(0.8, figure()),
        ),
        1..8,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (axes, binary, rps))| {
                let mut s = SubjectFigures::new(format!("s{i}"));
                for (axis, value) in Axis::ALL.into_iter().zip(axes) {
                    *s.axes.get_mut(axis) = value;
                }
                if let Some(b) = binary {
                    s = s.with_extra("binary_bytes", b);
                }
                if let Some(r) = rps {
                    s = s.with_extra("rps_ping", r);
                }
                s
            })
            .collect()
    })
}

/// Weights in [0, 1], not all zero (small ones likely, to test the radar floor).
fn weights() -> impl Strategy<Value = Weights> {
    [
        prop_oneof![Just(0.0), 0.0..=1.0_f64],
        prop_oneof![Just(0.0), 0.0..=1.0_f64],
        prop_oneof![Just(0.0), 0.0..=1.0_f64],
        prop_oneof![Just(0.0), 0.0..=1.0_f64],
    ]
    .prop_filter("not all zero", |w| w.iter().any(|x| *x > 0.0))
    .prop_map(
        |[performance, ecosystem, observability, hot_reload]| Weights {
            performance,
            ecosystem,
            observability,
            hot_reload,
        },
    )
}

fn profile() -> impl Strategy<Value = Profile> {
    (weights(), 0.0..=1.0_f64, 0.0..=1.0_f64).prop_map(|(weights, binary, rps)| Profile {
        name: "random".into(),
        description: String::new(),
        weights,
        extras: vec![
            ExtraWeight {
                figure: "binary_bytes".into(),
                weight: binary,
                better: Better::Lower,
            },
            ExtraWeight {
                figure: "rps_ping".into(),
                weight: rps,
                better: Better::Higher,
            },
        ],
        source: "proptest".into(),
    })
}

/// Scores, or checks that the only failure is the legitimate "no weighted axis was
/// measured" and returns None.
fn score_or_nothing(subjects: &[SubjectFigures], weights: &Weights) -> Option<Scoreboard> {
    match score(subjects, weights) {
        Ok(board) => Some(board),
        Err(ScoreError::NothingWeighted { .. }) => {
            let weighted_and_measured = Axis::ALL.into_iter().any(|axis| {
                weights.get(axis) > 0.0 && subjects.iter().any(|s| s.axes.get(axis).is_some())
            });
            assert!(
                !weighted_and_measured,
                "NothingWeighted with a weighted, measured axis"
            );
            None
        }
        Err(other) => panic!("valid input rejected: {other}"),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn radar_values_and_composites_stay_in_range(subjects in subjects(), weights in weights()) {
        let Some(board) = score_or_nothing(&subjects, &weights) else { return Ok(()) };
        for subject in &board.subjects {
            prop_assert!((0.0..=1.0).contains(&subject.composite), "{}", subject.composite);
            for axis in Axis::ALL {
                let w = board.normalised_weights.get(axis);
                prop_assert!(w <= 1.0);
                match subject.axes.get(axis) {
                    Some(a) => {
                        prop_assert!((0.0..=1.0).contains(&a.normalised));
                        prop_assert!(a.radar >= RADAR_FLOOR);
                        prop_assert!(a.radar <= w.max(RADAR_FLOOR), "{} > {}", a.radar, w);
                        prop_assert_eq!(a.radar, (a.normalised * w).max(RADAR_FLOOR));
                        prop_assert!(!subject.missing.contains(&axis));
                    }
                    None => prop_assert!(subject.missing.contains(&axis)),
                }
            }
        }
    }

    #[test]
    fn ranks_follow_composites(subjects in subjects(), weights in weights()) {
        let Some(board) = score_or_nothing(&subjects, &weights) else { return Ok(()) };
        prop_assert_eq!(board.subjects.len(), subjects.len());
        prop_assert_eq!(board.subjects[0].rank, 1);
        for (position, pair) in board.subjects.windows(2).enumerate() {
            let (a, b) = (&pair[0], &pair[1]);
            if a.rank == b.rank {
                // Inside a tie group the order is by name, not by composite.
                prop_assert!((a.composite - b.composite).abs() < TIE_TOLERANCE);
                prop_assert!(a.name < b.name, "ties are listed by name");
            } else {
                prop_assert!(a.composite > b.composite);
                // A new group's rank counts everyone before it.
                prop_assert_eq!(b.rank, position + 2);
            }
        }
    }

    #[test]
    fn input_order_does_not_matter(
        (subjects, shuffled) in subjects().prop_flat_map(|s| (Just(s.clone()), Just(s).prop_shuffle())),
        weights in weights(),
    ) {
        let Some(board) = score_or_nothing(&subjects, &weights) else { return Ok(()) };
        prop_assert_eq!(board, score(&shuffled, &weights).unwrap());
        prop_assert_eq!(
            sensitivity(&subjects, &weights).unwrap(),
            sensitivity(&shuffled, &weights).unwrap()
        );
    }

    #[test]
    fn scaling_an_axis_changes_no_score(
        subjects in subjects(),
        weights in weights(),
        axis in prop::sample::select(Axis::ALL.to_vec()),
        factor in prop_oneof![0.001..1000.0_f64, Just(2.0), Just(1e-3), Just(1e3)],
    ) {
        let Some(board) = score_or_nothing(&subjects, &weights) else { return Ok(()) };
        let mut scaled = subjects.clone();
        for s in &mut scaled {
            if let Some(v) = s.axes.get_mut(axis) {
                v.value *= factor;
            }
        }
        let other = score(&scaled, &weights).unwrap();
        for (a, b) in board.subjects.iter().zip(&other.subjects) {
            prop_assert_eq!(&a.name, &b.name);
            prop_assert_eq!(a.rank, b.rank);
            prop_assert!(close(a.composite, b.composite), "{} vs {}", a.composite, b.composite);
            for ax in Axis::ALL {
                match (a.axes.get(ax), b.axes.get(ax)) {
                    (Some(x), Some(y)) => {
                        prop_assert!(close(x.normalised, y.normalised));
                        prop_assert!(close(x.radar, y.radar));
                    }
                    (None, None) => {}
                    _ => prop_assert!(false, "presence changed"),
                }
            }
        }
    }

    #[test]
    fn recommendations_ignore_order_and_units_of_extras(
        (subjects, shuffled) in subjects().prop_flat_map(|s| (Just(s.clone()), Just(s).prop_shuffle())),
        profile in profile(),
        factor in 0.001..1000.0_f64,
    ) {
        let rec = match recommend(&subjects, &profile) {
            Ok(rec) => rec,
            Err(ScoreError::NothingWeighted { .. }) => return Ok(()),
            Err(other) => panic!("valid input rejected: {other}"),
        };
        prop_assert_eq!(&rec, &recommend(&shuffled, &profile).unwrap());

        // Bytes → any other unit, requests/s → any other rate.
        let mut rescaled = subjects.clone();
        for s in &mut rescaled {
            for v in s.extras.values_mut() {
                *v *= factor;
            }
        }
        let other = recommend(&rescaled, &profile).unwrap();
        for (a, b) in rec.ranked.iter().zip(&other.ranked) {
            prop_assert_eq!(&a.name, &b.name);
            prop_assert_eq!(a.rank, b.rank);
            prop_assert!(close(a.score, b.score), "{} vs {}", a.score, b.score);
        }
        for subject in &rec.ranked {
            prop_assert!((0.0..=1.0).contains(&subject.score));
            prop_assert!(!subject.reasons.is_empty());
            let total: f64 = subject.contributions.iter().map(|c| c.contribution).sum();
            prop_assert!(close(total.clamp(0.0, 1.0), subject.score));
        }
    }

    #[test]
    fn sensitivity_is_consistent(subjects in subjects(), profile in profile()) {
        let rec = match recommend(&subjects, &profile) {
            Ok(rec) => rec,
            Err(ScoreError::NothingWeighted { .. }) => return Ok(()),
            Err(other) => panic!("valid input rejected: {other}"),
        };
        let s = &rec.sensitivity;
        let moved = rec.weights.iter().filter(|w| w.measured && w.weight > 0.0).count();
        prop_assert_eq!(s.perturbations.len(), 2 * moved);
        prop_assert_eq!(s.top_changes, s.perturbations.iter().any(|p| p.first != s.first));
        if let Some(top) = &s.stable_top {
            prop_assert_eq!(&s.first, &vec![top.clone()]);
            prop_assert!(s.perturbations.iter().all(|p| &p.top == top));
            prop_assert!(s.summary.contains(top.as_str()));
        }
        let winners: Vec<&str> = rec.ranked.iter().filter(|r| r.rank == 1).map(|r| r.name.as_str()).collect();
        prop_assert_eq!(winners, s.first.iter().map(String::as_str).collect::<Vec<_>>());
    }

    #[test]
    fn any_f64_is_an_answer_not_a_panic(
        values in prop::collection::vec(prop::option::of(any::<f64>()), 4..=16),
        weights in weights(),
    ) {
        let subjects: Vec<SubjectFigures> = values
            .chunks(4)
            .enumerate()
            .map(|(i, chunk)| {
                let mut s = SubjectFigures::new(format!("s{i}"));
                for (axis, v) in Axis::ALL.into_iter().zip(chunk) {
                    *s.axes.get_mut(axis) = v.map(AxisValue::fresh);
                }
                s
            })
            .collect();
        let bad = values.iter().flatten().any(|v| !v.is_finite() || *v < 0.0);
        match score(&subjects, &weights) {
            Err(ScoreError::InvalidFigure { .. }) => prop_assert!(bad),
            Err(ScoreError::NothingWeighted { .. }) => prop_assert!(!bad),
            Err(other) => panic!("unexpected error {other}"),
            Ok(board) => {
                prop_assert!(!bad);
                for s in &board.subjects {
                    prop_assert!((0.0..=1.0).contains(&s.composite));
                }
            }
        }
    }
}
