//! The Mann-Whitney U test (Wilcoxon rank-sum), two-sided.

use serde::{Deserialize, Serialize};

use crate::error::{StatsError, check_sample};
use crate::normal::normal_sf;

/// Largest size of either sample for which the exact null distribution is used (when
/// there are no ties). The table has (n1·n2 + 1) entries per state and at most
/// C(50, 25) ≈ 1.3e14 arrangements, which fits a u64 exactly.
pub const EXACT_MAX_SAMPLE_SIZE: usize = 25;

/// How the p-value was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MannWhitneyMethod {
    /// Exact null distribution of U (both samples ≤ [`EXACT_MAX_SAMPLE_SIZE`], no ties).
    Exact,
    /// Normal approximation with tie and continuity corrections.
    NormalApprox,
}

/// Result of a two-sided Mann-Whitney U test of samples A and B.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MannWhitney {
    /// U of A: the number of (a, b) pairs with a > b, ties counting one half. Equals
    /// SciPy's `mannwhitneyu(a, b).statistic`.
    pub u_a: f64,
    /// U of B; `u_a + u_b = n_a · n_b`.
    pub u_b: f64,
    /// Standardised statistic of A, (U_A − n_a·n_b/2) moved 0.5 towards zero and
    /// divided by its tie-corrected standard deviation: positive when A tends to be
    /// larger. None with the exact method, or when every value is equal (no variance).
    pub z: Option<f64>,
    /// Two-sided p-value: the probability, were both samples from one distribution,
    /// of a U at least this far from its centre.
    pub p_value: f64,
    /// How `p_value` was obtained.
    pub method: MannWhitneyMethod,
}

impl MannWhitney {
    /// True when A tends to take larger values than B (`u_a > u_b`).
    pub fn a_tends_larger(&self) -> bool {
        self.u_a > self.u_b
    }
}

/// Two-sided Mann-Whitney U test: do A and B come from distributions where neither
/// tends to be larger?
///
/// Ranks use midranks for ties. When both samples have at most
/// [`EXACT_MAX_SAMPLE_SIZE`] values and no value occurs twice, the p-value comes from
/// the exact distribution of U (counting arrangements by dynamic programming);
/// otherwise from the normal approximation with the tie-corrected variance
/// n1·n2/12·((N + 1) − Σ(t³ − t)/(N(N − 1))) and a continuity correction of 0.5.
/// Both match SciPy's `mannwhitneyu(..., alternative='two-sided')` with
/// `method='exact'` and `method='asymptotic'` respectively.
///
/// Swapping A and B swaps `u_a` and `u_b`, negates `z` and leaves `p_value` unchanged,
/// bit for bit. Two identical samples give p = 1.
pub fn mann_whitney_u(a: &[f64], b: &[f64]) -> Result<MannWhitney, StatsError> {
    check_sample(a, "a")?;
    check_sample(b, "b")?;
    let ranked = rank_combined(a, b);
    let (n_a, n_b) = (a.len() as f64, b.len() as f64);
    let u_a = ranked.rank_sum_a - n_a * (n_a + 1.0) / 2.0;
    let u_b = n_a * n_b - u_a;
    let use_exact =
        a.len() <= EXACT_MAX_SAMPLE_SIZE && b.len() <= EXACT_MAX_SAMPLE_SIZE && !ranked.has_ties;
    if use_exact {
        // Without ties U is a whole number of pairs.
        let u_min = u_a.min(u_b) as u64;
        Ok(MannWhitney {
            u_a,
            u_b,
            z: None,
            p_value: exact_two_sided_p(a.len(), b.len(), u_min),
            method: MannWhitneyMethod::Exact,
        })
    } else {
        let (z, p_value) = normal_approx(a.len(), b.len(), u_a, ranked.tie_term);
        Ok(MannWhitney {
            u_a,
            u_b,
            z,
            p_value,
            method: MannWhitneyMethod::NormalApprox,
        })
    }
}

