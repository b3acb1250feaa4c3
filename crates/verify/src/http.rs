//! A small HTTP client wrapper that turns every answer (or failure) into evidence.

use std::time::Duration;

/// An HTTP answer, reduced to what checks look at.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Response headers.
    pub headers: reqwest::header::HeaderMap,
    /// The whole body.
    pub body: Vec<u8>,
}

impl Answer {
    /// A header's value as text ("" when absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The media type without parameters, lowercased.
    pub fn media_type(&self) -> String {
        self.header("content-type")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }

    /// The body as (lossy) text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// A one-line description for evidence: `201 application/json {"id":1,...}`.
    pub fn describe(&self) -> String {
        let mut body = self.text().trim_end().replace('\n', "\\n");
        if body.len() > 160 {
            let cut = (0..=160)
                .rev()
                .find(|i| body.is_char_boundary(*i))
                .unwrap_or(0);
            body.truncate(cut);
            body.push('…');
        }
        let ct = self.header("content-type");
        if body.is_empty() {
            format!(
                "{} {}(empty body)",
                self.status,
                if ct.is_empty() {
                    String::new()
                } else {
                    format!("{ct} ")
                }
            )
        } else {
            format!(
                "{} {} {}",
                self.status,
                if ct.is_empty() {
                    "(no content-type)"
                } else {
                    ct
                },
                body
            )
        }
    }
}

/// Sends requests to one base URL.
#[derive(Debug, Clone)]
pub struct Probe {
    base: String,
    client: reqwest::Client,
}

impl Probe {
    /// A probe for `base_url` (trailing `/` ignored). Proxies from the environment are
    /// ignored: the subject is always reached directly.
    pub fn new(base_url: &str) -> Self {
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(15))
            .http1_only()
            .build()
            .expect("a plain HTTP client always builds");
        Self {
            base: base_url.trim_end_matches('/').to_string(),
            client,
        }
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Sends a request; `Err` carries a readable reason (refused, timed out, ...).
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Result<Answer, String> {
        let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(body) = body {
            req = req.body(body);
        }
        let resp = req.send().await.map_err(describe_error)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(describe_error)?.to_vec();
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Result<Answer, String> {
        self.send("GET", path, &[], None).await
    }

    /// `GET path` with headers.
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Result<Answer, String> {
        self.send("GET", path, headers, None).await
    }

    /// `POST path` with a JSON body (sent as given, so it may be malformed on purpose).
    pub async fn post_json(&self, path: &str, body: impl Into<Vec<u8>>) -> Result<Answer, String> {
        self.send(
            "POST",
            path,
            &[("content-type", "application/json")],
            Some(body.into()),
        )
        .await
    }
}

fn describe_error(err: reqwest::Error) -> String {
    use std::error::Error as _;
    let mut msg = if err.is_timeout() {
        "timed out".to_string()
    } else if err.is_connect() {
        "could not connect".to_string()
    } else {
        "request failed".to_string()
    };
    let mut source = err.source();
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}
