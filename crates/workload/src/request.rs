//! Whole HTTP/1.1 requests built from templates.

use crate::faker::push_decimal;
use crate::template::{RenderContext, Template, TemplateError};

/// Headers Podium writes itself; a template may not set them.
pub const RESERVED_HEADERS: &[&str] = &["host", "content-length", "transfer-encoding"];

/// An HTTP/1.1 request whose path, header values and body are templates.
///
/// [`RequestTemplate::render`] writes the complete request — request line, `Host`, the
/// headers, `Content-Length` when there is a body, the blank line and the body — onto a
/// buffer. When nothing in it varies per request the bytes are rendered once, at
/// construction ([`RequestTemplate::static_bytes`]), and each render is one copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestTemplate {
    method: String,
    host: String,
    path: Template,
    headers: Vec<(String, Template)>,
    body: Option<Template>,
    prerendered: Option<Box<[u8]>>,
}

/// Why a request template cannot be built; each message says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// A part (path, a header value, the body) has a bad template.
    #[error("{part}: {source}")]
    Template {
        /// Which part: `path`, `header "Name"` or `body`.
        part: String,
        /// The template's problem.
        source: TemplateError,
    },
    /// The method is not an HTTP token.
    #[error("method {0:?} is not an HTTP method: use upper-case letters, e.g. GET or POST")]
    Method(String),
    /// The path does not start with `/`.
    #[error("path {0:?} must start with '/', e.g. \"/ping\"")]
    Path(String),
    /// The host is empty or contains white space.
    #[error("host {0:?} is not usable in a Host header: give host[:port], e.g. 127.0.0.1:8080")]
    Host(String),
    /// A header name is not an HTTP token.
    #[error("header name {0:?} is not valid: use letters, digits and '-' (e.g. \"X-Request-Id\")")]
    HeaderName(String),
    /// A header Podium writes itself.
    #[error("header {0:?} is written by Podium itself; remove it")]
    ReservedHeader(String),
    /// A header value with a line break or another control character.
    #[error("header {0:?} has a line break or control character in its value; remove it")]
    HeaderValue(String),
}

/// True for an HTTP `token` (RFC 9110): visible ASCII except separators.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

impl RequestTemplate {
    /// Builds a request from compiled templates, checking method, host, path and headers.
    pub fn new(
        method: &str,
        host: &str,
        path: Template,
        headers: Vec<(String, Template)>,
        body: Option<Template>,
    ) -> Result<RequestTemplate, RequestError> {
        if !is_token(method) || method.bytes().any(|b| b.is_ascii_lowercase()) {
            return Err(RequestError::Method(method.to_string()));
        }
        if host.is_empty()
            || host
                .bytes()
                .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        {
            return Err(RequestError::Host(host.to_string()));
        }
        let path_ok = path
            .literal_parts()
            .next()
            .is_some_and(|first| first.starts_with(b"/"))
            && path.source().starts_with('/')
            && path.literal_parts().all(|part| {
                !part
                    .iter()
                    .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
            });
        if !path_ok {
            return Err(RequestError::Path(path.source().to_string()));
        }
        for (name, value) in &headers {
            if !is_token(name) {
                return Err(RequestError::HeaderName(name.clone()));
            }
            if RESERVED_HEADERS
                .iter()
                .any(|reserved| name.eq_ignore_ascii_case(reserved))
            {
                return Err(RequestError::ReservedHeader(name.clone()));
            }
            if value
                .literal_parts()
                .any(|part| part.iter().any(|&b| b.is_ascii_control() && b != b'\t'))
            {
                return Err(RequestError::HeaderValue(name.clone()));
            }
        }
        let mut request = RequestTemplate {
            method: method.to_string(),
            host: host.to_string(),
            path,
            headers,
            body,
            prerendered: None,
        };
        let is_static = request.path.is_static()
            && request.headers.iter().all(|(_, v)| v.is_static())
            && request.body.as_ref().is_none_or(Template::is_static);
        if is_static {
            let mut bytes = Vec::new();
            request.render_fresh(&mut RenderContext::new(0), &mut bytes);
            request.prerendered = Some(bytes.into());
        }
        Ok(request)
    }

