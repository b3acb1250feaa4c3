//! `podium eco` end to end: the real binary on gin, with the Go module proxy live and
//! the GitHub and OSV APIs replayed by a local server; the offline mode; unreachable
//! APIs; bad input.

#![allow(clippy::unwrap_used)] // test code (the shared support module): a panic is the failure report

#[path = "../crates/eco/tests/replay/mod.rs"]
mod replay;
mod support;

use podium_store::{SqliteStore, Store, kind};
use replay::{Replay, Route};
use serde_json::{Value, json};
use support::{podium, run};

fn days_ago(days: i64) -> String {
    podium_eco::time::timestamp(podium_eco::time_now_ms() - days * podium_eco::time::DAY_MS)
}

fn closed_port() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    format!("http://127.0.0.1:{port}")
}

/// `podium eco github.com/gin-gonic/gin --json` against these API bases.
fn gin_json(db: &std::path::Path, github: &str, osv: &str) -> Value {
    let (code, stdout, stderr) = run(podium()
        .args(["eco", "github.com/gin-gonic/gin", "--json", "--db"])
        .arg(db)
        .env("PODIUM_GITHUB_API", github)
        .env("PODIUM_OSV_API", osv));
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).expect("JSON")
}

#[test]
fn gin_live_with_replayed_github_and_osv() {
    let pulls = json!([
        {"number": 3, "updated_at": days_ago(5), "merged_at": days_ago(5)},
        {"number": 2, "updated_at": days_ago(40), "merged_at": null},
        {"number": 1, "updated_at": days_ago(100), "merged_at": days_ago(100)},
        {"number": 0, "updated_at": days_ago(400), "merged_at": days_ago(400)}
    ]);
    let gin_record = |id: &str, published: &str, fixed: &str| {
        json!({"id": id, "published": published, "modified": published, "affected": [{
            "package": {"name": "github.com/gin-gonic/gin", "ecosystem": "Go"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": fixed}]}]}]})
    };
    // A test record affecting the pinned v1.12.0, and one fixed by v1.11.0, which the
    // proxy dates 2025-09-20T11:38:42Z: 19.5 days after its publication.
    let osv = json!({"vulns": [
        gin_record("GO-TEST-OPEN", "2026-03-01T00:00:00Z", "1.99.0"),
        gin_record("GO-TEST-FIXED", "2025-09-01T00:00:00Z", "1.11.0"),
    ]});
    let github = Replay::start(|_| {
        vec![
            Route::get(
                "/repos/gin-gonic/gin",
                200,
                include_str!("../crates/eco/tests/fixtures/github/repo.json"),
            )
            .header("etag", "\"r1\"")
            .times(1),
            Route::get(
                "/repos/gin-gonic/gin/pulls?state=closed&sort=updated&direction=desc&per_page=100",
                200,
                pulls.to_string(),
            ),
        ]
    });
    let osv_server = Replay::start(|_| vec![Route::post("/v1/query", 200, osv.to_string())]);
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("podium.db");
    let r = gin_json(&db, &github.base, &osv_server.base);
    assert_eq!(r["module"], "github.com/gin-gonic/gin");
    assert_eq!(
        r["version"], "v1.12.0",
        "the bundled subject's pinned version"
    );
    let score = r["score"].as_f64().expect("score");
    assert!((0.0..=1.0).contains(&score));
    assert_eq!(r["score_without"], json!([]));
    let s = &r["signals"];
    assert_eq!(s["stars"]["raw"], 12345.0);
    assert_eq!(s["stars"]["normalised"], 1.0);
    assert_eq!(s["forks"]["raw"], 2345.0);
    assert!(
        s["stars"]["source"]
            .as_str()
            .is_some_and(|x| x.contains(&github.base))
    );
    assert_eq!(s["stars"]["age"], 0);
    for name in ["stars", "forks", "releases_per_month", "decoupling"] {
        assert!(s[name]["observed_at"].is_string(), "{name}");
        assert!(
            s[name]["normalised"]
                .as_f64()
                .is_some_and(|v| (0.0..=1.0).contains(&v)),
            "{name}"
        );
    }
    let decoupling = s["decoupling"]["raw"].as_f64().expect("decoupling");
    assert!(
        (decoupling - (1.0 - 11.0 / 42.0)).abs() < 1e-9,
        "{decoupling}"
    );
    // The score is the weighted mean of the four signals.
    let expected = ["stars", "forks", "releases_per_month", "decoupling"]
        .iter()
        .map(|n| s[n]["weight"].as_f64().unwrap_or(0.0) * s[n]["decayed"].as_f64().unwrap_or(0.0))
        .sum::<f64>();
    assert!((score - expected).abs() < 1e-9, "{score} vs {expected}");
    // Two of the three pull requests in the window were merged: 2 / 12 per month.
    let merged = r["merged_prs_per_month"]["value"].as_f64().expect("merged");
    assert!((merged - 2.0 / 12.0).abs() < 1e-9);
    let vulns = &r["vulnerabilities"]["value"];
    assert_eq!(vulns["module"][0]["id"], "GO-TEST-OPEN");
    assert_eq!(vulns["module"].as_array().map(Vec::len), Some(1));
    assert!(
        vulns["dependencies_checked"]
            .as_u64()
            .is_some_and(|n| n > 10)
    );
    let fixed = r["cve_response"]["value"]
        .as_array()
        .and_then(|l| l.iter().find(|c| c["id"] == "GO-TEST-FIXED"))
        .expect("response time");
    assert_eq!(fixed["fixed_version"], "v1.11.0");
    assert_eq!(fixed["fixed_released"], "2025-09-20");
    assert_eq!(fixed["days"], 19.5);
    assert!(
        r["doc_coverage"]["value"]["share"]
            .as_f64()
            .is_some_and(|v| v > 0.5)
    );
    let otel = r["middleware"]
        .as_array()
        .and_then(|l| l.iter().find(|m| m["purpose"] == "opentelemetry"))
        .expect("otel");
    assert_eq!(otel["maintainer"], "opentelemetry_contrib");
    assert_eq!(otel["supports_pinned"], true);

    let store = SqliteStore::open(&db).expect("store");
    let stored = store
        .latest_observation(kind::ECOSYSTEM, "github.com/gin-gonic/gin")
        .expect("read")
        .expect("stored");
    assert_eq!(stored.observation.json["score"], r["score"]);
    let cached = store
        .cached_response(&format!("{}/repos/gin-gonic/gin", github.base))
        .expect("read");
    assert_eq!(cached.and_then(|c| c.etag).as_deref(), Some("\"r1\""));
    drop(store);

    // GitHub now fails (the replay has no second answer): the answer kept in the store
    // gives stars and forks, dated when it was fetched, with a note.
    let again = gin_json(&db, &github.base, &osv_server.base);
    assert_eq!(again["signals"]["stars"]["raw"], 12345.0);
    assert!(
        again["signals"]["stars"]["source"]
            .as_str()
            .is_some_and(|s| s.contains("kept in the store"))
    );
    assert!(
        again["notes"].to_string().contains("GitHub API failed"),
        "{}",
        again["notes"]
    );
    assert_eq!(again["merged_prs_per_month"]["value"], Value::Null);
}

#[test]
fn offline_and_unreachable_apis_fall_back_with_a_note() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("podium.db");
    let (code, stdout, stderr) = run(podium()
        .args(["eco", "github.com/gin-gonic/gin", "--db"])
        .arg(&db)
        .env("PODIUM_GITHUB_API", closed_port())
        .env("PODIUM_OSV_API", closed_port()));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("computed without stars, forks"), "{stdout}");
    assert!(stdout.contains("GitHub API unreachable"), "{stdout}");
    // OSV's Go records come from the Go vulnerability database, which the module proxy
    // serves: without the OSV API, a Go module is checked against it, and says so.
    assert!(
        stdout.contains("vulnerabilities from the Go vulnerability database")
            && stdout.contains("instead of the OSV API"),
        "{stdout}"
    );
    assert!(stdout.contains("decoupling"), "{stdout}");

    let (code, stdout, stderr) = run(podium()
        .args([
            "eco",
            "github.com/gin-gonic/gin@v1.11.0",
            "--offline",
            "--json",
            "--db",
        ])
        .arg(&db));
    assert_eq!(code, 0, "{stderr}");
    let r: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(r["version"], "v1.11.0");
    assert_eq!(r["mode"], "offline");
    assert_eq!(r["signals"]["stars"]["raw"], Value::Null);
    assert_eq!(r["score_without"], json!(["stars", "forks"]));
    // Offline still reaches the registries, so the Go vulnerability database is used.
    let vulns = &r["vulnerabilities"];
    assert!(
        vulns["source"]
            .as_str()
            .is_some_and(|s| s.contains("Go vulnerability database")),
        "{vulns:#}"
    );
    assert_eq!(vulns["value"]["module"], json!([]), "{vulns:#}");
    // GO-2021-0052 (fixed in gin v1.7.7) is timed from its publication to that release,
    // dated by the proxy.
    let cve = r["cve_response"]["value"]
        .as_array()
        .expect("CVE response times");
    let timed = cve
        .iter()
        .find(|c| c["id"] == "GO-2021-0052")
        .unwrap_or_else(|| panic!("{cve:#?}"));
    assert!(timed["days"].as_f64().is_some(), "{timed:#}");
    assert!(r["signals"]["decoupling"]["raw"].as_f64().is_some());
    // Offline with a local OSV database: vulnerabilities are checked (none of its
    // records names gin or its dependencies), not "not checked".
    let osv_db = support::repo_root().join("crates/eco/tests/fixtures/osv-db");
    let (code, stdout, stderr) = run(podium()
        .args([
            "eco",
            "github.com/gin-gonic/gin",
            "--offline",
            "--json",
            "--osv-db",
        ])
        .arg(&osv_db)
        .arg("--db")
        .arg(&db));
    assert_eq!(code, 0, "{stderr}");
    let r: Value = serde_json::from_str(&stdout).expect("JSON");
    let vulns = &r["vulnerabilities"];
    assert_eq!(vulns["value"]["module"], json!([]));
    assert!(
        vulns["value"]["dependencies_checked"]
            .as_u64()
            .is_some_and(|n| n > 10)
    );
    assert!(
        vulns["source"]
            .as_str()
            .is_some_and(|s| s.contains("local OSV database"))
    );

    let store = SqliteStore::open(&db).expect("store");
    let all = store
        .observations(kind::ECOSYSTEM, Some("github.com/gin-gonic/gin"))
        .expect("read");
    assert_eq!(all.len(), 3);
}

#[test]
fn bad_input_is_one_clear_error_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("podium.db");
    let (code, _, stderr) = run(podium().args(["eco", "crate:", "--db"]).arg(&db));
    assert_eq!(code, 1);
    assert!(stderr.contains("is not a module"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");

    let weights = dir.path().join("w.toml");
    std::fs::write(&weights, "stars = 0.3\nforks = \"many\"\n").expect("write");
    let (code, _, stderr) = run(podium()
        .args([
            "eco",
            "github.com/gin-gonic/gin",
            "--offline",
            "--eco-weights",
        ])
        .arg(&weights)
        .arg("--db")
        .arg(&db));
    assert_eq!(code, 1);
    assert!(stderr.contains("w.toml:2:"), "{stderr}");
    // `podium run` refuses the same file before it builds or measures anything.
    let out = dir.path().join("report");
    let (code, _, stderr) = run(podium()
        .args(["run", "--quick", "--subjects", "chi", "--eco-weights"])
        .arg(&weights)
        .arg("--db")
        .arg(&db)
        .arg("--out")
        .arg(&out));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("w.toml:2:"), "{stderr}");
    assert!(!out.exists(), "nothing ran");

    let (code, _, stderr) = run(podium()
        .args([
            "eco",
            "github.com/podium-test/no-such-module-here",
            "--offline",
            "--db",
        ])
        .arg(&db));
    assert_eq!(code, 1);
    assert!(stderr.contains("no-such-module-here"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}
