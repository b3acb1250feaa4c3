//! Deterministic fake people for `{{faker.name}}` and `{{faker.email}}`.
//!
//! Small built-in word lists instead of a faker library: the load engine needs plausible,
//! valid, JSON-safe values (ASCII letters, digits, `.`, `@`, one space), cheaply and
//! reproducibly, not realism.

/// First names: ASCII letters only, so they need no JSON escaping.
const FIRST: &[&str] = &[
    "Ada", "Alan", "Alice", "Barbara", "Ben", "Carla", "Chen", "Dana", "Dmitri", "Edsger", "Emma",
    "Fatima", "Frances", "Grace", "Hedy", "Ivan", "Jean", "John", "Karen", "Ken", "Leslie",
    "Linus", "Margaret", "Maria", "Niklaus", "Olga", "Radia", "Rob", "Sofia", "Tim", "Yuki", "Zoe",
];

/// Last names: ASCII letters only.
const LAST: &[&str] = &[
    "Allen",
    "Backus",
    "Berners",
    "Cerf",
    "Dijkstra",
    "Engelbart",
    "Floyd",
    "Goldberg",
    "Hamilton",
    "Hopper",
    "Iverson",
    "Jones",
    "Kahn",
    "Knuth",
    "Lamport",
    "Liskov",
    "Lovelace",
    "McCarthy",
    "Moore",
    "Nygaard",
    "Perlman",
    "Pike",
    "Ritchie",
    "Shaw",
    "Stroustrup",
    "Tanaka",
    "Thompson",
    "Turing",
    "Ullman",
    "Wirth",
    "Wong",
    "Zuse",
];

/// Mail domains: each has a dot with characters on both sides, as the contract requires.
const DOMAINS: &[&str] = &["example.com", "example.org", "example.net", "mail.test"];

/// One fake person, drawn once per request so that `{{faker.name}}` and
/// `{{faker.email}}` in the same request belong together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Person {
    first: u8,
    last: u8,
    domain: u8,
    number: u16,
}

/// SplitMix64: a tiny, fast, well-mixed generator; the state is the caller's `u64`.
pub(crate) fn next_u64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Person {
    /// Draws the next person from the generator state.
    pub(crate) fn draw(state: &mut u64) -> Person {
        let r = next_u64(state);
        Person {
            first: (r % FIRST.len() as u64) as u8,
            last: ((r >> 16) % LAST.len() as u64) as u8,
            domain: ((r >> 32) % DOMAINS.len() as u64) as u8,
            number: ((r >> 40) % 10_000) as u16,
        }
    }

    /// `First Last`.
    pub(crate) fn write_name(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(FIRST[self.first as usize].as_bytes());
        out.push(b' ');
        out.extend_from_slice(LAST[self.last as usize].as_bytes());
    }

    /// `first.last1234@domain.tld`, lower case.
    pub(crate) fn write_email(&self, out: &mut Vec<u8>) {
        push_lower(out, FIRST[self.first as usize]);
        out.push(b'.');
        push_lower(out, LAST[self.last as usize]);
        push_decimal(out, u64::from(self.number));
        out.push(b'@');
        out.extend_from_slice(DOMAINS[self.domain as usize].as_bytes());
    }
}

fn push_lower(out: &mut Vec<u8>, word: &str) {
    out.extend(word.bytes().map(|b| b.to_ascii_lowercase()));
}

/// Appends `n` in decimal without allocating.
pub(crate) fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_are_json_safe_letters() {
        for word in FIRST.iter().chain(LAST) {
            assert!(!word.is_empty() && word.bytes().all(|b| b.is_ascii_alphabetic()));
        }
        for domain in DOMAINS {
            assert!(domain.split('.').all(|part| !part.is_empty()), "{domain}");
        }
        assert!(FIRST.len() <= 256 && LAST.len() <= 256 && DOMAINS.len() <= 256);
    }

    #[test]
    fn decimal_digits() {
        for n in [0u64, 7, 10, 12345, u64::MAX] {
            let mut out = Vec::new();
            push_decimal(&mut out, n);
            assert_eq!(out, n.to_string().as_bytes());
        }
    }
}
