//! A small blocking HTTP client for the registries, GitHub and OSV: short connect
//! timeout (an unreachable service is detected in seconds), bounded bodies, and the
//! headers Podium needs (ETag, Link, rate limits) kept.

use crate::EcoError;
use std::time::Duration;

/// How long to wait for a connection before calling a host unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(4);
/// How long one whole request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest body read (a .crate archive or a page of pull requests fit).
const BODY_LIMIT: u64 = 64 * 1024 * 1024;

/// An answer: status, the headers Podium reads, and the body.
#[derive(Debug, Clone)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Headers as (lower-case name, value).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of a header (name in lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The start of the body as text, for error messages.
    pub fn body_excerpt(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        text.chars()
            .take(200)
            .collect::<String>()
            .trim()
            .to_string()
    }
}

/// The client. One per command; it keeps connections alive.
#[derive(Debug, Clone)]
pub struct Http {
    agent: ureq::Agent,
}

impl Default for Http {
    fn default() -> Self {
        Http::new()
    }
}

impl Http {
    /// A client with Podium's timeouts. Statuses are returned, not turned into errors.
    pub fn new() -> Http {
        let config = ureq::Agent::config_builder()
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(REQUEST_TIMEOUT))
            .http_status_as_error(false)
            .user_agent(concat!("podium/", env!("CARGO_PKG_VERSION")))
            // The system's certificate store (and SSL_CERT_FILE), so that a site's or a
            // proxy's own authority is trusted as it is by curl, go and cargo.
            .tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                    .build(),
            )
            .build();
        Http {
            agent: config.into(),
        }
    }

    /// GET `url` with extra headers.
    pub fn get(&self, url: &str, headers: &[(&str, String)]) -> Result<Response, EcoError> {
        let mut request = self.agent.get(url);
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        finish(url, request.call())
    }

    /// POST a JSON body to `url`.
    pub fn post_json(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: &serde_json::Value,
    ) -> Result<Response, EcoError> {
        let mut request = self
            .agent
            .post(url)
            .header("content-type", "application/json");
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        finish(url, request.send(body.to_string().as_bytes()))
    }
}

fn finish(
    url: &str,
    answer: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<Response, EcoError> {
    let transport = |e: ureq::Error| EcoError::Unreachable {
        url: url.to_string(),
        message: e.to_string(),
    };
    let mut response = answer.map_err(transport)?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = response
        .body_mut()
        .with_config()
        .limit(BODY_LIMIT)
        .read_to_vec()
        .map_err(|e| EcoError::Unreachable {
            url: url.to_string(),
            message: format!("the answer broke off: {e}"),
        })?;
    Ok(Response {
        status,
        headers,
        body,
    })
}
