#![allow(clippy::unwrap_used)]
//! `podium reload` end to end: the real binary, real dev-loop tools (air, installed by
//! Podium when missing; watchexec for the Rust subject) driving real subjects in scratch
//! copies, real sockets, the result in a real SQLite store. The fixtures that leak a
//! goroutine set per start-up and leave a daemonised child behind must be graded down,
//! each for its own reason.

mod support;

use podium_store::{SqliteStore, Store, kind};
use serde_json::Value;
use std::path::Path;
use std::sync::Mutex;
use support::{podium, repo_root, run_with_pid, tagged_processes};

/// The scenarios time reloads: one at a time, so that they do not slow each other down.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn reload(db: &Path, args: &[&str]) -> (i32, String, String) {
    let (_, code, out, err) = reload_with_pid(db, args);
    (code, out, err)
}

/// Runs `podium reload`, giving the pid its dev loop's instance tag carries.
fn reload_with_pid(db: &Path, args: &[&str]) -> (u32, i32, String, String) {
    let fixtures = repo_root().join("tests/fixtures/subjects/go");
    run_with_pid(
        podium()
            .arg("--subjects-dir")
            .arg(&fixtures)
            .arg("reload")
            .args(args)
            .arg("--db")
            .arg(db),
    )
}

fn graded(db: &Path, args: &[&str]) -> Value {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (pid, code, out, err) = reload_with_pid(db, args);
    assert_eq!(code, 0, "podium reload {args:?} failed:\n{err}\n{out}");
    assert!(
        tagged_processes(&podium_reload::instance_prefix(pid)).is_empty(),
        "processes of the dev loop are still running after podium reload {args:?}"
    );
    serde_json::from_str(&out).unwrap()
}

fn reasons(v: &Value) -> Vec<String> {
    v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["why"].as_str().unwrap().to_string())
        .collect()
}

fn stored(db: &Path, subject: &str) -> Value {
    let store = SqliteStore::open(db).unwrap();
    store
        .latest_observation(kind::HOT_RELOAD, subject)
        .unwrap()
        .expect("the result is stored as an observation")
        .observation
        .json
}

/// The figures every healthy scenario has.
fn assert_healthy_loop(v: &Value, edits: u64) {
    assert_eq!(v["edits"], edits, "{v:#}");
    assert_eq!(v["missed"], 0, "{v:#}");
    assert_eq!(
        v["reload_samples_ms"].as_array().unwrap().len() as u64,
        edits
    );
    let ms = &v["reload_ms"];
    let (p50, p90, max) = (
        ms["p50"].as_f64().unwrap(),
        ms["p90"].as_f64().unwrap(),
        ms["max"].as_f64().unwrap(),
    );
    assert!(0.0 < p50 && p50 <= p90 && p90 <= max, "{ms}");
    assert_eq!(v["ignored_edits"], 3, "{v:#}");
    assert_eq!(v["spurious_rebuilds"], 0, "{v:#}");
    assert_eq!(v["config_applied"], true, "{v:#}");
    assert_eq!(v["recovered_from_error"], true, "{v:#}");
    assert_eq!(v["port_rebind_failures"], 0, "{v:#}");
    // Edits, the configuration change and the fix each restarted the served process.
    assert!(
        v["growth"]["reloads"].as_u64().unwrap() >= edits + 2,
        "{:#}",
        v["growth"]
    );
}

#[test]
fn stdlib_under_air_is_graded_and_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("podium.db");
    let v = graded(&db, &["stdlib", "--tool", "air", "--edits", "3", "--json"]);
    assert_eq!(v["tool"], "air");
    assert!(
        v["tool_version"].as_str().unwrap().contains("1.67.4"),
        "{v:#}"
    );
    assert_healthy_loop(&v, 3);
    assert_eq!(v["leftover_processes"], 0, "{v:#}");
    assert!(
        v["growth"]["goroutines"].as_i64().unwrap().abs() <= 8,
        "{:#}",
        v["growth"]
    );
    // Nothing but speed may keep a healthy Go loop from an A.
    let grade = v["grade"].as_str().unwrap();
    for why in reasons(&v) {
        assert!(why.starts_with("p90 reload"), "{why}");
    }
    assert!(grade == "A" || grade == "B", "{v:#}");
    assert_eq!(stored(&db, "stdlib"), v);
}

#[test]
fn a_goroutine_leak_across_reloads_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("podium.db");
    let v = graded(&db, &["reload-leaks-goroutine", "--edits", "3", "--json"]);
    assert_healthy_loop(&v, 3);
    assert_eq!(v["leftover_processes"], 0, "{v:#}");
    // 4 more goroutines at each start-up than at the one before.
    let growth = v["growth"]["goroutines"].as_i64().unwrap();
    let reloads = v["growth"]["reloads"].as_i64().unwrap();
    assert!(growth >= 4 * reloads, "{:#}", v["growth"]);
    assert_eq!(v["grade"], "C", "{v:#}");
    let why = reasons(&v);
    assert!(why[0].starts_with("goroutine leak: +"), "{why:?}");
    assert!(!why.iter().any(|w| w.contains("leftover")), "{why:?}");
    assert_eq!(stored(&db, "reload-leaks-goroutine")["grade"], "C");
}

#[test]
fn a_child_left_behind_at_each_reload_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("podium.db");
    let v = graded(&db, &["reload-leaves-child", "--edits", "3", "--json"]);
    assert_healthy_loop(&v, 3);
    // One daemonised helper per start-up: the first, 3 edits, configuration, fix.
    let leftovers = v["leftover_processes"].as_u64().unwrap();
    assert!(leftovers >= 6, "{v:#}");
    for command in v["leftover_commands"].as_array().unwrap() {
        assert_eq!(command, "sleep 3600", "{v:#}");
    }
    assert_eq!(v["grade"], "C", "{v:#}");
    let why = reasons(&v);
    assert!(
        why[0].starts_with(&format!("{leftovers} leftover processes")),
        "{why:?}"
    );
    assert!(!why.iter().any(|w| w.contains("leak")), "{why:?}");
}

#[test]
fn a_missing_or_exiting_dev_loop_command_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("podium.db");
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (code, out, err) = reload(&db, &["stdlib", "--tool", "no-such-dev-loop-tool"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("dev-loop command `no-such-dev-loop-tool` exited at once")
            && err.contains("not found"),
        "{err}"
    );
    let (code, out, err) = reload(&db, &["stdlib", "--tool", "true"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("dev-loop command `true` exited at once (exit status: 0)"),
        "{err}"
    );
    // Nothing is stored for a scenario that did not run.
    let store = SqliteStore::open(&db).unwrap();
    assert!(
        store
            .latest_observation(kind::HOT_RELOAD, "stdlib")
            .unwrap()
            .is_none()
    );
    let (code, _, err) = reload(&db, &["crashy"]);
    assert_eq!(code, 1);
    assert!(err.contains("has no [reload] section"), "{err}");
}

#[test]
fn axum_under_watchexec_is_graded() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("podium.db");
    let v = graded(
        &db,
        &["axum", "--tool", "watchexec", "--edits", "3", "--json"],
    );
    assert_eq!(v["tool"], "watchexec");
    assert!(
        v["command"].as_str().unwrap().contains("cargo run"),
        "{v:#}"
    );
    assert_healthy_loop(&v, 3);
    assert_eq!(v["leftover_processes"], 0, "{v:#}");
    assert!(v["growth"]["goroutines"].is_null(), "{v:#}");
    assert!(v["growth"]["threads"].is_i64(), "{v:#}");
    assert_eq!(stored(&db, "axum")["tool"], "watchexec");
}
