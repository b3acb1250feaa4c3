//! A local HTTP server replaying recorded API answers, for the GitHub and OSV clients'
//! tests (and the `podium eco` end-to-end test): each route answers a method and exact
//! path (with query), optionally only when `If-None-Match` carries a given ETag, a
//! limited number of times; every request is recorded for assertions.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// One recorded answer.
#[derive(Debug, Clone)]
pub struct Route {
    pub method: &'static str,
    pub path: String,
    pub if_none_match: Option<String>,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub times: usize,
}

impl Route {
    pub fn get(path: impl Into<String>, status: u16, body: impl Into<Vec<u8>>) -> Route {
        Route {
            method: "GET",
            path: path.into(),
            if_none_match: None,
            status,
            headers: Vec::new(),
            body: body.into(),
            times: usize::MAX,
        }
    }

    pub fn post(path: impl Into<String>, status: u16, body: impl Into<Vec<u8>>) -> Route {
        Route {
            method: "POST",
            ..Route::get(path, status, body)
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Route {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn when_etag(mut self, etag: &str) -> Route {
        self.if_none_match = Some(etag.to_string());
        self
    }

    pub fn times(mut self, n: usize) -> Route {
        self.times = n;
        self
    }
}

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The running server.
pub struct Replay {
    pub base: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Replay {
    /// Starts a server on a free loopback port; `routes` gets its base address.
    pub fn start(routes: impl FnOnce(&str) -> Vec<Route>) -> Replay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let routes = Arc::new(Mutex::new(routes(&base)));
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some(request) = read_request(&mut stream) else {
                    continue;
                };
                let answer = {
                    let mut routes = routes.lock().expect("routes");
                    let found = routes.iter_mut().find(|r| {
                        r.times > 0
                            && r.method == request.method
                            && r.path == request.path
                            && r.if_none_match
                                .as_deref()
                                .is_none_or(|e| request.header("if-none-match") == Some(e))
                    });
                    match found {
                        Some(route) => {
                            route.times -= 1;
                            Some(route.clone())
                        }
                        None => None,
                    }
                };
                log.lock().expect("log").push(request);
                let route = answer.unwrap_or_else(|| Route::get("", 404, "no recorded answer"));
                let mut head = format!(
                    "HTTP/1.1 {} X\r\ncontent-length: {}\r\nconnection: close\r\n",
                    route.status,
                    route.body.len()
                );
                for (n, v) in &route.headers {
                    head.push_str(&format!("{n}: {v}\r\n"));
                }
                head.push_str("\r\n");
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&route.body);
            }
        });
        Replay { base, received }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("log").clone()
    }
}

fn read_request(stream: &mut std::net::TcpStream) -> Option<Received> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((n, v)) = h.split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Received {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}
