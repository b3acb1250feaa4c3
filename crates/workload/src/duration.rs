//! Human-friendly durations: `"30s"`, `"500ms"`, `"2m"`, `"1m30s"`, `"1.5s"`.

use std::time::Duration;

/// Why a duration string was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{input:?} is not a duration: {problem}; write a number and a unit, e.g. \"30s\", \"500ms\" or \"2m\""
)]
pub struct DurationError {
    /// The text as written.
    pub input: String,
    /// What is wrong with it.
    pub problem: String,
}

/// Parses one or more `<number><unit>` parts (`ns`, `us`/`µs`, `ms`, `s`, `m`, `h`,
/// also `sec`, `min`, `hr`), summed: `"1m30s"` is 90 seconds. Decimals are allowed.
pub fn parse_duration(input: &str) -> Result<Duration, DurationError> {
    let fail = |problem: String| DurationError {
        input: input.to_string(),
        problem,
    };
    let text = input.trim();
    if text.is_empty() {
        return Err(fail("it is empty".to_string()));
    }
    let mut total = 0f64;
    let mut rest = text;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..number_len];
        if number.is_empty() {
            return Err(fail(format!("expected a number at {rest:?}")));
        }
        let value: f64 = number
            .parse()
            .map_err(|_| fail(format!("{number:?} is not a number")))?;
        rest = rest[number_len..].trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        let seconds_per_unit = match unit {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" | "sec" | "secs" => 1.0,
            "m" | "min" | "mins" => 60.0,
            "h" | "hr" | "hrs" => 3600.0,
            "" => return Err(fail(format!("{number} has no unit"))),
            other => return Err(fail(format!("unknown unit {other:?}"))),
        };
        total += value * seconds_per_unit;
        rest = rest[unit_len..].trim_start();
    }
    Duration::try_from_secs_f64(total).map_err(|_| fail("it is too long".to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms() {
        for (text, expected) in [
            ("30s", Duration::from_secs(30)),
            ("500ms", Duration::from_millis(500)),
            ("2m", Duration::from_secs(120)),
            ("1m30s", Duration::from_secs(90)),
            ("1.5s", Duration::from_millis(1500)),
            ("1h", Duration::from_secs(3600)),
            ("0s", Duration::ZERO),
            (" 10 s ", Duration::from_secs(10)),
            ("250us", Duration::from_micros(250)),
        ] {
            assert_eq!(parse_duration(text).unwrap(), expected, "{text}");
        }
    }

    #[test]
    fn rejects_with_a_hint() {
        for (text, needle) in [
            ("30", "has no unit"),
            ("", "empty"),
            ("10 parsecs", "unknown unit \"parsecs\""),
            ("s", "expected a number"),
            ("1.2.3s", "not a number"),
        ] {
            let err = parse_duration(text).unwrap_err().to_string();
            assert!(
                err.contains(needle) && err.contains("e.g. \"30s\""),
                "{text}: {err}"
            );
        }
    }
}
