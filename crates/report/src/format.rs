//! Numbers for people: grouped thousands, binary byte units, milliseconds with the
//! precision a reader can use. Every function prints "—" for a missing or non-finite
//! value, so a NaN that slipped into the model shows as "no figure", not as "NaN".

use crate::model::Figure;

/// Missing value.
pub(crate) const DASH: &str = "—";

/// The thousands separator: a narrow no-break space (SI style, readable in both
/// languages, and a table cell never wraps inside a number).
const GROUP: char = '\u{202F}';

/// An integer with its thousands grouped: `12 345`.
pub(crate) fn int(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(GROUP);
        }
        out.push(c);
    }
    out
}

/// A non-negative quantity with `places` decimals and grouped thousands.
fn grouped(value: f64, places: usize) -> String {
    if !value.is_finite() {
        return DASH.to_string();
    }
    let text = format!("{:.*}", places, value.abs());
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    let whole = whole
        .parse::<u64>()
        .map(int)
        .unwrap_or_else(|_| whole.to_string());
    let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac}")
    }
}

/// A rate (requests per second): whole numbers from 100 up, one decimal below, two
/// below 10, so that a small rate keeps its significant digits.
pub(crate) fn rate(value: f64) -> String {
    let places = match value.abs() {
        v if v >= 100.0 => 0,
        v if v >= 10.0 => 1,
        _ => 2,
    };
    grouped(value, places)
}

/// A value with `places` decimals, grouped; "—" when missing.
pub(crate) fn num(value: f64, places: usize) -> String {
    grouped(value, places)
}

/// An optional value with `places` decimals.
pub(crate) fn opt_num(value: Option<f64>, places: usize) -> String {
    value.map_or_else(|| DASH.to_string(), |v| num(v, places))
}

/// A score (0–1) with two decimals.
pub(crate) fn score(value: Option<f64>) -> String {
    opt_num(value, 2)
}

/// Bytes in binary units: `512 B`, `3.4 MiB`.
pub(crate) fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    // Three significant digits at most: 3.4 MiB, 34.2 MiB, 342 MiB.
    let places = if value >= 100.0 { 0 } else { 1 };
    format!("{} {}", num(value, places), UNITS[unit])
}

/// Bytes per second in binary units.
pub(crate) fn bytes_per_sec(value: f64) -> String {
    if !value.is_finite() || value < 0.0 {
        return DASH.to_string();
    }
    format!("{}/s", bytes(value.round() as u64))
}

/// A latency in milliseconds: `123 ms`, `12.3 ms`, `1.23 ms`, `0.23 ms`; below 0.1 ms
/// in microseconds (`45 µs`), where "0.045 ms" would hide the figure in zeros.
pub(crate) fn ms(value: f64) -> String {
    if !value.is_finite() {
        return DASH.to_string();
    }
    let v = value.abs();
    if v >= 100.0 {
        format!("{} ms", num(value, 0))
    } else if v >= 10.0 {
        format!("{} ms", num(value, 1))
    } else if v >= 0.1 {
        format!("{} ms", num(value, 2))
    } else if v * 1000.0 >= 10.0 {
        format!("{} µs", num(value * 1000.0, 0))
    } else {
        format!("{} µs", num(value * 1000.0, 1))
    }
}

/// An optional latency in milliseconds.
pub(crate) fn opt_ms(value: Option<f64>) -> String {
    value.map_or_else(|| DASH.to_string(), ms)
}

/// A duration in seconds: `0.84 s`, `12.3 s`, `2 min 05 s`.
pub(crate) fn secs(value: f64) -> String {
    if !value.is_finite() || value < 0.0 {
        return DASH.to_string();
    }
    if value >= 60.0 {
        let total = value.round() as u64;
        format!("{} min {:02} s", int(total / 60), total % 60)
    } else if value >= 1.0 {
        format!("{} s", num(value, 1))
    } else {
        format!("{} s", num(value, 2))
    }
}

/// An optional duration in seconds.
pub(crate) fn opt_secs(value: Option<f64>) -> String {
    value.map_or_else(|| DASH.to_string(), secs)
}

/// A share (0–1) as a percentage: `42.1%`.
pub(crate) fn percent(share: f64) -> String {
    if !share.is_finite() {
        return DASH.to_string();
    }
    format!("{}%", num(share * 100.0, 1))
}

