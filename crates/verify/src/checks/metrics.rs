//! `GET /metrics`: Prometheus exposition and the exact request counter.

use super::request_failed;
use crate::{Outcomes, Probe, Runtime};

/// Requests sent between two scrapes to check the counter.
const COUNTED_REQUESTS: u64 = 25;

/// Runs the metrics checks.
pub async fn run(probe: &Probe, runtime: Runtime, out: &mut Outcomes) {
    let first = match probe.get("/metrics").await {
        Ok(a) => a,
        Err(e) => {
            for id in [
                "metrics.format",
                "metrics.request_counter",
                "metrics.process_collector",
                "metrics.runtime_collector",
            ] {
                request_failed(out, id, "GET /metrics → 200 Prometheus text", &e);
            }
            return;
        }
    };
    let text = first.text();
    let parsed = parse_exposition(&text);
    let format_ok = first.status == 200 && first.media_type() == "text/plain" && parsed.is_ok();
    out.record(
        "metrics.format",
        format_ok,
        "200 text/plain Prometheus exposition",
        match &parsed {
            Ok(samples) => format!(
                "{} {}, {} samples",
                first.status,
                first.header("content-type"),
                samples.len()
            ),
            Err(line) => format!(
                "{} {}, unparsable line: {line}",
                first.status,
                first.header("content-type")
            ),
        },
    );
    let samples = parsed.unwrap_or_default();

    let has = |name: &str| samples.iter().any(|(n, _)| n == name);
    let missing = |names: &[&str]| {
        names
            .iter()
            .filter(|n| !has(n))
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
    };
    let process = [
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
        "process_open_fds",
    ];
    let absent = missing(&process);
    out.record(
        "metrics.process_collector",
        absent.is_empty(),
        format!("process collector: {}", process.join(", ")),
        if absent.is_empty() {
            "all present".to_string()
        } else {
            format!("missing {}", absent.join(", "))
        },
    );
    let runtime_names: &[&str] = match runtime {
        Runtime::Go => &[
            "go_goroutines",
            "go_memstats_alloc_bytes_total",
            "go_gc_duration_seconds",
        ],
        Runtime::Rust => &["process_threads"],
        Runtime::Unknown => &[],
    };
    if runtime_names.is_empty() {
        out.skip(
            "metrics.runtime_collector",
            "runtime collector",
            "runtime unknown (a URL was given): not checked",
        );
    } else {
        let absent = missing(runtime_names);
        out.record(
            "metrics.runtime_collector",
            absent.is_empty(),
            format!("runtime collector: {}", runtime_names.join(", ")),
            if absent.is_empty() {
                "all present".to_string()
            } else {
                format!("missing {}", absent.join(", "))
            },
        );
    }

    let before = requests_total(&samples);
    let mut sent = 0;
    for _ in 0..COUNTED_REQUESTS {
        if probe.get("/ping").await.is_ok_and(|a| a.status == 200) {
            sent += 1;
        }
    }
    let after = match probe.get("/metrics").await {
        Ok(a) => parse_exposition(&a.text())
            .ok()
            .and_then(|s| requests_total(&s)),
        Err(_) => None,
    };
    let expected = format!(
        "{COUNTED_REQUESTS} requests to /ping raise http_requests_total by exactly {COUNTED_REQUESTS}"
    );
    match (before, after) {
        (Some(b), Some(a)) => {
            let delta = a - b;
            out.record(
                "metrics.request_counter",
                sent == COUNTED_REQUESTS && (delta - sent as f64).abs() < 0.5,
                expected,
                format!("{sent} answered, counter {b} → {a} (+{delta})"),
            );
        }
        _ => out.record(
            "metrics.request_counter",
            false,
            expected,
            "http_requests_total not found in /metrics",
        ),
    }
}

/// Sum of every `http_requests_total` series.
pub fn requests_total(samples: &[(String, f64)]) -> Option<f64> {
    let values: Vec<f64> = samples
        .iter()
        .filter(|(n, _)| n == "http_requests_total")
        .map(|(_, v)| *v)
        .collect();
    (!values.is_empty()).then(|| values.iter().sum())
}

/// Parses Prometheus text exposition into (metric name, value) samples; `Err` holds the
/// first line that is neither a comment nor a valid sample.
pub fn parse_exposition(text: &str) -> Result<Vec<(String, f64)>, String> {
    let mut samples = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, rest) = match line.find(['{', ' ']) {
            Some(i) if line.as_bytes()[i] == b'{' => {
                let close = line.rfind('}').ok_or_else(|| line.to_string())?;
                (&line[..i], &line[close + 1..])
            }
            Some(i) => (&line[..i], &line[i..]),
            None => return Err(line.to_string()),
        };
        let valid_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
            && !name.starts_with(|c: char| c.is_ascii_digit());
        let value = rest.split_whitespace().next().and_then(parse_value);
        match (valid_name, value) {
            (true, Some(v)) => samples.push((name.to_string(), v)),
            _ => return Err(line.to_string()),
        }
    }
    Ok(samples)
}

fn parse_value(s: &str) -> Option<f64> {
    match s {
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => s.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_labels_comments_and_special_values() {
        let text = "# HELP x y\n# TYPE http_requests_total counter\n\
                    http_requests_total{code=\"200\",path=\"/a b}\"} 3\nhttp_requests_total{code=\"404\"} 2 1700000000\n\
                    go_gc_duration_seconds{quantile=\"1\"} NaN\nup +Inf\n";
        let samples = parse_exposition(text).unwrap();
        assert_eq!(samples.len(), 4);
        assert_eq!(requests_total(&samples), Some(5.0));
    }

    #[test]
    fn rejects_garbage_lines() {
        assert_eq!(
            parse_exposition("ok 1\nthis is not prometheus\n").unwrap_err(),
            "this is not prometheus"
        );
        assert!(parse_exposition("9bad 1\n").is_err());
        assert!(parse_exposition("<html>\n").is_err());
    }
}
