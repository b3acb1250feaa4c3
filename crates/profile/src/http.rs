//! A one-request HTTP/1.1 GET client over a blocking `TcpStream`.
//!
//! Why not reqwest: this crate makes one plain-HTTP request per profile to a loopback
//! (or LAN) server, and a blocking socket with a deadline is all that needs. A tokio
//! runtime plus reqwest's client stack would be a large dependency for one GET, and the
//! client must never go through a system proxy, which a bare socket cannot do anyway.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// A response cut to what the caller needs.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

/// A CPU profile is a few hundred KiB; anything this large is not one.
const MAX_RESPONSE_BYTES: usize = 256 * 1024 * 1024;

/// GETs `url` (`http://host[:port]/path?query`) and returns status and body, or why not.
/// The whole exchange, connect included, must finish within `timeout`.
pub(crate) fn get(url: &str, timeout: Duration) -> Result<Response, String> {
    let deadline = Instant::now() + timeout;
    let (authority, path) = split_url(url)?;
    let stream = connect(authority, deadline)?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: podium-profile\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    );
    let mut stream = stream;
    stream
        .set_write_timeout(Some(remaining(deadline)?))
        .map_err(|e| format!("cannot set a write timeout: {e}"))?;
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("sending the request failed: {e}"))?;
    read_response(&mut stream, deadline, timeout)
}

fn split_url(url: &str) -> Result<(&str, &str), String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| {
        "only plain http:// URLs are supported (the pprof endpoint of a local server)".to_string()
    })?;
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) if rest[i..].starts_with('/') => (&rest[..i], &rest[i..]),
        Some(_) => return Err("a query must follow a path".into()),
        None => (rest, "/"),
    };
    if authority.is_empty() || authority.contains('@') {
        return Err("the URL needs a host (user info is not supported)".into());
    }
    Ok((authority, path))
}

fn connect(authority: &str, deadline: Instant) -> Result<TcpStream, String> {
    // `host` alone has no port: HTTP's default is 80. An IPv6 literal keeps its brackets.
    let with_port = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| !p.contains(']'))
    {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let addrs: Vec<SocketAddr> = with_port
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {authority}: {e}"))?
        .collect();
    let mut last_error = format!("{authority} resolved to no address");
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, remaining(deadline)?) {
            Ok(stream) => return Ok(stream),
            Err(e) => last_error = format!("cannot connect to {addr}: {e}"),
        }
    }
    Err(last_error)
}

fn remaining(deadline: Instant) -> Result<Duration, String> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
        .ok_or_else(|| "timed out".to_string())
}

/// How the body's end is known.
enum Framing {
    Length(usize),
    Chunked,
    UntilClose,
}

fn read_response(
    stream: &mut TcpStream,
    deadline: Instant,
    timeout: Duration,
) -> Result<Response, String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 64 * 1024];
    let mut head: Option<(u16, usize, Framing)> = None;
    loop {
        if let Some((status, head_len, framing)) = &head {
            let body = &buf[*head_len..];
            let complete = match framing {
                Framing::Length(n) if body.len() >= *n => Some(body[..*n].to_vec()),
                Framing::Chunked => dechunk(body)?,
                _ => None,
            };
            if let Some(body) = complete {
                return Ok(Response {
                    status: *status,
                    body,
                });
            }
        }
        let wait = remaining(deadline)
            .map_err(|_| format!("no complete answer within {:.1} s", timeout.as_secs_f64()))?;
        stream
            .set_read_timeout(Some(wait))
            .map_err(|e| format!("cannot set a read timeout: {e}"))?;
        let n = match stream.read(&mut chunk) {
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(format!(
                    "no complete answer within {:.1} s",
                    timeout.as_secs_f64()
                ));
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("reading the answer failed: {e}")),
        };
        if n == 0 {
            return match head {
                Some((status, head_len, Framing::UntilClose)) => Ok(Response {
                    status,
                    body: buf[head_len..].to_vec(),
                }),
                Some(_) => {
                    Err("the server closed the connection before the body was complete".into())
                }
                None if buf.is_empty() => {
                    Err("the server closed the connection without answering".into())
                }
                None => Err("the server closed the connection in the middle of the headers".into()),
            };
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > MAX_RESPONSE_BYTES {
            return Err(format!(
                "the answer exceeds {} MiB",
                MAX_RESPONSE_BYTES / (1024 * 1024)
            ));
        }
        if head.is_none() {
            head = parse_head(&buf)?;
        }
    }
}

