#![allow(clippy::unwrap_used)]
//! report.html in a real browser: the sample report is written with `write_all`, opened
//! from file:// in headless Chromium (Debian's, driven by playwright-core through
//! tests/browser/check.mjs), screenshotted, and its interactivity exercised. The page
//! must make no request beyond file:// and data: and log no console error.
//!
//! Needs /usr/bin/chromium, Node.js and tests/browser/node_modules: scripts/setup.sh
//! installs them. Without them this test fails (it never skips silently).

mod common;

use podium_report::{Lang, write_all};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const SETUP: &str = "run scripts/setup.sh (it installs Debian's chromium and runs `npm ci --prefix crates/report/tests/browser`)";

fn browser_dir() -> PathBuf {
    common::crate_dir().join("tests/browser")
}

fn require_tools() {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: the browser test needs Chromium; {SETUP}"
    );
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.as_ref().is_ok_and(|o| o.status.success()),
        "node is not installed (Node.js 20 or later is needed for the browser test): {node:?}"
    );
    assert!(
        browser_dir()
            .join("node_modules/playwright-core/package.json")
            .exists(),
        "{} has no node_modules/playwright-core: {SETUP}",
        browser_dir().display()
    );
}

/// Runs check.mjs, killing it if it outlives `limit` (its own watchdog should fire
/// first; this guards against a wedged Node process).
fn run_check(html: &Path, png: &Path, limit: Duration) -> (Option<i32>, String, String) {
    let mut child = Command::new("node")
        .arg(browser_dir().join("check.mjs"))
        .arg(html)
        .arg(png)
        .arg(CHROMIUM)
        .current_dir(browser_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Width and height from a PNG's IHDR chunk, after checking the signature.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 24, "the screenshot is {} bytes", bytes.len());
    assert_eq!(
        &bytes[..8],
        b"\x89PNG\r\n\x1a\n",
        "the screenshot is not a PNG"
    );
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn report_html_is_interactive_and_self_contained_in_chromium() {
    require_tools();
    let report = common::sample();
    let dir = tempfile::tempdir().unwrap();
    let written = write_all(&report, dir.path(), Lang::En).unwrap();
    let html = written.iter().find(|p| p.ends_with("report.html")).unwrap();
    let png = dir.path().join("report.png");

    let (status, stdout, stderr) = run_check(html, &png, Duration::from_secs(180));
    let result: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "check.mjs printed no JSON ({e}); status {status:?}\nstdout: {stdout}\nstderr: {stderr}"
        )
    });
    assert_eq!(
        status,
        Some(0),
        "check.mjs failed: {}\nstderr: {stderr}",
        serde_json::to_string_pretty(&result).unwrap()
    );
    assert_eq!(result["ok"], true);
    assert_eq!(result["failures"], serde_json::json!([]));

    // Nothing but the file itself (and data: URLs) was requested.
    let requests: Vec<&str> = result["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        requests.iter().any(|r| r.starts_with("file://")),
        "{requests:?}"
    );
    assert!(
        requests
            .iter()
            .all(|r| r.starts_with("file://") || r.starts_with("data:")),
        "{requests:?}"
    );
    assert_eq!(result["console_errors"], serde_json::json!([]));

    // Hover: the tooltip carries the raw figure of actix-web's observability vertex.
    let tooltip = &result["checks"]["tooltip"];
    let expected_raw = report.radar.series[0].raw[2].as_deref().unwrap();
    assert_eq!(tooltip["raw"], expected_raw);
    let text = tooltip["text"].as_str().unwrap();
    assert!(text.starts_with("actix-web · Observability: "), "{tooltip}");
    assert!(text.contains(expected_raw), "{tooltip}");
    assert_eq!(text.lines().count(), 1, "{tooltip}");
    assert_eq!(tooltip["hidden_after"], true);
    // Two vertices on one spot (actix-web 0.40 and axum 0.39 on Performance): both named,
    // best-ranked first.
    let overlap = &result["checks"]["overlap"];
    let lines: Vec<&str> = overlap["text"].as_str().unwrap().lines().collect();
    assert_eq!(lines.len(), 2, "{overlap}");
    assert!(
        lines[0].starts_with("actix-web")
            && lines[0].contains(report.radar.series[0].raw[0].as_deref().unwrap()),
        "{overlap}"
    );
    assert!(
        lines[1].starts_with("axum")
            && lines[1].contains(report.radar.series[2].raw[0].as_deref().unwrap()),
        "{overlap}"
    );

    // Legend: hidden, then shown again, with the button's state following.
    let legend = &result["checks"]["legend"];
    assert_eq!(legend["before"], true, "{legend}");
    assert_eq!(legend["after_first_click"], false, "{legend}");
    assert_eq!(legend["pressed_after_first_click"], "false", "{legend}");
    assert_eq!(legend["after_second_click"], true, "{legend}");
    assert_eq!(legend["pressed_after_second_click"], "true", "{legend}");

    // Axis: Ecosystem hidden, the polygon redrawn over three axes, then restored.
    let axis = &result["checks"]["axis"];
    assert!(
        axis["label"].as_str().unwrap().starts_with("Ecosystem"),
        "{axis}"
    );
    assert_eq!(axis["label_visible_after"], false, "{axis}");
    assert_eq!(axis["toggle_pressed_after"], "false", "{axis}");
    assert_eq!(axis["points_before"].as_array().unwrap().len(), 4, "{axis}");
    assert_eq!(axis["points_hidden"].as_array().unwrap().len(), 3, "{axis}");
    assert_ne!(
        axis["points_hidden"][2], axis["points_before"][3],
        "the remaining axes were not re-spaced: {axis}"
    );
    assert_eq!(
        axis["points_restored"].as_array().unwrap().len(),
        4,
        "{axis}"
    );

    // A real, full-page screenshot: a PNG taller than the window, of some weight.
    let bytes = std::fs::read(&png).unwrap();
    let (width, height) = png_size(&bytes);
    assert_eq!(width, 1280);
    assert!(height > 3000, "the page is only {height} px tall");
    assert!(
        bytes.len() > 100_000,
        "the screenshot is only {} bytes",
        bytes.len()
    );
    // For people: the lead looks at the page here.
    std::fs::copy(&png, "/tmp/podium-report.png").unwrap();
}
