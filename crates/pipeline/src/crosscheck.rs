//! Cross-checks with peer tools: the `/ping` closed loop run again with wrk, and a fixed
//! rate run with vegeta and with Podium's own open loop, figures side by side; a
//! disagreement beyond the noise is flagged.

use podium_load::OpenLoop;
use podium_workload::RateSchedule;
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Relative difference in throughput beyond which two tools disagree (when it is also
/// outside Podium's own confidence interval).
pub const THROUGHPUT_TOLERANCE: f64 = 0.15;

/// One peer tool's figure beside Podium's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerFigure {
    /// `wrk` or `vegeta`.
    pub tool: String,
    /// The Podium workload it repeats (the fixed-rate one is attached to the same
    /// `/ping` workload).
    pub workload: String,
    /// What was run, e.g. `wrk -t1 -c16 -d2s`.
    pub command: String,
    /// The tool's requests per second.
    pub rps: f64,
    /// The tool's p99 latency (ms).
    pub p99_ms: Option<f64>,
    /// Podium's figure for the same load.
    pub podium_rps: f64,
    /// Podium's p99 (ms) for the same load.
    pub podium_p99_ms: Option<f64>,
    /// Whether the two disagree beyond the noise.
    pub disagrees: bool,
    /// The comparison in words.
    pub note: String,
}

/// Where the peer tools are, when they are.
#[derive(Debug, Clone, Default)]
pub struct PeerTools {
    /// wrk's path.
    pub wrk: Option<PathBuf>,
    /// vegeta's path.
    pub vegeta: Option<PathBuf>,
}

impl PeerTools {
    /// Finds wrk and vegeta on `PATH` (and vegeta in `$GOBIN`, `$GOPATH/bin`, `~/go/bin`).
    pub fn find() -> Self {
        let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default();
        for var in ["GOBIN"] {
            if let Some(d) = std::env::var_os(var) {
                dirs.push(PathBuf::from(d));
            }
        }
        if let Some(d) = std::env::var_os("GOPATH") {
            dirs.push(PathBuf::from(d).join("bin"));
        }
        if let Some(home) = std::env::var_os("HOME") {
            dirs.push(PathBuf::from(home).join("go/bin"));
        }
        let find = |name: &str| dirs.iter().map(|d| d.join(name)).find(|p| p.is_file());
        Self {
            wrk: find("wrk"),
            vegeta: find("vegeta"),
        }
    }

    /// Installs what is missing: wrk from Debian (needs root), vegeta with `go install`.
    /// Returns what could not be installed, in words.
    pub fn install_missing(&mut self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.wrk.is_none() {
            let ok = Command::new("sh")
                .args([
                    "-c",
                    "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                problems.push("wrk: `apt-get install wrk` failed (root needed)".into());
            }
        }
        if self.vegeta.is_none() {
            let ok = Command::new("go")
                .args(["install", "github.com/tsenart/vegeta/v12@v12.13.0"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                problems.push(
                    "vegeta: `go install github.com/tsenart/vegeta/v12@v12.13.0` failed".into(),
                );
            }
        }
        let found = Self::find();
        self.wrk = self.wrk.take().or(found.wrk);
        self.vegeta = self.vegeta.take().or(found.vegeta);
        problems
    }
}

/// Runs wrk with the closed loop's settings and compares its throughput with Podium's
/// median and interval. wrk is started from this process, so it inherits the load
/// generator's CPU pinning.
#[allow(clippy::too_many_arguments)]
pub fn wrk_closed_loop(
    wrk: &Path,
    url: &str,
    workload: &str,
    connections: usize,
    threads: usize,
    duration: Duration,
    podium_rps: (f64, f64, f64),
    podium_p99_ms: f64,
) -> Result<PeerFigure, String> {
    let threads = threads.clamp(1, connections.max(1));
    let secs = duration.as_secs().max(1);
    let args = [
        format!("-t{threads}"),
        format!("-c{connections}"),
        format!("-d{secs}s"),
        "--latency".into(),
        url.to_string(),
    ];
    let out = Command::new(wrk)
        .args(&args)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", wrk.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "wrk failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let (rps, p99_ms) =
        parse_wrk(&text).ok_or_else(|| format!("cannot read wrk's output: {text}"))?;
    let (median, low, high) = podium_rps;
    let relative = (rps - median) / median;
    let disagrees = (rps < low || rps > high) && relative.abs() > THROUGHPUT_TOLERANCE;
    Ok(PeerFigure {
        tool: "wrk".into(),
        workload: workload.into(),
        command: format!("wrk {}", args.join(" ")),
        rps,
        p99_ms,
        podium_rps: median,
        podium_p99_ms: Some(podium_p99_ms),
        disagrees,
        note: format!(
            "wrk {rps:.0} req/s vs Podium {median:.0} [{low:.0}–{high:.0}] ({:+.1}%){}",
            relative * 100.0,
            if disagrees {
                ": DISAGREE beyond the noise"
            } else {
                ": agree within the noise"
            }
        ),
    })
}

/// `Requests/sec:` and the 99% line of `wrk --latency`.
pub fn parse_wrk(text: &str) -> Option<(f64, Option<f64>)> {
    let rps = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))?
        .trim()
        .parse()
        .ok()?;
    let p99 = text.lines().find_map(|l| {
        let mut parts = l.split_whitespace();
        (parts.next()? == "99%").then_some(())?;
        parse_duration_ms(parts.next()?)
    });
    Some((rps, p99))
}

