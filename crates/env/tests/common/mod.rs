//! Helpers shared by the integration tests: real subjects and /proc readings.

#![allow(dead_code)] // each test file uses its own subset

use podium_subjects::{Artifact, Catalog, Subject};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

/// The cache all crates' tests share, so each subject is built once.
pub fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("podium-cache")
}

/// The bundled subject `name`, built.
pub fn built_subject(name: &str) -> (Subject, Artifact) {
    let cache = cache_dir();
    let catalog = Catalog::load(&cache, &[]).unwrap();
    let subject = catalog.get(name).unwrap().clone();
    let artifact = podium_subjects::build(&subject, &cache).unwrap();
    (subject, artifact)
}

/// A field of /proc/PID/status (or /proc/PID/task/TID/status with `pid` = "PID/task/TID").
pub fn status_field(pid: &str, field: &str) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
        .trim()
        .to_string()
}

/// The thread ids of process `pid`.
pub fn threads(pid: u32) -> Vec<String> {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// `GET path` over a fresh HTTP/1.1 connection; returns (status line, body).
pub fn http_get(addr: SocketAddr, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_string(), body.to_string())
}
