#![allow(clippy::unwrap_used)]
//! Properties that must hold for any input, checked with proptest.

use podium_stats::{
    BootstrapConfig, CompareConfig, Direction, StatsError, Summary, Verdict, compare,
    mann_whitney_u, rank, ratio_of_medians, tukey_outliers,
};
use proptest::prelude::*;

/// Few resamples keep each case fast in debug builds; the properties do not depend on
/// the count.
fn bootstrap(seed: u64) -> BootstrapConfig {
    BootstrapConfig {
        resamples: 200,
        confidence: 0.95,
        seed,
    }
}

fn compare_config(seed: u64) -> CompareConfig {
    CompareConfig {
        bootstrap: bootstrap(seed),
        ..CompareConfig::default()
    }
}

/// Values in the range of real figures (requests/s, milliseconds, bytes), with
/// repeats likely so that ties are exercised.
fn realistic_sample(max_len: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(
        prop_oneof![
            (-1_000_000.0..1_000_000.0_f64),
            (0_u32..20).prop_map(f64::from),
        ],
        1..=max_len,
    )
}

/// Any finite f64, including subnormals, zeros and ±f64::MAX neighbourhoods.
fn any_finite() -> impl Strategy<Value = f64> {
    prop::num::f64::NORMAL | prop::num::f64::SUBNORMAL | prop::num::f64::ZERO
}