fn parse_head(buf: &[u8]) -> Result<Option<(u16, usize, Framing)>, String> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    let head_len = match response.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(format!("the answer is not HTTP/1.x ({e})")),
    };
    let status = response.code.unwrap_or(0);
    let header = |name: &str| {
        response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_ascii_lowercase())
    };
    let framing = if header("transfer-encoding").is_some_and(|v| v.ends_with("chunked")) {
        Framing::Chunked
    } else if let Some(length) = header("content-length") {
        Framing::Length(
            length
                .parse()
                .map_err(|_| format!("bad Content-Length {length:?}"))?,
        )
    } else {
        Framing::UntilClose
    };
    Ok(Some((status, head_len, framing)))
}

/// Decodes a chunked body: `Ok(None)` while more bytes are needed.
fn dechunk(mut data: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let mut body = Vec::new();
    loop {
        let Some(line_end) = data.windows(2).position(|w| w == b"\r\n") else {
            return Ok(None);
        };
        let size_line = String::from_utf8_lossy(&data[..line_end]);
        let size_text = size_line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("bad chunk size line {size_line:?}"))?;
        data = &data[line_end + 2..];
        if size == 0 {
            // Trailers may follow; the body itself is complete.
            return Ok(Some(body));
        }
        if data.len() < size.saturating_add(2) {
            return Ok(None);
        }
        body.extend_from_slice(&data[..size]);
        if &data[size..size + 2] != b"\r\n" {
            return Err("a chunk is not followed by CRLF".into());
        }
        data = &data[size + 2..];
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn urls_split_into_authority_and_path() {
        assert_eq!(
            split_url("http://127.0.0.1:8080/debug/pprof/profile?seconds=3").unwrap(),
            ("127.0.0.1:8080", "/debug/pprof/profile?seconds=3")
        );
        assert_eq!(split_url("http://localhost").unwrap(), ("localhost", "/"));
        assert!(split_url("https://example.com/").is_err());
        assert!(split_url("http:///x").is_err());
    }

    #[test]
    fn chunked_bodies_decode_only_when_complete() {
        let full = b"4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\n\r\n";
        assert_eq!(dechunk(full).unwrap().unwrap(), b"Wikipedia");
        assert_eq!(dechunk(&full[..10]).unwrap(), None);
        assert!(dechunk(b"zz\r\n").is_err());
        assert!(dechunk(b"2\r\nabXY").is_err());
    }

    /// Serves one canned answer on a loopback port and returns the URL.
    fn serve_once(answer: &'static [u8], close: bool) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut socket, _) = listener.accept().unwrap();
            let mut request = [0u8; 1024];
            let _ = socket.read(&mut request).unwrap();
            socket.write_all(answer).unwrap();
            if !close {
                // Keep the connection open: the client must stop at the framing.
                std::thread::sleep(Duration::from_secs(5));
            }
        });
        format!("http://{addr}/x")
    }

    #[test]
    fn content_length_chunked_and_close_delimited_bodies_are_read() {
        let url = serve_once(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", false);
        let r = get(&url, Duration::from_secs(4)).unwrap();
        assert_eq!((r.status, r.body.as_slice()), (200, &b"abc"[..]));

        let url = serve_once(
            b"HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nbad\r\n0\r\n\r\n",
            false,
        );
        let r = get(&url, Duration::from_secs(4)).unwrap();
        assert_eq!((r.status, r.body.as_slice()), (500, &b"bad"[..]));

        let url = serve_once(b"HTTP/1.0 200 OK\r\n\r\nuntil close", true);
        let r = get(&url, Duration::from_secs(4)).unwrap();
        assert_eq!(r.body, b"until close");
    }

    #[test]
    fn a_silent_server_times_out() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let err = get(&url, Duration::from_millis(300)).unwrap_err();
        assert!(err.contains("no complete answer"), "{err}");
        drop(listener);
    }

    #[test]
    fn a_refused_connection_says_so() {
        let port = {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let err = get(&format!("http://127.0.0.1:{port}/"), Duration::from_secs(2)).unwrap_err();
        assert!(err.contains("cannot connect"), "{err}");
    }
}