/// wrk's `1.23ms`, `456.00us`, `1.02s`, `2.00m` as milliseconds.
fn parse_duration_ms(s: &str) -> Option<f64> {
    let split = s.find(|c: char| c.is_ascii_alphabetic())?;
    let (n, unit) = s.split_at(split);
    let n: f64 = n.parse().ok()?;
    Some(match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => return None,
    })
}

/// A fixed-rate run of `url` with vegeta and with Podium's open loop at the same rate;
/// their p99 latencies and achieved rates side by side.
pub fn vegeta_fixed_rate(
    vegeta: &Path,
    url: &str,
    workload: &str,
    rate: u64,
    duration: Duration,
    threads: usize,
) -> Result<PeerFigure, String> {
    let secs = duration.as_secs().max(1);
    let mut attack = Command::new(vegeta)
        .args([
            "attack",
            &format!("-rate={rate}/s"),
            &format!("-duration={secs}s"),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", vegeta.display()))?;
    if let Some(mut stdin) = attack.stdin.take() {
        writeln!(stdin, "GET {url}").map_err(|e| format!("vegeta attack: {e}"))?;
    }
    let attacked = attack
        .wait_with_output()
        .map_err(|e| format!("vegeta attack: {e}"))?;
    if !attacked.status.success() {
        return Err(format!(
            "vegeta attack failed: {}",
            String::from_utf8_lossy(&attacked.stderr).trim()
        ));
    }
    let mut report = Command::new(vegeta)
        .args(["report", "-type=json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("vegeta report: {e}"))?;
    if let Some(mut stdin) = report.stdin.take() {
        stdin
            .write_all(&attacked.stdout)
            .map_err(|e| format!("vegeta report: {e}"))?;
    }
    let reported = report
        .wait_with_output()
        .map_err(|e| format!("vegeta report: {e}"))?;
    let json: serde_json::Value = serde_json::from_slice(&reported.stdout)
        .map_err(|e| format!("cannot read vegeta's report: {e}"))?;
    let v_rps = json["throughput"].as_f64().unwrap_or(0.0);
    let v_p99 = json["latencies"]["99th"].as_f64().map(|ns| ns / 1e6);

    let mut load = OpenLoop::new(
        url,
        RateSchedule::constant(rate as f64).map_err(|e| e.to_string())?,
    );
    load.duration = Duration::from_secs(secs);
    load.threads = threads.max(1);
    let podium = load.run().map_err(|e| format!("Podium's open loop: {e}"))?;
    let p_p99 = podium.latency_ms.p99;
    // Both tools pace the same rate: they must both keep it, and their tails should be of
    // the same order (latency on a loaded 2-core machine varies run to run).
    let kept = |achieved: f64| achieved >= rate as f64 * 0.9;
    let tail_ok = v_p99.is_none_or(|v| {
        let (lo, hi) = (v.min(p_p99), v.max(p_p99));
        hi - lo <= 1.0 || hi <= lo * 3.0
    });
    // A tool that cannot send the rate measures its own backlog, not the server: that is
    // "not comparable", not a disagreement about the server.
    let comparable = kept(v_rps) && kept(podium.rps);
    let disagrees = comparable && !tail_ok;
    Ok(PeerFigure {
        tool: "vegeta".into(),
        workload: workload.into(),
        command: format!("vegeta attack -rate={rate}/s -duration={secs}s | vegeta report"),
        rps: v_rps,
        p99_ms: v_p99,
        podium_rps: podium.rps,
        podium_p99_ms: Some(p_p99),
        disagrees,
        note: format!(
            "at {rate} req/s: vegeta {v_rps:.0} req/s, p99 {} vs Podium {:.0} req/s, p99 {p_p99:.2} ms{}",
            v_p99.map_or_else(|| "?".into(), |v| format!("{v:.2} ms")),
            podium.rps,
            if !comparable {
                ": not comparable, a generator could not keep the rate on this machine"
            } else if disagrees {
                ": DISAGREE beyond the noise"
            } else {
                ": agree within the noise"
            }
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_output_is_read() {
        let text = "Running 2s test @ http://127.0.0.1:1/ping\n  1 threads and 16 connections\n  Thread Stats   Avg      Stdev     Max   +/- Stdev\n    Latency   250.00us  100.00us   2.00ms   90.00%\n  Latency Distribution\n     50%  230.00us\n     75%  260.00us\n     90%  300.00us\n     99%    1.20ms\n  60000 requests in 2.00s, 7.00MB read\nRequests/sec:  29990.50\nTransfer/sec:      3.50MB\n";
        let (rps, p99) = parse_wrk(text).unwrap();
        assert!((rps - 29990.5).abs() < 1e-9);
        assert_eq!(p99, Some(1.2));
        assert_eq!(parse_duration_ms("456.00us"), Some(0.456));
        assert_eq!(parse_duration_ms("1.50s"), Some(1500.0));
        assert!(parse_wrk("garbage").is_none());
    }
}
