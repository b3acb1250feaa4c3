//! RFC 3339 timestamps (registries, GitHub and OSV all use them) to Unix milliseconds,
//! without a date library; and back, through the store's formatter.

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses `2025-09-20T11:38:42Z`, `2025-09-20T11:38:42.123+02:00` or a bare date
/// `2025-09-20` into Unix milliseconds. `None` when it is not such a timestamp.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let text = text.trim();
    let num = |s: &str| -> Option<i64> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let year = num(text.get(0..4)?)?;
    if text.get(4..5)? != "-" || text.get(7..8)? != "-" {
        return None;
    }
    let month = num(text.get(5..7)?)?;
    let day = num(text.get(8..10)?)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let date_ms = days_from_civil(year, month, day) * DAY_MS;
    if text.len() == 10 {
        return Some(date_ms);
    }
    if !matches!(text.get(10..11)?, "T" | "t" | " ") || text.get(13..14)? != ":" {
        return None;
    }
    let hour = num(text.get(11..13)?)?;
    let minute = num(text.get(14..16)?)?;
    let second = num(text.get(17..19)?)?;
    let mut rest = text.get(19..)?;
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        let padded = format!("{:0<3}", &fraction[..digits.min(3)]);
        millis = num(&padded)?;
        rest = &fraction[digits..];
    }
    let offset_min = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.get(0..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            sign * (num(rest.get(1..3)?)? * 60 + num(rest.get(4..6)?)?)
        }
    };
    Some(date_ms + ((hour * 60 + minute - offset_min) * 60 + second) * 1000 + millis)
}

/// `YYYY-MM-DD` (UTC) of Unix milliseconds.
pub fn date(ms: i64) -> String {
    let mut stamp = timestamp(ms);
    stamp.truncate(10);
    stamp
}

/// `YYYY-MM-DDTHH:MM:SSZ` (UTC) of Unix milliseconds (the store's formatter).
pub fn timestamp(ms: i64) -> String {
    podium_store::rfc3339_utc(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip() {
        let t = parse_rfc3339("2025-09-20T11:38:42Z").expect("parses");
        assert_eq!(t, 1_758_368_322_000);
        assert_eq!(timestamp(t), "2025-09-20T11:38:42Z");
        assert_eq!(date(t), "2025-09-20");
    }

    #[test]
    fn offsets_fractions_and_bare_dates() {
        assert_eq!(
            parse_rfc3339("2025-09-20T13:38:42.5+02:00"),
            Some(1_758_368_322_500)
        );
        assert_eq!(parse_rfc3339("1970-01-02"), Some(DAY_MS));
        assert_eq!(
            parse_rfc3339("2024-02-29T00:00:00Z").map(date),
            Some("2024-02-29".into())
        );
    }

    #[test]
    fn rejects_what_is_not_a_timestamp() {
        for bad in [
            "",
            "yesterday",
            "2025-13-01",
            "2025-09-20T11:38",
            "2025/09/20",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }
}
