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
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("podium runs");
    (
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
