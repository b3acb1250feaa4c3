//! The target URL and the request bytes, rendered once before the run.

use crate::LoadError;

/// Where requests go, parsed from an `http://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// Host name or address, without brackets.
    pub host: String,
    /// TCP port (80 when the URL has none).
    pub port: u16,
    /// The `Host` header value, as written in the URL.
    pub authority: String,
    /// Path and query, at least `/`.
    pub path: String,
}

impl Target {
    /// Parses `http://host[:port][/path][?query]`; the fragment is dropped.
    pub fn parse(url: &str) -> Result<Self, LoadError> {
        let bad = |reason: &str| LoadError::InvalidUrl {
            url: url.to_string(),
            reason: reason.to_string(),
        };
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("it has no scheme; write it as http://HOST:PORT/PATH"))?;
        if scheme.eq_ignore_ascii_case("https") {
            return Err(bad(
                "https is not supported by the HTTP/1.1 load engine yet; use an http:// URL",
            ));
        }
        if !scheme.eq_ignore_ascii_case("http") {
            return Err(bad(
                "only http:// URLs are supported; write it as http://HOST:PORT/PATH",
            ));
        }
        let rest = rest.split('#').next().unwrap_or_default();
        let split = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(split);
        if authority.is_empty() {
            return Err(bad("it has no host; write it as http://HOST:PORT/PATH"));
        }
        if authority.contains('@') {
            return Err(bad("user information (user@host) is not supported"));
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (host, after) = v6
                .split_once(']')
                .ok_or_else(|| bad("an IPv6 address needs a closing ']'"))?;
            let port = match after {
                "" => None,
                p => Some(
                    p.strip_prefix(':')
                        .ok_or_else(|| bad("expected ':PORT' after the IPv6 address"))?,
                ),
            };
            (host, port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        if host.is_empty() {
            return Err(bad("it has no host; write it as http://HOST:PORT/PATH"));
        }
        if host.contains(':') && !authority.starts_with('[') {
            return Err(bad(
                "write an IPv6 address in brackets, like http://[::1]:8080/",
            ));
        }
        let port = match port {
            None => 80,
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| bad("the port must be a number from 1 to 65535"))?,
        };
        let path = if path.is_empty() {
            "/".to_string()
        } else if path.starts_with('?') {
            format!("/{path}")
        } else {
            path.to_string()
        };
        if path.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(bad(
                "the path contains spaces or control characters; percent-encode them",
            ));
        }
        Ok(Self {
            host: host.to_string(),
            port,
            authority: authority.to_string(),
            path,
        })
    }
}

/// Renders the request bytes sent on every exchange: request line, `Host`, the given
/// headers, `Content-Length` when there is a body (or the method usually has one).
pub(crate) fn render_request(
    target: &Target,
    method: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<Vec<u8>, LoadError> {
    let invalid = |what: String| LoadError::InvalidConfig(what);
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(invalid(format!(
            "method {method:?} must be letters only, like GET or POST"
        )));
    }
    let mut out = Vec::with_capacity(128 + body.len());
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(target.path.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    let mut has_host = false;
    let mut has_length = false;
    for (name, value) in headers {
        let name_ok = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b));
        if !name_ok {
            return Err(invalid(format!(
                "header name {name:?} is not a valid token"
            )));
        }
        if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
            return Err(invalid(format!(
                "header {name} has a line break or NUL in its value"
            )));
        }
        if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(invalid(
                "a Transfer-Encoding request header is not supported; the body is sent with Content-Length".to_string(),
            ));
        }
        has_host |= name.eq_ignore_ascii_case("host");
        has_length |= name.eq_ignore_ascii_case("content-length");
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.trim().as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if !has_host {
        out.extend_from_slice(b"Host: ");
        out.extend_from_slice(target.authority.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    let method_has_body = ["POST", "PUT", "PATCH"]
        .iter()
        .any(|m| method.eq_ignore_ascii_case(m));
    if !has_length && (!body.is_empty() || method_has_body) {
        out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> Target {
        Target::parse(url).unwrap()
    }

    #[test]
    fn parses_host_port_and_path() {
        let t = target("http://127.0.0.1:8080/ping?x=1#frag");
        assert_eq!(t.host, "127.0.0.1");
        assert_eq!(t.port, 8080);
        assert_eq!(t.authority, "127.0.0.1:8080");
        assert_eq!(t.path, "/ping?x=1");
    }

    #[test]
    fn defaults_port_and_path() {
        let t = target("HTTP://localhost");
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("localhost", 80, "/")
        );
        assert_eq!(target("http://h?q=1").path, "/?q=1");
    }

    #[test]
    fn parses_ipv6_literals() {
        let t = target("http://[::1]:9000/x");
        assert_eq!((t.host.as_str(), t.port), ("::1", 9000));
        assert_eq!(t.authority, "[::1]:9000");
        assert_eq!(target("http://[::1]/").port, 80);
    }

    #[test]
    fn rejects_what_it_cannot_load() {
        for url in [
            "127.0.0.1:8080/ping",
            "https://example.invalid/",
            "ftp://h/",
            "http:///ping",
            "http://h:0/",
            "http://h:99999/",
            "http://h:port/",
            "http://u@h/",
            "http://[::1/",
            "http://h/a b",
            "http://::1/",
        ] {
            let err = Target::parse(url).unwrap_err();
            assert!(matches!(err, LoadError::InvalidUrl { .. }), "{url}: {err}");
        }
        let err = Target::parse("https://h/").unwrap_err().to_string();
        assert!(err.contains("https is not supported"), "{err}");
    }

    #[test]
    fn renders_a_get_request() {
        let req = render_request(&target("http://127.0.0.1:8080/ping"), "GET", &[], b"").unwrap();
        assert_eq!(req, b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
    }

    #[test]
    fn renders_headers_and_a_body_with_its_length() {
        let headers = vec![("Content-Type".to_string(), "application/json".to_string())];
        let req = render_request(&target("http://h:1/users"), "POST", &headers, b"{}").unwrap();
        let text = String::from_utf8(req).unwrap();
        assert_eq!(
            text,
            "POST /users HTTP/1.1\r\nContent-Type: application/json\r\nHost: h:1\r\nContent-Length: 2\r\n\r\n{}"
        );
        let empty_post = render_request(&target("http://h:1/"), "POST", &[], b"").unwrap();
        assert!(
            String::from_utf8(empty_post)
                .unwrap()
                .contains("Content-Length: 0\r\n")
        );
    }

    #[test]
    fn rejects_header_injection_and_bad_methods() {
        let t = target("http://h/");
        let bad = vec![("X".to_string(), "a\r\nEvil: 1".to_string())];
        assert!(render_request(&t, "GET", &bad, b"").is_err());
        let bad = vec![("Bad Name".to_string(), "v".to_string())];
        assert!(render_request(&t, "GET", &bad, b"").is_err());
        assert!(render_request(&t, "GE T", &[], b"").is_err());
        assert!(render_request(&t, "", &[], b"").is_err());
    }
}