/// The smallest two-sided p-value [`mann_whitney_u`] can return for samples of these
/// sizes without ties: the p of complete separation. When it is not below the
/// significance level, no outcome of the test can be significant.
///
/// Within the exact range that is 2 / C(n1 + n2, n1) (0.1 for 3 against 3, 0.029 for 4
/// against 4); beyond it, the normal approximation at U = 0. Either is capped at 1.
pub fn smallest_possible_p_value(n1: usize, n2: usize) -> f64 {
    let (small, large) = (n1.min(n2), n1.max(n2));
    if small == 0 {
        return 1.0;
    }
    if large <= EXACT_MAX_SAMPLE_SIZE {
        // C(large + small, small) as a running product (exact in f64 in this range).
        let arrangements = (1..=small).fold(1.0_f64, |product, i| {
            product * (large + i) as f64 / i as f64
        });
        (2.0 / arrangements).min(1.0)
    } else {
        let u_extreme = small as f64 * large as f64;
        normal_approx(small, large, u_extreme, 0.0).1
    }
}

/// Ranks of the combined sample.
struct CombinedRanks {
    /// Sum of A's (mid)ranks, ranks starting at 1.
    rank_sum_a: f64,
    /// Whether any value occurs more than once in the combined sample.
    has_ties: bool,
    /// Σ(t³ − t) over groups of t tied values.
    tie_term: f64,
}

fn rank_combined(a: &[f64], b: &[f64]) -> CombinedRanks {
    let mut combined: Vec<(f64, bool)> = a
        .iter()
        .map(|&v| (v, true))
        .chain(b.iter().map(|&v| (v, false)))
        .collect();
    // Values are finite; −0.0 and 0.0 compare equal below, so normalise them first
    // to keep a tie group contiguous under total_cmp.
    for entry in &mut combined {
        entry.0 += 0.0;
    }
    combined.sort_unstable_by(|x, y| x.0.total_cmp(&y.0));
    let mut rank_sum_a = 0.0;
    let mut tie_term = 0.0;
    let mut start = 0;
    while start < combined.len() {
        let value = combined[start].0;
        let end = start
            + combined[start..]
                .iter()
                .take_while(|e| e.0 == value)
                .count();
        let group = (end - start) as f64;
        // Ranks start..end (0-based) become 1-based start+1..=end; their mean:
        let midrank = (start + 1 + end) as f64 / 2.0;
        let members_of_a = combined[start..end].iter().filter(|e| e.1).count() as f64;
        rank_sum_a += midrank * members_of_a;
        tie_term += group * group * group - group;
        start = end;
    }
    CombinedRanks {
        rank_sum_a,
        has_ties: tie_term > 0.0,
        tie_term,
    }
}

/// Two-sided exact p-value for the smaller U of samples of sizes n1 and n2:
/// 2·P(U ≤ u_min), capped at 1.
///
/// f(i, j, u), the number of orderings of i values of A and j of B (as labels) whose U
/// is u, follows from where the largest value comes from: from A, it beats all j values
/// of B (f(i − 1, j, u − j)); from B, it beats nothing of A (f(i, j − 1, u)). Only
/// u ≤ u_min is needed, since the recurrence only looks down; the total number of
/// orderings is C(n1 + n2, n1).
fn exact_two_sided_p(n1: usize, n2: usize, u_min: u64) -> f64 {
    // The distribution is the same for (n1, n2) and (n2, n1); fixing the order makes
    // the arithmetic, and so the result, identical when A and B are swapped.
    let (small, large) = (n1.min(n2), n1.max(n2));
    let width = (u_min as usize).min(small * large) + 1;
    // previous[j·width + u] = f(i − 1, j, u); current the same for i. Start at i = 0:
    // one ordering, U = 0, for every j.
    let mut previous = vec![0_u64; (large + 1) * width];
    for j in 0..=large {
        previous[j * width] = 1;
    }
    let mut current = vec![0_u64; (large + 1) * width];
    for _i in 1..=small {
        for j in 0..=large {
            for u in 0..width {
                let from_a = if u >= j {
                    previous[j * width + u - j]
                } else {
                    0
                };
                let from_b = if j > 0 {
                    current[(j - 1) * width + u]
                } else {
                    0
                };
                current[j * width + u] = from_a + from_b;
            }
        }
        std::mem::swap(&mut previous, &mut current);
    }
    let at_most: u64 = previous[large * width..].iter().sum();
    // C(large + small, small) by the running product, exact at every step: the partial
    // product after step i is C(large + i, i). At most C(50, 25) ≈ 1.3e14 here.
    let total = (1..=small as u128).fold(1_u128, |c, i| c * (large as u128 + i) / i);
    (2.0 * at_most as f64 / total as f64).min(1.0)
}

