//! Time to first response: from starting the binary to its first `200` on `GET /ping`,
//! the figure a scale-from-zero platform or a restarted pod waits for.

use crate::error::DeployError;
use crate::shell::round3;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// First-response times of several starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirstResponse {
    /// Median of `samples_ms`.
    pub median_ms: f64,
    /// Milliseconds from spawning the process to reading `200` on `GET /ping`, per start.
    pub samples_ms: Vec<f64>,
}

/// Pause between two polls of a starting process.
const POLL_INTERVAL: Duration = Duration::from_millis(2);
/// A binary that has not answered after this long is broken, not slow.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a stopped binary gets to exit after SIGTERM before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(5);
/// Bytes of the binary's output shown when it fails.
const OUTPUT_TAIL_BYTES: usize = 4000;

/// Starts `binary` `attempts` times (at least once) with `PORT=port`, each time in its
/// own process group, and measures the time from spawn to the first `200` answer to
/// `GET /ping` (polled over plain TCP every 2 ms); stops it with SIGTERM (SIGKILL after
/// 5 s) before the next start.
pub fn first_response(
    binary: &Path,
    port: u16,
    attempts: usize,
) -> Result<FirstResponse, DeployError> {
    let mut samples_ms = Vec::with_capacity(attempts.max(1));
    for _ in 0..attempts.max(1) {
        samples_ms.push(round3(one_start(binary, port)?.as_secs_f64() * 1000.0));
    }
    Ok(FirstResponse {
        median_ms: round3(median(&samples_ms)),
        samples_ms,
    })
}

fn one_start(binary: &Path, port: u16) -> Result<Duration, DeployError> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    // A server already on the port would answer for the binary and fake the figure.
    if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
        return Err(DeployError::PortBusy { port });
    }
    let output = tempfile::tempfile().map_err(|source| DeployError::Spawn {
        binary: binary.to_path_buf(),
        source,
    })?;
    let output_err = output.try_clone().map_err(|source| DeployError::Spawn {
        binary: binary.to_path_buf(),
        source,
    })?;
    let started = Instant::now();
    let child = Command::new(binary)
        .env("PORT", port.to_string())
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(output.try_clone().map_err(|source| DeployError::Spawn {
            binary: binary.to_path_buf(),
            source,
        })?)
        .stderr(output_err)
        .spawn()
        .map_err(|source| DeployError::Spawn {
            binary: binary.to_path_buf(),
            source,
        })?;
    let mut process = Group { child };
    loop {
        if ping_ok(addr) {
            let elapsed = started.elapsed();
            process.stop();
            return Ok(elapsed);
        }
        if let Ok(Some(status)) = process.child.try_wait() {
            return Err(DeployError::ExitedEarly {
                binary: binary.to_path_buf(),
                port,
                status: status.to_string(),
                output: output_tail(output),
            });
        }
        if started.elapsed() > START_TIMEOUT {
            process.stop();
            return Err(DeployError::NoResponse {
                binary: binary.to_path_buf(),
                port,
                timeout: START_TIMEOUT,
                output: output_tail(output),
            });
        }
        std::thread::sleep(POLL_INTERVAL);
    }
}

/// Whether `GET /ping` on `addr` answers with status 200 right now.
fn ping_ok(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
    let request = format!(
        "GET /ping HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
        addr.port()
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    // The status line is all that matters: "HTTP/1.1 200 OK\r\n".
    let mut head = Vec::with_capacity(64);
    let mut buf = [0u8; 64];
    while !head.windows(2).any(|w| w == b"\r\n") && head.len() < 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    is_200_status_line(&head)
}

fn is_200_status_line(head: &[u8]) -> bool {
    let line = head.split(|&b| b == b'\r').next().unwrap_or_default();
    let mut parts = line.split(|&b| b == b' ');
    parts.next().is_some_and(|v| v.starts_with(b"HTTP/")) && parts.next() == Some(b"200")
}

/// The end of what the binary printed.
fn output_tail(mut file: std::fs::File) -> String {
    use std::io::Seek;
    let mut bytes = Vec::new();
    let _ = file.seek(std::io::SeekFrom::Start(0));
    let _ = file.read_to_end(&mut bytes);
    let start = bytes.len().saturating_sub(OUTPUT_TAIL_BYTES);
    String::from_utf8_lossy(&bytes[start..]).into_owned()
}

/// The median of `values` (0 when empty).
pub(crate) fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// A started binary and its process group, killed when dropped (an early return or a
/// panic must not leave it holding the port).
struct Group {
    child: Child,
}

impl Group {
    fn signal(&self, signal: libc::c_int) {
        let Ok(pid) = libc::pid_t::try_from(self.child.id()) else {
            return;
        };
        // SAFETY: sends a signal to the process group the child leads (process_group(0)).
        unsafe { libc::kill(-pid, signal) };
    }

    /// SIGTERM to the group, SIGKILL after the grace period, then reaps the child.
    fn stop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            self.signal(libc::SIGKILL);
            return;
        }
        self.signal(libc::SIGTERM);
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                // Children it may have started go with it.
                self.signal(libc::SIGKILL);
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        self.signal(libc::SIGKILL);
        let _ = self.child.wait();
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if !matches!(self.child.try_wait(), Ok(Some(_))) {
            self.signal(libc::SIGKILL);
            let _ = self.child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn script(dir: &Path, body: &str) -> std::path::PathBuf {
        let path = dir.join("server");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(&[5.0, 1.0, 3.0]), 3.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
    }

    #[test]
    fn status_lines() {
        assert!(is_200_status_line(
            b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n"
        ));
        assert!(is_200_status_line(b"HTTP/1.0 200\r\n"));
        assert!(!is_200_status_line(b"HTTP/1.1 404 Not Found\r\n"));
        assert!(!is_200_status_line(b"HTTP/1.1 2000\r\n"));
        assert!(!is_200_status_line(b"garbage 200\r\n"));
        assert!(!is_200_status_line(b""));
    }

    #[test]
    fn a_binary_that_exits_is_reported_with_its_output() {
        let dir = tempfile::tempdir().unwrap();
        let bin = script(dir.path(), "echo \"listening on $PORT failed\" >&2; exit 3");
        let port = podium_subjects::free_port().unwrap();
        let err = first_response(&bin, port, 1).unwrap_err().to_string();
        assert!(err.contains("exited (exit status: 3)"), "{err}");
        assert!(
            err.contains(&format!("listening on {port} failed")),
            "{err}"
        );
    }

    #[test]
    fn a_missing_binary_or_a_busy_port_is_an_error() {
        let err = first_response(Path::new("/nonexistent/server"), 1, 1).unwrap_err();
        assert!(matches!(
            err,
            DeployError::Spawn { .. } | DeployError::PortBusy { .. }
        ));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let err = first_response(Path::new("/nonexistent/server"), port, 1).unwrap_err();
        assert!(matches!(err, DeployError::PortBusy { .. }), "{err}");
    }
}
