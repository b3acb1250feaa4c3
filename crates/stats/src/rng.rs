//! A small deterministic PRNG, implemented here so that a seed gives the same bootstrap
//! intervals on every machine and with every version of every dependency.

/// 64-bit FNV-1a offset basis (from the FNV reference).
const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
/// 64-bit FNV prime.
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// A stable 64-bit seed for a figure, from its label (e.g. `"stdlib/ping/rps"`).
///
/// The hash is 64-bit FNV-1a over the label's UTF-8 bytes: offset basis
/// `0xcbf29ce484222325`, prime `0x100000001b3`, each byte XORed in before multiplying.
/// It is fixed by this definition, not by a library, so stored results can be
/// recomputed bit for bit later.
pub fn seed_from_label(label: &str) -> u64 {
    label.bytes().fold(FNV_OFFSET_BASIS, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME)
    })
}

/// SplitMix64 (Steele, Lea and Flood), used only to expand one 64-bit seed into the
/// 256-bit state of [`Xoshiro256StarStar`], as its authors recommend.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next output.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// xoshiro256** 1.0 (Blackman and Vigna): fast, 256 bits of state, good enough for
/// resampling by a wide margin.
#[derive(Debug, Clone)]
pub struct Xoshiro256StarStar {
    state: [u64; 4],
}

impl Xoshiro256StarStar {
    /// A generator whose state is the first four SplitMix64 outputs from `seed`. Those
    /// are never all zero (SplitMix64 is a bijection of a counter), the one state
    /// xoshiro cannot leave.
    pub fn seed_from_u64(seed: u64) -> Self {
        let mut expander = SplitMix64::new(seed);
        let state = [
            expander.next_u64(),
            expander.next_u64(),
            expander.next_u64(),
            expander.next_u64(),
        ];
        Self { state }
    }

    /// A generator with exactly this state (for reproducing reference vectors). An
    /// all-zero state would only ever produce zeros, so it is replaced by the state
    /// seeded from 0.
    pub fn from_state(state: [u64; 4]) -> Self {
        if state == [0; 4] {
            Self::seed_from_u64(0)
        } else {
            Self { state }
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = &mut self.state;
        let result = s1.wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = *s1 << 17;
        *s2 ^= *s0;
        *s3 ^= *s1;
        *s1 ^= *s2;
        *s0 ^= *s3;
        *s2 ^= t;
        *s3 = s3.rotate_left(45);
        result
    }

    /// A uniform index in `0..bound` without modulo bias (Lemire's multiply-and-reject).
    /// `bound` must be at least 1; 0 is treated as 1 so the call cannot panic.
    pub fn below(&mut self, bound: usize) -> usize {
        let bound = bound.max(1) as u64;
        let mut product = u128::from(self.next_u64()) * u128::from(bound);
        // The low half of the product decides rejection: low halves below
        // 2^64 mod bound would make some results more likely than others. That
        // remainder costs a division, so it is computed only when the low half is
        // small enough to possibly need it (rarely, for small bounds).
        if (product as u64) < bound {
            let threshold = bound.wrapping_neg() % bound;
            while (product as u64) < threshold {
                product = u128::from(self.next_u64()) * u128::from(bound);
            }
        }
        // The high half is < bound <= usize::MAX, so the cast is lossless.
        (product >> 64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_reference_vectors() {
        // Reference values from the FNV authors' test suite.
        assert_eq!(seed_from_label(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(seed_from_label("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(seed_from_label("foobar"), 0x8594_4171_f739_67e8);
        assert_ne!(
            seed_from_label("stdlib/ping/rps"),
            seed_from_label("stdlib/ping/p99")
        );
    }

    #[test]
    fn splitmix64_matches_reference_vectors() {
        // First outputs of the reference splitmix64.c for seed 1234567.
        let mut rng = SplitMix64::new(1_234_567);
        let expected = [
            6_457_827_717_110_365_317,
            3_203_168_211_198_807_973,
            9_817_491_932_198_370_423,
            4_593_380_528_125_082_431,
            16_408_922_859_458_223_821,
        ];
        for value in expected {
            assert_eq!(rng.next_u64(), value);
        }
    }

    #[test]
    fn xoshiro256starstar_matches_reference_vectors() {
        // Outputs of the reference xoshiro256starstar.c from state {1, 2, 3, 4}.
        let mut rng = Xoshiro256StarStar::from_state([1, 2, 3, 4]);
        let expected = [
            11_520,
            0,
            1_509_978_240,
            1_215_971_899_390_074_240,
            1_216_172_134_540_287_360,
            607_988_272_756_665_600,
            16_172_922_978_634_559_625,
            8_476_171_486_693_032_832,
            10_595_114_339_597_558_777,
            2_904_607_092_377_533_576,
        ];
        for value in expected {
            assert_eq!(rng.next_u64(), value);
        }
    }

    #[test]
    fn zero_state_is_replaced() {
        let mut rng = Xoshiro256StarStar::from_state([0; 4]);
        assert!((0..4).any(|_| rng.next_u64() != 0));
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut rng = Xoshiro256StarStar::seed_from_u64(42);
        let mut seen = [0_u32; 7];
        for _ in 0..7_000 {
            let index = rng.below(7);
            seen[index] += 1;
        }
        // Each bucket expects 1000; 800..1200 is > 6 standard deviations wide.
        assert!(
            seen.iter().all(|&count| (800..1200).contains(&count)),
            "{seen:?}"
        );
        assert_eq!(rng.below(1), 0);
        assert_eq!(rng.below(0), 0);
    }

    #[test]
    fn same_seed_same_stream_different_seed_different_stream() {
        let draw = |seed| {
            let mut rng = Xoshiro256StarStar::seed_from_u64(seed);
            (0..8).map(|_| rng.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(draw(9), draw(9));
        assert_ne!(draw(9), draw(10));
    }
}
