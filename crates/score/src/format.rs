//! Words and units for the reasons of a recommendation.

use crate::profile::Better;

/// How a figure's value is written.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    Bytes,
    Seconds,
    /// A count with its noun ("212 lines").
    Count(&'static str),
    RequestsPerSecond,
    Plain,
}

/// How an extra figure reads in a sentence.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FigureWords {
    /// "binary", "warm build", "ping throughput".
    pub noun: String,
    /// The superlative of the best value: "smallest", "fastest", "highest".
    pub best: &'static str,
    unit: Unit,
}

impl FigureWords {
    /// Words for the conventional figure names; other names read as themselves, with
    /// a unit guessed from a `_bytes` or `_s` suffix.
    pub fn of(figure: &str, better: Better) -> FigureWords {
        let pick = |lower: &'static str, higher: &'static str| match better {
            Better::Lower => lower,
            Better::Higher => higher,
        };
        let (noun, best, unit) = match figure {
            "binary_bytes" => (
                "binary".to_string(),
                pick("smallest", "largest"),
                Unit::Bytes,
            ),
            "oci_image_bytes" => (
                "OCI image".to_string(),
                pick("smallest", "largest"),
                Unit::Bytes,
            ),
            "build_cold_s" => (
                "cold build".to_string(),
                pick("fastest", "slowest"),
                Unit::Seconds,
            ),
            "build_warm_s" => (
                "warm build".to_string(),
                pick("fastest", "slowest"),
                Unit::Seconds,
            ),
            "lines" => (
                "contract code".to_string(),
                pick("shortest", "longest"),
                Unit::Count("lines"),
            ),
            "deps" => (
                "dependency list".to_string(),
                pick("shortest", "longest"),
                Unit::Count("dependencies"),
            ),
            _ => {
                let best = pick("lowest", "highest");
                if let Some(route) = figure.strip_prefix("rps_") {
                    (format!("{route} throughput"), best, Unit::RequestsPerSecond)
                } else if figure.ends_with("_bytes") {
                    (figure.to_string(), best, Unit::Bytes)
                } else if figure.ends_with("_s") {
                    (figure.to_string(), best, Unit::Seconds)
                } else {
                    (figure.to_string(), best, Unit::Plain)
                }
            }
        };
        FigureWords { noun, best, unit }
    }

    /// The value with its unit: "3.3 MiB", "1.2 s", "212 lines", "52000 req/s".
    pub fn value(&self, value: f64) -> String {
        match self.unit {
            Unit::Bytes => bytes(value),
            Unit::Seconds => seconds(value),
            Unit::Count(noun) => format!("{} {noun}", number(value)),
            Unit::RequestsPerSecond => format!("{} req/s", number(value)),
            Unit::Plain => number(value),
        }
    }
}

/// Binary units with one decimal: "3.3 MiB".
pub(crate) fn bytes(value: f64) -> String {
    const UNITS: [(&str, f64); 4] = [
        ("TiB", 1024.0 * 1024.0 * 1024.0 * 1024.0),
        ("GiB", 1024.0 * 1024.0 * 1024.0),
        ("MiB", 1024.0 * 1024.0),
        ("KiB", 1024.0),
    ];
    for (unit, size) in UNITS {
        if value >= size {
            return format!("{:.1} {unit}", value / size);
        }
    }
    format!("{value:.0} B")
}

/// "1.2 s" from a second up, "350 ms" below.
pub(crate) fn seconds(value: f64) -> String {
    if value >= 1.0 {
        format!("{value:.1} s")
    } else {
        format!("{:.0} ms", value * 1000.0)
    }
}

/// Whole numbers as such, others with two or three decimals.
pub(crate) fn number(value: f64) -> String {
    if value.fract() == 0.0 || value.abs() >= 100.0 {
        format!("{value:.0}")
    } else if value.abs() >= 1.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_read_naturally() {
        assert_eq!(bytes(3.3 * 1024.0 * 1024.0), "3.3 MiB");
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(2048.0), "2.0 KiB");
        assert_eq!(seconds(1.26), "1.3 s");
        assert_eq!(seconds(0.35), "350 ms");
        assert_eq!(number(212.0), "212");
        assert_eq!(number(1.5), "1.50");
        assert_eq!(number(0.1234), "0.123");
    }

    #[test]
    fn known_figures_have_words() {
        let binary = FigureWords::of("binary_bytes", Better::Lower);
        assert_eq!((binary.noun.as_str(), binary.best), ("binary", "smallest"));
        assert_eq!(binary.value(3.3 * 1024.0 * 1024.0), "3.3 MiB");
        let rps = FigureWords::of("rps_ping", Better::Higher);
        assert_eq!(
            (rps.noun.as_str(), rps.best),
            ("ping throughput", "highest")
        );
        assert_eq!(rps.value(52000.0), "52000 req/s");
        let lines = FigureWords::of("lines", Better::Lower);
        assert_eq!(lines.value(212.0), "212 lines");
        let other = FigureWords::of("gc_pause_s", Better::Lower);
        assert_eq!((other.noun.as_str(), other.best), ("gc_pause_s", "lowest"));
        assert_eq!(other.value(0.002), "2 ms");
        let plain = FigureWords::of("score", Better::Higher);
        assert_eq!(plain.value(7.0), "7");
    }
}
