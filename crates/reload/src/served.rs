//! The served process, found by the port it listens on (the dev-loop tool's child changes
//! pid at every reload), small HTTP GETs to it, and its figures at one moment.

use podium_probe::{MetricsText, ProcessTree};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// The pid of the process listening on 127.0.0.1:`port` (or any address), if any.
///
/// The listening socket's inode comes from `/proc/net/tcp` (and `tcp6`); the process is
/// the one with a file descriptor on `socket:[inode]`.
pub fn listener_pid(port: u16) -> Option<u32> {
    let inode = listening_inode(port)?;
    let target = format!("socket:[{inode}]");
    for pid in podium_subjects::proc_pids() {
        let Ok(pid) = u32::try_from(pid) else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if std::fs::read_link(fd.path()).is_ok_and(|l| l.as_os_str() == target.as_str()) {
                return Some(pid);
            }
        }
    }
    None
}

fn listening_inode(port: u16) -> Option<u64> {
    ["/proc/net/tcp", "/proc/net/tcp6"].iter().find_map(|file| {
        let text = std::fs::read_to_string(file).ok()?;
        parse_listening_inode(&text, port)
    })
}

/// The inode of the socket in LISTEN state (`0A`) on `port` in a `/proc/net/tcp` table.
fn parse_listening_inode(table: &str, port: u16) -> Option<u64> {
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let local = fields.get(1)?;
        let state = fields.get(3)?;
        let inode = fields.get(9)?;
        let (_, hex_port) = local.rsplit_once(':')?;
        let p = u16::from_str_radix(hex_port, 16).ok()?;
        (p == port && *state == "0A")
            .then(|| inode.parse().ok())
            .flatten()
            .filter(|i| *i != 0)
    })
}

/// A GET's status and body; `None` when nothing answered (refused, reset, timed out).
pub fn get(port: u16, path: &str, timeout: Duration) -> Option<(u16, String)> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, timeout).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    stream.set_write_timeout(Some(timeout)).ok()?;
    // Connection: close, so that no idle keep-alive connection (a goroutine or a task
    // in the server) is left behind to blur the growth figures.
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Option<(u16, String)> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let chunked = head.lines().any(|l| {
        l.to_ascii_lowercase().starts_with("transfer-encoding:")
            && l.to_ascii_lowercase().contains("chunked")
    });
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_string()
    };
    Some((status, body))
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// The served process's figures at one moment of the scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServedSample {
    /// What the scenario had just done (`start`, `edit 2`, ...).
    pub after: String,
    /// The served process's pid.
    pub pid: u32,
    /// `go_goroutines` from its `/metrics` (Go subjects).
    pub goroutines: Option<i64>,
    /// Threads of the served process and its descendants (podium-probe's /proc reading).
    pub threads: Option<u64>,
    /// Open file descriptors of the served process and its descendants.
    pub fds: Option<u64>,
}

/// Samples the process listening on `port`; `None` when nothing listens.
pub fn sample(port: u16, after: &str) -> Option<ServedSample> {
    let pid = listener_pid(port)?;
    let snapshot = ProcessTree::new(pid).snapshot(0).ok().flatten();
    let goroutines = get(port, "/metrics", Duration::from_secs(2))
        .filter(|(status, _)| *status == 200)
        .and_then(|(_, body)| MetricsText::parse(&body).ok())
        .and_then(|m| m.value("go_goroutines", &[]))
        .map(|v| v.round() as i64);
    Some(ServedSample {
        after: after.to_string(),
        pid,
        goroutines,
        threads: snapshot.map(|s| s.threads),
        fds: snapshot.map(|s| s.fds),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_listening_socket_in_a_tcp_table() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0 100 0 0 10 0\n\
   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 4343 1 0 100 0 0 10 0\n";
        assert_eq!(parse_listening_inode(table, 8080), Some(4242));
        assert_eq!(parse_listening_inode(table, 8081), None);
    }

    #[test]
    fn finds_a_real_listener_and_reads_a_response() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        assert_eq!(listener_pid(port), Some(std::process::id()));
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf).unwrap();
            s.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\npong\r\n2\r\n-7\r\n0\r\n\r\n")
                .unwrap();
        });
        assert_eq!(
            get(port, "/ping", Duration::from_secs(2)),
            Some((200, "pong-7".to_string()))
        );
        server.join().unwrap();
        let free = podium_subjects::free_port().unwrap();
        assert_eq!(get(free, "/ping", Duration::from_millis(200)), None);
        assert_eq!(listener_pid(free), None);
    }
}
