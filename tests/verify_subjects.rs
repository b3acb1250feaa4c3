//! End-to-end: `podium verify` builds and starts real subjects with the real Go and
//! Rust toolchains and checks them against the contract.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use serde_json::Value;
use std::collections::BTreeSet;
use support::{BUNDLED, podium, repo_root, run, tagged_processes};

fn failed_checks(subject: &Value) -> BTreeSet<String> {
    subject["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_bundled_subject_passes_the_contract() {
    let (code, out, err) = run(podium().args(["verify", "--all", "--json"]));
    let doc: Value = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("{e}\nstdout:\n{out}\nstderr:\n{err}"));
    let subjects = doc["subjects"].as_array().unwrap();
    let names: BTreeSet<&str> = subjects
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, BUNDLED.into_iter().collect::<BTreeSet<_>>());
    for s in subjects {
        assert!(s["error"].is_null(), "{}: {}", s["name"], s["error"]);
        assert!(
            failed_checks(s).is_empty(),
            "{} failed {:?}\n{err}",
            s["name"],
            failed_checks(s)
        );
        let go = s["language"] == "go";
        // Every check ran; only pprof is skipped, and only for Rust subjects.
        let skipped: Vec<&str> = s["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["status"] == "skip")
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        if go {
            assert!(skipped.is_empty(), "{}: {skipped:?}", s["name"]);
        } else {
            assert_eq!(
                skipped,
                ["pprof.index", "pprof.profile", "pprof.heap"],
                "{}",
                s["name"]
            );
        }
        assert!(s["passed"].as_u64().unwrap() >= 55, "{}", s["name"]);
        assert_eq!(s["verified"], true);
    }
    assert_eq!(code, 0, "{err}");
    assert_eq!(doc["verified"], true);
}

#[test]
fn broken_fixture_is_caught_by_the_checks_aimed_at_each_fault() {
    let fixtures = repo_root().join("tests/fixtures/subjects");
    let (code, out, err) = run(podium()
        .arg("--subjects-dir")
        .arg(&fixtures)
        .args(["verify", "broken", "--json"]));
    assert_eq!(code, 1, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let broken = &doc["subjects"][0];
    assert_eq!(broken["name"], "broken");
    assert_eq!(broken["verified"], false);
    let want: BTreeSet<String> = [
        // wrong status
        "json.status",
        // missing header
        "mw.request_id_generated",
        "mw.request_id_echoed",
        "mw.request_id_on_401",
        // bad JSON-RPC error code
        "rpc.method_not_found",
        "rpc.batch",
        // leaked process
        "lifecycle.no_leftover_processes",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(failed_checks(broken), want);
    let leftover = broken["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "lifecycle.no_leftover_processes")
        .unwrap();
    assert!(
        leftover["actual"].as_str().unwrap().contains("sleep 600"),
        "{leftover}"
    );
    // Podium killed what the subject leaked.
    assert!(tagged_processes("broken-").is_empty());
    // The human output names each failure with expected and actual.
    assert!(
        err.contains("✗ json.status") && err.contains("expected status 200; got 201"),
        "{err}"
    );
}

#[test]
fn a_subject_that_fails_to_build_is_named_and_the_others_still_run() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("nobuild-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("nobuild")).unwrap();
    std::fs::write(
        dir.join("nobuild/subject.toml"),
        "name = \"nobuild\"\nlanguage = \"go\"\nframework = \"X\"\nmodule = \"x\"\nversion = \"v0\"\n\
         [build]\ncommand = \"echo 'main.go:7:2: undefined: router' >&2; exit 1\"\n[run]\ncommand = [\"server\"]\n",
    )
    .unwrap();
    let (code, out, err) = run(podium()
        .arg("--subjects-dir")
        .arg(&dir)
        .args(["verify", "nobuild", "stdlib", "--json"]));
    assert_eq!(code, 1, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let nobuild = &doc["subjects"][0];
    let error = nobuild["error"].as_str().unwrap();
    assert!(
        error.contains("nobuild: build failed") && error.contains("main.go:7:2: undefined: router"),
        "{error}"
    );
    assert_eq!(doc["subjects"][1]["name"], "stdlib");
    assert_eq!(doc["subjects"][1]["verified"], true, "{err}");
    assert!(
        err.contains("1 of 2 subjects passed the contract; failed: nobuild"),
        "{err}"
    );
}
