//! `/debug/pprof/*` on Go subjects.

use super::request_failed;
use crate::{Outcomes, Probe, Runtime};

/// Runs the pprof checks (Go subjects only).
pub async fn run(probe: &Probe, runtime: Runtime, out: &mut Outcomes) {
    let checks = [
        ("pprof.index", "/debug/pprof/", "200 pprof index"),
        (
            "pprof.profile",
            "/debug/pprof/profile?seconds=1",
            "200 gzip-compressed CPU profile",
        ),
        ("pprof.heap", "/debug/pprof/heap", "200 heap profile"),
    ];
    for (id, path, expected) in checks {
        match runtime {
            Runtime::Go => {}
            Runtime::Rust => {
                out.skip(
                    id,
                    expected,
                    "not a Go subject: pprof is not part of its contract",
                );
                continue;
            }
            Runtime::Unknown => {
                out.skip(
                    id,
                    expected,
                    "runtime unknown (a URL was given; pass --go to require pprof)",
                );
                continue;
            }
        }
        match probe.get(path).await {
            Ok(a) => {
                let gzip = a.body.starts_with(&[0x1f, 0x8b]);
                let pass = a.status == 200 && !a.body.is_empty() && (id != "pprof.profile" || gzip);
                let actual = if id == "pprof.profile" {
                    format!(
                        "{} {} bytes{}",
                        a.status,
                        a.body.len(),
                        if gzip { ", gzip" } else { ", not gzip" }
                    )
                } else {
                    format!("{} {} bytes", a.status, a.body.len())
                };
                out.record(id, pass, format!("GET {path} → {expected}"), actual);
            }
            Err(e) => request_failed(out, id, expected, &e),
        }
    }
}