    /// Compiles the templates (with `{{env.NAME}}` from the environment) and builds the
    /// request; the form a command line (`--method`, `-H`, `--body`) maps to.
    pub fn compile(
        method: &str,
        host: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Result<RequestTemplate, RequestError> {
        let part = |part: String, text: &str| {
            Template::compile(text).map_err(|source| RequestError::Template { part, source })
        };
        let path = part("path".to_string(), path)?;
        let headers = headers
            .iter()
            .map(|(name, value)| Ok((name.to_string(), part(format!("header {name:?}"), value)?)))
            .collect::<Result<Vec<_>, RequestError>>()?;
        let body = body.map(|b| part("body".to_string(), b)).transpose()?;
        Self::new(method, host, path, headers, body)
    }

    /// The request method, e.g. `GET`.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The `Host` header value.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The path (and query) template.
    pub fn path(&self) -> &Template {
        &self.path
    }

    /// The header templates, in the order they are sent.
    pub fn headers(&self) -> &[(String, Template)] {
        &self.headers
    }

    /// The body template, if the request has a body.
    pub fn body(&self) -> Option<&Template> {
        self.body.as_ref()
    }

    /// True when every render produces the same bytes.
    pub fn is_static(&self) -> bool {
        self.prerendered.is_some()
    }

    /// The complete request bytes when the request is static; pre-rendered once.
    pub fn static_bytes(&self) -> Option<&[u8]> {
        self.prerendered.as_deref()
    }

    /// Appends one complete request onto `out`, as the next request of `ctx`.
    pub fn render(&self, ctx: &mut RenderContext, out: &mut Vec<u8>) {
        match &self.prerendered {
            Some(bytes) => out.extend_from_slice(bytes),
            None => self.render_fresh(ctx, out),
        }
    }

    fn render_fresh(&self, ctx: &mut RenderContext, out: &mut Vec<u8>) {
        ctx.begin_request();
        out.extend_from_slice(self.method.as_bytes());
        out.push(b' ');
        self.path.render_current(ctx, out);
        out.extend_from_slice(b" HTTP/1.1\r\nHost: ");
        out.extend_from_slice(self.host.as_bytes());
        out.extend_from_slice(b"\r\n");
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            value.render_current(ctx, out);
            out.extend_from_slice(b"\r\n");
        }
        if let Some(body) = &self.body {
            let mut scratch = std::mem::take(&mut ctx.scratch);
            scratch.clear();
            body.render_current(ctx, &mut scratch);
            out.extend_from_slice(b"Content-Length: ");
            push_decimal(out, scratch.len() as u64);
            out.extend_from_slice(b"\r\n\r\n");
            out.extend_from_slice(&scratch);
            ctx.scratch = scratch;
        } else {
            out.extend_from_slice(b"\r\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(request: &RequestTemplate, ctx: &mut RenderContext) -> Vec<u8> {
        let mut out = Vec::new();
        request.render(ctx, &mut out);
        out
    }

    /// Parses a rendered request with httparse-like rules: head, then exactly
    /// Content-Length body bytes.
    fn split(bytes: &[u8]) -> (String, Vec<u8>) {
        let end = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("head ends with a blank line");
        (
            String::from_utf8(bytes[..end + 4].to_vec()).unwrap(),
            bytes[end + 4..].to_vec(),
        )
    }

    #[test]
    fn static_get_is_prerendered_once() {
        let request =
            RequestTemplate::compile("GET", "127.0.0.1:8080", "/ping", &[], None).unwrap();
        assert!(request.is_static());
        let expected = b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";
        assert_eq!(request.static_bytes(), Some(&expected[..]));
        let mut ctx = RenderContext::new(0);
        assert_eq!(render(&request, &mut ctx), expected);
        assert_eq!(render(&request, &mut ctx), expected);
    }

    #[test]
    fn content_length_counts_bytes_of_multibyte_utf8() {
        let body = r#"{"name":"Zoë Łukasiewicz 名前 🦀","email":"z@example.com"}"#;
        let request = RequestTemplate::compile(
            "POST",
            "localhost:1",
            "/users",
            &[("Content-Type", "application/json")],
            Some(body),
        )
        .unwrap();
        assert!(request.is_static());
        let out = render(&request, &mut RenderContext::new(0));
        let (head, sent_body) = split(&out);
        assert!(body.len() > body.chars().count());
        assert!(
            head.contains(&format!("\r\nContent-Length: {}\r\n", body.len())),
            "{head}"
        );
        assert_eq!(sent_body, body.as_bytes());
        assert!(head.starts_with(
            "POST /users HTTP/1.1\r\nHost: localhost:1\r\nContent-Type: application/json\r\n"
        ));
    }

    #[test]
    fn dynamic_request_renders_each_part_per_request() {
        let request = RequestTemplate::compile(
            "POST",
            "h",
            "/users/{{seq}}",
            &[("Authorization", "Bearer {{token}}"), ("X-Seq", "{{seq}}")],
            Some(r#"{"name":"{{faker.name}} ✓","n":{{seq}}}"#),
        )
        .unwrap();
        assert!(!request.is_static() && request.static_bytes().is_none());
        let mut ctx = RenderContext::new(3).with_secret("k");
        let mut out = Vec::new();
        for n in 1..=3u64 {
            out.clear();
            request.render(&mut ctx, &mut out);
            let (head, body) = split(&out);
            assert!(
                head.starts_with(&format!("POST /users/{n} HTTP/1.1\r\nHost: h\r\n")),
                "{head}"
            );
            assert!(head.contains(&format!("\r\nX-Seq: {n}\r\n")), "{head}");
            assert!(head.contains("\r\nAuthorization: Bearer ey"), "{head}");
            let length: usize = head
                .split("\r\n")
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .unwrap()
                .parse()
                .unwrap();
            assert_eq!(length, body.len());
            let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(json["n"], n);
        }
    }

    #[test]
    fn rejects_what_cannot_be_sent() {
        type Check = fn(&RequestError) -> bool;
        type Headers<'a> = &'a [(&'a str, &'a str)];
        let cases: [(&str, &str, &str, Headers, Check); 8] = [
            ("get", "h", "/", &[], |e| {
                matches!(e, RequestError::Method(_))
            }),
            ("G T", "h", "/", &[], |e| {
                matches!(e, RequestError::Method(_))
            }),
            ("GET", "", "/", &[], |e| matches!(e, RequestError::Host(_))),
            ("GET", "h", "ping", &[], |e| {
                matches!(e, RequestError::Path(_))
            }),
            ("GET", "h", "/a b", &[], |e| {
                matches!(e, RequestError::Path(_))
            }),
            ("GET", "h", "/", &[("Bad Name", "x")], |e| {
                matches!(e, RequestError::HeaderName(_))
            }),
            ("GET", "h", "/", &[("content-length", "3")], |e| {
                matches!(e, RequestError::ReservedHeader(_))
            }),
            ("GET", "h", "/", &[("X-A", "a\r\nX-B: b")], |e| {
                matches!(e, RequestError::HeaderValue(_))
            }),
        ];
        for (method, host, path, headers, expected) in cases {
            let err = RequestTemplate::compile(method, host, path, headers, None).unwrap_err();
            assert!(expected(&err), "{method} {host} {path}: {err:?}");
        }
        let err = RequestTemplate::compile("GET", "h", "/", &[], Some("{{nope}}")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("body: column 1: unknown placeholder"),
            "{err}"
        );
    }
}
