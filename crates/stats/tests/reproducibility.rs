#![allow(clippy::unwrap_used)]
//! Pinned outputs. They are not checked against an outside reference: they record what
//! this crate produced when the values were written, so that any change to the PRNG,
//! the seeding, the resampling or the percentile rule, which would make stored
//! intervals impossible to reproduce, fails here and is made on purpose.

use podium_stats::{
    BootstrapConfig, Summary, Xoshiro256StarStar, ratio_of_medians, seed_from_label,
};

#[test]
fn seeding_from_u64_is_pinned() {
    let mut rng = Xoshiro256StarStar::seed_from_u64(0);
    let outputs: Vec<u64> = (0..4).map(|_| rng.next_u64()).collect();
    assert_eq!(
        outputs,
        [
            11_091_344_671_253_066_420,
            13_793_997_310_169_335_082,
            1_900_383_378_846_508_768,
            7_684_712_102_626_143_532,
        ]
    );
}

#[test]
fn label_seed_is_pinned() {
    assert_eq!(
        seed_from_label("stdlib/ping/rps"),
        9_118_341_283_650_775_130
    );
}

#[test]
fn default_summary_is_pinned() {
    let values = [41.2, 39.8, 40.5, 42.1, 38.9, 40.9, 41.4];
    let summary = Summary::of(&values, &BootstrapConfig::for_label("stdlib/ping/rps")).unwrap();
    assert_eq!(summary.median, 40.9);
    assert_eq!((summary.ci_low, summary.ci_high), (39.8, 41.4));
    assert_eq!(summary.resamples, 10_000);
}

#[test]
fn ratio_interval_is_pinned() {
    let ratio = ratio_of_medians(
        &[93.1, 92.8, 93.5, 92.95],
        &[100.2, 99.9, 100.4, 100.05, 99.8],
        &BootstrapConfig::for_label("stdlib/mw"),
    )
    .unwrap();
    assert_eq!(ratio.ratio, 93.025 / 100.05);
    assert_eq!(
        ratio.ci_low.to_bits(),
        0.926_147_704_590_818_3_f64.to_bits()
    );
    assert_eq!(
        ratio.ci_high.to_bits(),
        0.934_532_733_633_183_5_f64.to_bits()
    );
}