/// Normal approximation: (z of A, two-sided p). `tie_term` is Σ(t³ − t).
fn normal_approx(n1: usize, n2: usize, u_a: f64, tie_term: f64) -> (Option<f64>, f64) {
    let (n1, n2) = (n1 as f64, n2 as f64);
    let n = n1 + n2;
    let mean = n1 * n2 / 2.0;
    let variance = n1 * n2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
    if variance <= 0.0 {
        // Every value is tied: the ranks carry no information.
        return (None, 1.0);
    }
    let deviation = u_a - mean;
    // Continuity correction: move 0.5 towards the centre, never past it.
    let corrected = (deviation.abs() - 0.5).max(0.0);
    let z_abs = corrected / variance.sqrt();
    let p_value = (2.0 * normal_sf(z_abs)).min(1.0);
    let z = if deviation < 0.0 { -z_abs } else { z_abs };
    (Some(z), p_value)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values below come from SciPy 1.17.1 (NumPy 2.4.6):
    // scipy.stats.mannwhitneyu(a, b, alternative='two-sided', method=..., use_continuity=True)
    // `.statistic` is U of the first sample.

    const A_10: [f64; 10] = [41.2, 39.8, 40.5, 42.1, 38.9, 41.7, 40.0, 43.3, 39.1, 41.0];
    const B_12: [f64; 12] = [
        39.5, 38.2, 40.3, 37.9, 39.0, 38.6, 40.8, 37.4, 38.8, 39.9, 36.9, 38.1,
    ];

    fn assert_close(actual: f64, expected: f64, relative: f64) {
        let error = ((actual - expected) / expected).abs();
        assert!(
            error <= relative,
            "{actual} vs {expected}: relative error {error:e}"
        );
    }

    #[test]
    fn exact_complete_separation_three_each() {
        // scipy: statistic 0.0, pvalue 0.1 (method='exact')
        let result = mann_whitney_u(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]).unwrap();
        assert_eq!(result.method, MannWhitneyMethod::Exact);
        assert_eq!((result.u_a, result.u_b), (0.0, 9.0));
        assert_close(result.p_value, 0.1, 1e-12);
        assert_eq!(result.z, None);
        assert!(!result.a_tends_larger());
    }

    #[test]
    fn exact_five_against_six() {
        // scipy: statistic 28.0, pvalue 0.017316017316017316 (method='exact')
        let a = [19.1, 22.4, 18.7, 25.0, 21.3];
        let b = [16.2, 17.9, 20.5, 15.8, 18.1, 14.9];
        let result = mann_whitney_u(&a, &b).unwrap();
        assert_eq!(result.method, MannWhitneyMethod::Exact);
        assert_eq!(result.u_a, 28.0);
        assert_close(result.p_value, 0.017_316_017_316_017_316, 1e-12);
        assert!(result.a_tends_larger());
    }

    #[test]
    fn exact_ten_against_twelve() {
        // scipy: statistic 105.0, pvalue 0.0020134664097512397 (method='exact')
        let result = mann_whitney_u(&A_10, &B_12).unwrap();
        assert_eq!(result.method, MannWhitneyMethod::Exact);
        assert_eq!(result.u_a, 105.0);
        assert_close(result.p_value, 0.002_013_466_409_751_239_7, 1e-12);
    }

    #[test]
    fn exact_twenty_five_each() {
        // Generated with numpy.random.default_rng(7): normal(100, 5) and normal(97, 5),
        // rounded to 3 decimals, no ties.
        // scipy: statistic 407.0, pvalue 0.06788860626841411 (method='exact')
        let a = [
            100.006, 101.494, 98.629, 95.547, 97.727, 95.042, 100.301, 106.701, 97.539, 96.898,
            102.449, 101.784, 100.527, 95.348, 99.854, 103.477, 93.279, 97.712, 90.494, 93.552,
            90.791, 98.825, 93.663, 101.356, 100.784,
        ];
        let b = [
            96.065, 84.416, 94.307, 96.757, 97.567, 89.349, 94.611, 92.107, 92.956, 102.304,
            92.962, 96.837, 101.422, 94.082, 96.441, 97.552, 97.319, 90.875, 97.381, 103.794,
            89.264, 101.297, 97.597, 93.793, 107.002,
        ];
        let result = mann_whitney_u(&a, &b).unwrap();
        assert_eq!(result.method, MannWhitneyMethod::Exact);
        assert_eq!(result.u_a, 407.0);
        assert_close(result.p_value, 0.067_888_606_268_414_11, 1e-12);
    }

    #[test]
    fn normal_approx_with_ties() {
        // scipy: statistic 8.5, pvalue 0.025279736885893914 (method='asymptotic')
        let a = [1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0];
        let b = [2.0, 3.0, 4.0, 4.0, 5.0, 5.0, 6.0, 7.0];
        let result = mann_whitney_u(&a, &b).unwrap();
        assert_eq!(result.method, MannWhitneyMethod::NormalApprox);
        assert_eq!(result.u_a, 8.5);
        assert_close(result.p_value, 0.025_279_736_885_893_914, 2e-7);
        assert!(result.z.unwrap() < 0.0);
    }

    #[test]
    fn normal_approx_without_ties_matches_asymptotic() {
        // scipy: statistic 105.0, pvalue 0.0033436220846027958 (method='asymptotic')
        let ranked = rank_combined(&A_10, &B_12);
        assert!(!ranked.has_ties);
        let (z, p) = normal_approx(10, 12, 105.0, ranked.tie_term);
        assert_close(p, 0.003_343_622_084_602_795_8, 2e-7);
        assert!(z.unwrap() > 0.0);
    }

    #[test]
    fn normal_approx_large_samples_with_ties() {
        // Generated with numpy.random.default_rng(7) after the draws above:
        // normal(100, 5) × 40 and normal(98, 5) × 45, rounded to integers (many ties).
        // scipy: statistic 1212.0, pvalue 0.005915319563922399 (method='asymptotic')
        let a = [
            104.0, 94.0, 100.0, 103.0, 99.0, 103.0, 100.0, 103.0, 107.0, 97.0, 101.0, 98.0, 101.0,
            94.0, 97.0, 99.0, 104.0, 106.0, 93.0, 96.0, 103.0, 90.0, 98.0, 100.0, 106.0, 103.0,
            98.0, 98.0, 99.0, 108.0, 98.0, 98.0, 102.0, 99.0, 99.0, 94.0, 100.0, 98.0, 106.0,
            103.0,
        ];
        let b = [
            98.0, 101.0, 96.0, 103.0, 98.0, 101.0, 92.0, 100.0, 90.0, 88.0, 96.0, 94.0, 99.0,
            109.0, 94.0, 95.0, 99.0, 100.0, 97.0, 97.0, 102.0, 101.0, 93.0, 98.0, 98.0, 93.0, 99.0,
            94.0, 103.0, 99.0, 98.0, 95.0, 97.0, 88.0, 92.0, 100.0, 87.0, 102.0, 89.0, 102.0, 94.0,
            102.0, 99.0, 90.0, 104.0,
        ];
        let result = mann_whitney_u(&a, &b).unwrap();
        assert_eq!(result.method, MannWhitneyMethod::NormalApprox);
        assert_eq!(result.u_a, 1212.0);
        assert_close(result.p_value, 0.005_915_319_563_922_399, 2e-7);
    }

    #[test]
    fn identical_samples_give_p_one() {
        for sample in [
            vec![5.0],
            vec![1.0, 2.0, 3.0],
            vec![7.0; 9],
            (0..30).map(f64::from).collect(),
        ] {
            let result = mann_whitney_u(&sample, &sample).unwrap();
            assert_eq!(result.p_value, 1.0, "{sample:?}");
            assert_eq!(result.u_a, result.u_b);
        }
    }

    #[test]
    fn all_values_tied_has_no_z() {
        let result = mann_whitney_u(&[2.0, 2.0], &[2.0, 2.0, 2.0]).unwrap();
        assert_eq!(result.z, None);
        assert_eq!(result.p_value, 1.0);
    }

    #[test]
    fn swapping_samples_mirrors_result() {
        let forward = mann_whitney_u(&A_10, &B_12).unwrap();
        let backward = mann_whitney_u(&B_12, &A_10).unwrap();
        assert_eq!(forward.p_value.to_bits(), backward.p_value.to_bits());
        assert_eq!((forward.u_a, forward.u_b), (backward.u_b, backward.u_a));
    }

    #[test]
    fn signed_zeros_are_one_tie_group() {
        let result = mann_whitney_u(&[0.0, 1.0], &[-0.0, 2.0]).unwrap();
        assert_eq!(result.method, MannWhitneyMethod::NormalApprox);
        assert_eq!(result.u_a, 1.5);
    }

    #[test]
    fn exact_distribution_is_symmetric_and_complete() {
        // P(U ≤ max) = 1 so the cap holds; the median of U gives p = 1.
        assert_eq!(exact_two_sided_p(4, 6, 24), 1.0);
        assert_eq!(exact_two_sided_p(4, 6, 12), 1.0);
        // Complete separation: 2 / C(10, 4) = 2/210.
        assert_close(exact_two_sided_p(4, 6, 0), 2.0 / 210.0, 1e-15);
        assert_close(
            exact_two_sided_p(25, 25, 0),
            smallest_possible_p_value(25, 25),
            1e-12,
        );
    }

    #[test]
    fn smallest_possible_p_values() {
        assert_close(smallest_possible_p_value(3, 3), 0.1, 1e-15);
        assert_close(smallest_possible_p_value(4, 4), 2.0 / 70.0, 1e-15);
        assert_close(smallest_possible_p_value(3, 4), 2.0 / 35.0, 1e-15);
        assert_eq!(smallest_possible_p_value(1, 1), 1.0);
        assert_eq!(smallest_possible_p_value(0, 5), 1.0);
        // Beyond the exact range: the normal approximation at complete separation.
        // scipy: mannwhitneyu([1000], range(100, 140), method='asymptotic') gives
        // pvalue 0.09934224785346528.
        assert_close(
            smallest_possible_p_value(1, 40),
            0.099_342_247_853_465_28,
            2e-7,
        );
        let many: Vec<f64> = (100..140).map(f64::from).collect();
        let separated = mann_whitney_u(&[1000.0], &many).unwrap();
        assert_eq!(smallest_possible_p_value(40, 1), separated.p_value);
        assert!(smallest_possible_p_value(30, 30) < 1e-9);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(matches!(
            mann_whitney_u(&[], &[1.0]),
            Err(StatsError::Empty { sample: "a" })
        ));
        assert!(matches!(
            mann_whitney_u(&[1.0], &[f64::NAN]),
            Err(StatsError::NonFinite { sample: "b", .. })
        ));
    }
}