/// The interval of a figure: `12 100–12 600`.
pub(crate) fn interval(low: f64, high: f64, one: fn(f64) -> String) -> String {
    format!("{}–{}", one(low), one(high))
}

/// A throughput figure: `12 345 req/s (12 100–12 600)`; with one repetition the
/// interval is the value itself and says nothing, so it is left out.
pub(crate) fn rate_figure(figure: &Figure, unit: &str) -> String {
    if figure.n <= 1 {
        format!("{} {unit}", rate(figure.median))
    } else {
        format!(
            "{} {unit} ({})",
            rate(figure.median),
            interval(figure.ci_low, figure.ci_high, rate)
        )
    }
}

/// An axis-tick label: as few decimals as the value needs (`0.1`, `1`, `10`, `1 000`).
pub(crate) fn tick(value: f64) -> String {
    if !value.is_finite() {
        return DASH.to_string();
    }
    if value >= 1.0 || value == 0.0 {
        return num(value, 0);
    }
    let places = (-value.log10()).ceil().max(0.0) as usize;
    num(value, places)
}

#[cfg(test)]
mod tests {
    use super::*;

    const N: char = '\u{202F}';

    #[test]
    fn groups_thousands() {
        assert_eq!(int(0), "0");
        assert_eq!(int(999), "999");
        assert_eq!(int(1000), format!("1{N}000"));
        assert_eq!(int(12345), format!("12{N}345"));
        assert_eq!(int(1234567), format!("1{N}234{N}567"));
        assert_eq!(rate(12345.4), format!("12{N}345"));
        assert_eq!(rate(152_300.0), format!("152{N}300"));
        assert_eq!(rate(42.25), "42.2");
        assert_eq!(rate(4.257), "4.26");
        assert_eq!(num(-1234.5, 1), format!("-1{N}234.5"));
        assert_eq!(num(-0.0001, 2), "0.00");
    }

    #[test]
    fn bytes_in_binary_units() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1023), "1023 B");
        assert_eq!(bytes(1024), "1.0 KiB");
        assert_eq!(bytes(3_565_158), "3.4 MiB");
        assert_eq!(bytes(358_612_992), "342 MiB");
        assert_eq!(bytes(5 * 1024 * 1024 * 1024), "5.0 GiB");
        assert_eq!(bytes_per_sec(1_048_576.0), "1.0 MiB/s");
        assert_eq!(bytes_per_sec(f64::NAN), DASH);
    }

    #[test]
    fn milliseconds_keep_their_significant_digits() {
        assert_eq!(ms(0.23), "0.23 ms");
        assert_eq!(ms(1.234), "1.23 ms");
        assert_eq!(ms(12.34), "12.3 ms");
        assert_eq!(ms(1234.0), format!("1{N}234 ms"));
        assert_eq!(ms(0.045), "45 µs");
        assert_eq!(ms(0.0045), "4.5 µs");
        assert_eq!(opt_ms(None), DASH);
    }

    #[test]
    fn seconds_and_minutes() {
        assert_eq!(secs(0.84), "0.84 s");
        assert_eq!(secs(12.34), "12.3 s");
        assert_eq!(secs(9.6), "9.6 s");
        assert_eq!(secs(125.0), "2 min 05 s");
        assert_eq!(opt_secs(None), DASH);
    }

    #[test]
    fn non_finite_values_read_as_missing() {
        for f in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(rate(f), DASH);
            assert_eq!(ms(f), DASH);
            assert_eq!(secs(f), DASH);
            assert_eq!(percent(f), DASH);
            assert_eq!(tick(f), DASH);
        }
    }

    #[test]
    fn figures_show_their_interval_unless_there_is_one_repetition() {
        let figure = Figure {
            median: 12345.0,
            ci_low: 12100.0,
            ci_high: 12600.0,
            n: 5,
        };
        assert_eq!(
            rate_figure(&figure, "req/s"),
            format!("12{N}345 req/s (12{N}100–12{N}600)")
        );
        let single = Figure { n: 1, ..figure };
        assert_eq!(rate_figure(&single, "req/s"), format!("12{N}345 req/s"));
    }

    #[test]
    fn ticks_use_the_decimals_they_need() {
        assert_eq!(tick(0.01), "0.01");
        assert_eq!(tick(0.1), "0.1");
        assert_eq!(tick(1.0), "1");
        assert_eq!(tick(1000.0), format!("1{N}000"));
        assert_eq!(percent(0.421), "42.1%");
    }
}