fn direction() -> impl Strategy<Value = Direction> {
    prop_oneof![
        Just(Direction::HigherIsBetter),
        Just(Direction::LowerIsBetter)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn interval_brackets_median_within_sample_range(
        values in realistic_sample(40),
        seed in any::<u64>(),
    ) {
        let summary = Summary::of(&values, &bootstrap(seed)).unwrap();
        prop_assert!(summary.min <= summary.ci_low, "{summary:?}");
        prop_assert!(summary.ci_low <= summary.median, "{summary:?}");
        prop_assert!(summary.median <= summary.ci_high, "{summary:?}");
        prop_assert!(summary.ci_high <= summary.max, "{summary:?}");
        prop_assert_eq!(summary.n, values.len());
        prop_assert_eq!(summary.spread_known, values.len() >= 2);
    }

    #[test]
    fn same_seed_same_summary(values in realistic_sample(30), seed in any::<u64>()) {
        let first = Summary::of(&values, &bootstrap(seed)).unwrap();
        let second = Summary::of(&values, &bootstrap(seed)).unwrap();
        prop_assert_eq!(first, second);
    }

    #[test]
    fn identical_samples_are_never_different(
        values in realistic_sample(30),
        direction in direction(),
        seed in any::<u64>(),
    ) {
        let result = compare(&values, &values, direction, &compare_config(seed)).unwrap();
        prop_assert_eq!(result.verdict, Verdict::WithinNoise, "{}", result.explanation);
        if let Some(p) = result.p_value {
            prop_assert_eq!(p, 1.0);
        }
    }

    #[test]
    fn comparison_is_antisymmetric(
        a in realistic_sample(20),
        b in realistic_sample(20),
        direction in direction(),
        seed in any::<u64>(),
    ) {
        let config = compare_config(seed);
        let forward = compare(&a, &b, direction, &config).unwrap();
        let backward = compare(&b, &a, direction, &config).unwrap();
        prop_assert_eq!(forward.verdict, backward.verdict.reversed());
        prop_assert_eq!(forward.method, backward.method);
        prop_assert_eq!(forward.reason, backward.reason);
        prop_assert_eq!(forward.p_value, backward.p_value);
    }

    #[test]
    fn mann_whitney_p_is_symmetric_and_a_probability(
        a in realistic_sample(35),
        b in realistic_sample(35),
    ) {
        let forward = mann_whitney_u(&a, &b).unwrap();
        let backward = mann_whitney_u(&b, &a).unwrap();
        prop_assert_eq!(forward.p_value.to_bits(), backward.p_value.to_bits());
        prop_assert!((0.0..=1.0).contains(&forward.p_value), "{forward:?}");
        prop_assert_eq!(forward.u_a + forward.u_b, (a.len() * b.len()) as f64);
        prop_assert_eq!(forward.z.map(|z| -z), backward.z);
    }

    #[test]
    fn far_shifted_sample_is_better(
        low in prop::collection::vec(0.0..100.0_f64, 8..=30),
        high in prop::collection::vec(1_000.0..1_100.0_f64, 8..=30),
        seed in any::<u64>(),
    ) {
        let config = compare_config(seed);
        let higher = compare(&high, &low, Direction::HigherIsBetter, &config).unwrap();
        prop_assert_eq!(higher.verdict, Verdict::Better, "{}", higher.explanation);
        let lower = compare(&high, &low, Direction::LowerIsBetter, &config).unwrap();
        prop_assert_eq!(lower.verdict, Verdict::Worse, "{}", lower.explanation);
    }

    #[test]
    fn ratio_interval_contains_point_ratio(
        num in prop::collection::vec(1.0..1_000_000.0_f64, 1..=20),
        den in prop::collection::vec(1.0..1_000_000.0_f64, 1..=20),
        seed in any::<u64>(),
    ) {
        let ratio = ratio_of_medians(&num, &den, &bootstrap(seed)).unwrap();
        prop_assert!(ratio.ci_low <= ratio.ratio && ratio.ratio <= ratio.ci_high, "{ratio:?}");
        prop_assert!(ratio.ci_low > 0.0);
    }

    #[test]
    fn ranking_is_ordered_and_ties_share_rank(
        samples in prop::collection::vec(realistic_sample(8), 1..=6),
        direction in direction(),
        seed in any::<u64>(),
    ) {
        let named: Vec<(String, Vec<f64>)> = samples
            .into_iter()
            .enumerate()
            .map(|(i, values)| (format!("s{i}"), values))
            .collect();
        let ranking = rank(&named, direction, &compare_config(seed)).unwrap();
        prop_assert_eq!(ranking.len(), named.len());
        prop_assert_eq!(ranking[0].rank, 1);
        for (position, pair) in ranking.windows(2).enumerate() {
            let (above, below) = (&pair[0], &pair[1]);
            match direction {
                Direction::HigherIsBetter => prop_assert!(above.summary.median >= below.summary.median),
                Direction::LowerIsBetter => prop_assert!(above.summary.median <= below.summary.median),
            }
            if below.tied_with_previous {
                prop_assert_eq!(below.rank, above.rank);
            } else {
                prop_assert_eq!(below.rank, position + 2);
            }
        }
    }

    #[test]
    fn no_panic_on_any_finite_input(
        a in prop::collection::vec(any_finite(), 1..=30),
        b in prop::collection::vec(any_finite(), 1..=30),
        direction in direction(),
        seed in any::<u64>(),
    ) {
        let config = compare_config(seed);
        let summary = Summary::of(&a, &config.bootstrap).unwrap();
        prop_assert!(summary.ci_low <= summary.median && summary.median <= summary.ci_high);
        let test = mann_whitney_u(&a, &b).unwrap();
        prop_assert!((0.0..=1.0).contains(&test.p_value));
        compare(&a, &b, direction, &config).unwrap();
        tukey_outliers(&a).unwrap();
        // Zero or mixed-sign denominators and overflowing ratios are errors, not panics.
        let _ = ratio_of_medians(&a, &b, &config.bootstrap);
        rank(&[("a", &a), ("b", &b)], direction, &config).unwrap();
    }

    #[test]
    fn nan_or_infinity_is_an_error(
        values in realistic_sample(20),
        position in any::<prop::sample::Index>(),
        bad in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)],
    ) {
        let mut poisoned = values.clone();
        let index = position.index(poisoned.len() + 1);
        poisoned.insert(index, bad);
        let is_non_finite = |result: &StatsError| {
            matches!(result, StatsError::NonFinite { index: i, .. } if *i == index)
        };
        let config = compare_config(1);
        prop_assert!(is_non_finite(&Summary::of(&poisoned, &config.bootstrap).unwrap_err()));
        prop_assert!(is_non_finite(&mann_whitney_u(&values, &poisoned).unwrap_err()));
        prop_assert!(is_non_finite(
            &compare(&poisoned, &values, Direction::HigherIsBetter, &config).unwrap_err()
        ));
        prop_assert!(is_non_finite(&tukey_outliers(&poisoned).unwrap_err()));
        prop_assert!(is_non_finite(
            &ratio_of_medians(&poisoned, &[1.0], &config.bootstrap).unwrap_err()
        ));
    }
}
