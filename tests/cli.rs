//! End-to-end tests of the `podium` command line: listing, serving, and its errors.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::{BUNDLED, podium, run, tagged_processes};

#[test]
fn help_explains_each_command() {
    let (code, out, _) = run(podium().arg("--help"));
    assert_eq!(code, 0);
    for word in [
        "subjects",
        "serve",
        "verify",
        "--subjects-dir",
        "CONTRACT.md",
    ] {
        assert!(out.contains(word), "--help lacks {word}:\n{out}");
    }
    let (code, out, _) = run(podium().args(["verify", "--help"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("--url") && out.contains("--all") && out.contains("--json"),
        "{out}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, err) = run(podium().args(["verify", "--go"]));
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(podium().arg("frobnicate"));
    assert_eq!(code, 2, "{err}");
}

#[test]
fn subjects_lists_the_eight_bundled_subjects() {
    let (code, out, err) = run(podium().args(["subjects", "--json"]));
    assert_eq!(code, 0, "{err}");
    let list: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let mut names: Vec<&str> = list.iter().map(|s| s["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    let mut want = BUNDLED.to_vec();
    want.sort_unstable();
    assert_eq!(names, want);
    for s in &list {
        assert!(
            ["go", "rust"].contains(&s["language"].as_str().unwrap()),
            "{s}"
        );
        assert!(!s["version"].as_str().unwrap().is_empty(), "{s}");
        assert_eq!(s["origin"], "bundled");
        // Bundled subjects are unpacked from the binary, not read from the checkout.
        let dir = std::path::Path::new(s["dir"].as_str().unwrap());
        assert!(
            dir.join("subject.toml").is_file() && dir.starts_with(support::cache_dir()),
            "{s}"
        );
    }
    // The table form has a header and one row per subject.
    let (code, out, _) = run(podium().arg("subjects"));
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 9, "{out}");
    assert!(out.lines().next().unwrap().starts_with("NAME"));
}

#[test]
fn unknown_subject_is_one_clear_error() {
    let (code, out, err) = run(podium().args(["serve", "no-such-framework"]));
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: no subject named \"no-such-framework\"; known subjects: "),
        "{err}"
    );
}

#[test]
fn broken_manifest_names_the_file_and_field() {
    let dir = tempfile_dir("bad-manifest");
    let subject = dir.join("mine");
    std::fs::create_dir_all(&subject).unwrap();
    std::fs::write(
        subject.join("subject.toml"),
        "name = \"mine\"\nlanguage = \"go\"\nframework = \"X\"\nmodule = \"x\"\n[build]\ncommand = \"true\"\n[run]\ncommand = [\"server\"]\n",
    )
    .unwrap();
    let (code, _, err) = run(podium().arg("--subjects-dir").arg(&dir).arg("subjects"));
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!("{}", subject.join("subject.toml").display())),
        "{err}"
    );
    assert!(err.contains("missing field `version`"), "{err}");
}

#[test]
fn refused_url_is_one_clear_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    let (code, out, err) =
        run(podium().args(["verify", "--url", &format!("http://127.0.0.1:{port}")]));
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: http://127.0.0.1:") && err.contains("could not connect"),
        "{err}"
    );
    assert!(err.contains("is the server running"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn serve_stops_on_sigterm_and_on_ctrl_c_leaving_nothing_behind() {
    for signal in [libc::SIGTERM, libc::SIGINT] {
        let mut child = podium()
            .args(["serve", "stdlib"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let url = line
            .split_whitespace()
            .last()
            .unwrap_or_default()
            .to_string();
        assert!(
            line.starts_with("stdlib (net/http ") && url.starts_with("http://127.0.0.1:"),
            "{line:?}"
        );
        let addr = url.trim_start_matches("http://").to_string();

        let mut stream = TcpStream::connect(&addr).unwrap();
        write!(
            stream,
            "GET /ping HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 200") && answer.ends_with("pong"),
            "{answer}"
        );

        let tag = format!("stdlib-{}-", child.id());
        assert_eq!(tagged_processes(&tag).len(), 1, "the subject runs");
        // SAFETY: signalling our own child.
        unsafe { libc::kill(child.id() as i32, signal) };
        let status = child.wait().unwrap();
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert_eq!(status.code(), Some(0), "signal {signal}: {err}");
        assert!(err.contains("stdlib stopped: exit status 0"), "{err}");
        assert!(tagged_processes(&tag).is_empty(), "no process left behind");
        assert!(TcpStream::connect(&addr).is_err(), "port closed");
    }
}

fn tempfile_dir(name: &str) -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_relative_cache_dir_is_resolved_to_an_absolute_one() {
    let cwd = tempfile_dir("relative-cache");
    let (code, out, err) =
        run(podium()
            .current_dir(&cwd)
            .args(["--cache-dir", "cache", "subjects", "--json"]));
    assert_eq!(code, 0, "{err}");
    let list: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    for s in &list {
        let dir = std::path::Path::new(s["dir"].as_str().unwrap());
        assert!(
            dir.is_absolute() && dir.starts_with(cwd.join("cache")),
            "{s}"
        );
    }
}
