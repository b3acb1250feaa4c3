//! Shared helpers for the end-to-end tests: run the real `podium` binary with a cache
//! folder shared by all tests, so each subject is built once per test run.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// The eight bundled subjects.
pub const BUNDLED: [&str; 8] = [
    "stdlib",
    "gin",
    "echo",
    "chi",
    "fiber",
    "go-zero",
    "axum",
    "actix-web",
];

pub fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("podium-cache")
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn podium() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_podium"));
    cmd.env("PODIUM_CACHE_DIR", cache_dir())
        .env_remove("JWT_SECRET");
    cmd
}

pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let (_, code, out, err) = run_with_pid(cmd);
    (code, out, err)
}

/// [`run`], also giving the pid the command ran as: a Podium instance tag such as
/// `reload-<pid>-…` names it, so a test can look for what this run alone left behind
/// (tests of other runs, or a second test run on the machine, have other pids).
pub fn run_with_pid(cmd: &mut Command) -> (u32, i32, String, String) {
    let child = cmd
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("podium runs");
    let pid = child.id();
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("podium runs");
    (
        pid,
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// Live processes whose environment carries a Podium instance tag starting with `prefix`.
pub fn tagged_processes(prefix: &str) -> Vec<i32> {
    let needle = format!("PODIUM_INSTANCE={prefix}");
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<i32>().ok()))
        .filter(|pid| {
            let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .map(|s| {
                    s.rsplit(')')
                        .next()
                        .is_some_and(|r| r.trim_start().starts_with('Z'))
                })
                .unwrap_or(true);
            !zombie
                && std::fs::read(format!("/proc/{pid}/environ"))
                    .map(|env| {
                        env.split(|b| *b == 0)
                            .any(|kv| kv.starts_with(needle.as_bytes()))
                    })
                    .unwrap_or(false)
        })
        .collect()
}

/// A subject started with `podium serve`; SIGTERM on drop.
pub struct Served {
    pub child: std::process::Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
}

impl Served {
    pub fn start(name: &str) -> Served {
        use std::io::BufRead;
        let mut child = podium()
            .args(["serve", name])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("podium serve starts");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("a line");
        let url = line.split_whitespace().last().unwrap_or_default();
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "podium serve printed {line:?}"
        );
        Served {
            addr: url.trim_start_matches("http://").to_string(),
            child,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// One GET with `Connection: close`; the raw answer.
    pub fn get(&self, path: &str) -> String {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&self.addr).expect("connect");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .expect("write");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read");
        answer
    }

    /// The sum of `http_requests_total` on `/metrics` (a scrape is not counted).
    pub fn requests_total(&self) -> f64 {
        self.get("/metrics")
            .lines()
            .filter(|l| l.starts_with("http_requests_total"))
            .filter_map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<f64>().ok())
            })
            .sum()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        // SAFETY: signalling our own child.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}
