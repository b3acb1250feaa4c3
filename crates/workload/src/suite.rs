//! Suite files (`suites/*.toml`): named lists of workloads with their load models.

use crate::duration::parse_duration;
use crate::rate::RateSchedule;
use crate::request::{RequestError, RequestTemplate};
use crate::template::{RenderContext, Template};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;

/// `max_connections` of an open-loop workload when neither it nor `[defaults]` sets one.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 1024;

/// Largest WebSocket message the contract requires subjects to echo (1 MiB).
pub const MAX_WS_MESSAGE: usize = 1 << 20;

/// A parsed and validated suite file.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The suite's name.
    pub name: String,
    /// What the suite measures, for reports.
    pub description: String,
    /// The file it was read from (as given to [`Suite::load`] / [`Suite::parse`]).
    pub path: PathBuf,
    /// The workloads, in file order.
    pub workloads: Vec<Workload>,
}

/// One `[[workload]]`, with `[defaults]` applied and templates compiled.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Unique name within the suite.
    pub name: String,
    /// Line of the workload in its file (its first key), for messages.
    pub line: usize,
    /// What is spoken, with the protocol's own settings.
    pub protocol: Protocol,
    /// HTTP method (`GET` for WebSocket hand-shakes, `POST` by default for JSON-RPC).
    pub method: String,
    /// Request path template (`/rpc` and `/ws` by default for JSON-RPC and WebSocket).
    pub path: Template,
    /// Header templates: `[defaults].headers` overridden by the workload's `headers`, plus
    /// `Content-Type: application/json` when there is a body and no `Content-Type`.
    pub headers: Vec<(String, Template)>,
    /// The HTTP body: the `body` template, or for JSON-RPC the generated request
    /// (or batch); `None` for WebSocket (see [`WebSocket::message`]).
    pub body: Option<Template>,
    /// Closed or open loop.
    pub load: LoadModel,
    /// Warm-up before measuring (excluded from figures); zero when not set.
    pub warmup: Duration,
    /// How many times the measured run is repeated (≥ 1).
    pub repetitions: u32,
    /// Expected HTTP status; `None` leaves the check to the engine's default.
    pub expect_status: Option<u16>,
    /// Expected response body (WebSocket: the echoed message), exactly.
    pub expect_body: Option<String>,
}

/// The protocol of a workload and its protocol-specific settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Protocol {
    /// Plain HTTP/1.1 requests.
    Http,
    /// JSON-RPC 2.0 over HTTP POST; a JSON-RPC error object counts as an error.
    JsonRpc(JsonRpc),
    /// WebSocket: each connection sends a message and awaits its echo.
    WebSocket(WebSocket),
}

impl Protocol {
    /// `http`, `jsonrpc` or `ws`, as written in suite files.
    pub fn name(&self) -> &'static str {
        match self {
            Protocol::Http => "http",
            Protocol::JsonRpc(_) => "jsonrpc",
            Protocol::WebSocket(_) => "ws",
        }
    }
}

/// JSON-RPC settings; the request body itself is in [`Workload::body`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonRpc {
    /// The `method` member, e.g. `add`.
    pub method: String,
    /// The `params` member as JSON text (may contain placeholders), if any.
    pub params: Option<String>,
    /// `Some(n)`: a batch of `n` requests with ids `1..=n`; `None`: one request, id 1.
    pub batch: Option<u32>,
}

impl JsonRpc {
    /// How many responses a reply must carry: the batch size, or 1.
    pub fn expected_responses(&self) -> u32 {
        self.batch.unwrap_or(1)
    }
}

/// WebSocket settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSocket {
    /// The text message each round trip sends: the `message` template, or `size` bytes
    /// of filler.
    pub message: Template,
}

/// How load is applied.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadModel {
    /// `[workload.closed]`: a fixed set of connections, one request at a time each.
    Closed(ClosedLoop),
    /// `[workload.open]`: requests sent on a schedule, whatever the server's pace.
    Open(OpenLoop),
}

impl LoadModel {
    /// The measured duration of one repetition.
    pub fn duration(&self) -> Duration {
        match self {
            LoadModel::Closed(closed) => closed.duration,
            LoadModel::Open(open) => open.duration,
        }
    }
}

/// Closed-loop settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedLoop {
    /// Concurrent connections (≥ 1).
    pub connections: u32,
    /// Generator threads (1..=connections); `None`: the engine chooses.
    pub threads: Option<u32>,
    /// Measured duration (> 0).
    pub duration: Duration,
}

/// Open-loop settings.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenLoop {
    /// The schedule: `rate = R` or `ramp = "START:+STEP/s:CEILING"`.
    pub rate: RateSchedule,
    /// Measured duration (> 0).
    pub duration: Duration,
    /// Most connections the engine may open to keep the schedule (≥ 1).
    pub max_connections: u32,
    /// Generator threads; `None`: the engine chooses.
    pub threads: Option<u32>,
}

/// Why a suite file cannot be used. Messages start with `file:line:column`.
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The suite path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Malformed TOML, an unknown field, or a field of the wrong type.
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        /// The suite path.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's explanation.
        message: String,
    },
    /// A field parsed but its value is not acceptable.
    #[error("{path}:{line}:{column}: {}field \"{field}\" {problem}", workload_prefix(.workload))]
    Invalid {
        /// The suite path.
        path: PathBuf,
        /// 1-based line of the value (or of the workload, for a missing field).
        line: usize,
        /// 1-based column.
        column: usize,
        /// The workload's name, when the field belongs to one.
        workload: Option<String>,
        /// The dotted field name, e.g. `closed.connections`.
        field: String,
        /// What is wrong and what to write instead.
        problem: String,
    },
}

fn workload_prefix(workload: &Option<String>) -> String {
    workload
        .as_ref()
        .map(|name| format!("workload {name:?}: "))
        .unwrap_or_default()
}

// ---- raw file shape -------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuite {
    name: Spanned<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    defaults: RawDefaults,
    #[serde(default)]
    workload: Vec<Spanned<RawWorkload>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    warmup: Option<Spanned<String>>,
    repetitions: Option<Spanned<i64>>,
    duration: Option<Spanned<String>>,
    threads: Option<Spanned<i64>>,
    max_connections: Option<Spanned<i64>>,
    #[serde(default)]
    headers: BTreeMap<String, Spanned<String>>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum RawProtocol {
    Http,
    Jsonrpc,
    Ws,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkload {
    name: Spanned<String>,
    protocol: Option<Spanned<RawProtocol>>,
    method: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    #[serde(default)]
    headers: BTreeMap<String, Spanned<String>>,
    body: Option<Spanned<String>>,
    rpc_method: Option<Spanned<String>>,
    params: Option<Spanned<toml::Value>>,
    batch: Option<Spanned<i64>>,
    message: Option<Spanned<String>>,
    size: Option<Spanned<i64>>,
    closed: Option<Spanned<RawClosed>>,
    open: Option<Spanned<RawOpen>>,
    warmup: Option<Spanned<String>>,
    repetitions: Option<Spanned<i64>>,
    expect_status: Option<Spanned<i64>>,
    expect_body: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClosed {
    connections: Spanned<i64>,
    threads: Option<Spanned<i64>>,
    duration: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOpen {
    rate: Option<Spanned<f64>>,
    ramp: Option<Spanned<String>>,
    duration: Option<Spanned<String>>,
    max_connections: Option<Spanned<i64>>,
    threads: Option<Spanned<i64>>,
}

// ---- loading and validation ---------------------------------------------------------

/// Where errors point: the file, its text, and the workload being checked.
struct Checker<'a> {
    path: &'a Path,
    text: &'a str,
    workload: Option<String>,
}

impl Checker<'_> {
    fn invalid(&self, span: Range<usize>, field: &str, problem: impl Into<String>) -> SuiteError {
        let (line, column) = line_column(self.text, span.start);
        SuiteError::Invalid {
            path: self.path.to_path_buf(),
            line,
            column,
            workload: self.workload.clone(),
            field: field.to_string(),
            problem: problem.into(),
        }
    }

    fn count(&self, value: &Spanned<i64>, field: &str, min: i64) -> Result<u32, SuiteError> {
        let v = *value.get_ref();
        if v < min {
            return Err(self.invalid(value.span(), field, format!("must be ≥ {min} (it is {v})")));
        }
        u32::try_from(v)
            .map_err(|_| self.invalid(value.span(), field, format!("is too large ({v})")))
    }

    fn duration(&self, value: &Spanned<String>, field: &str) -> Result<Duration, SuiteError> {
        parse_duration(value.get_ref()).map_err(|err| {
            self.invalid(
                value.span(),
                field,
                format!(
                    "is {:?}, not a duration ({}); write e.g. \"30s\", \"500ms\" or \"2m\"",
                    err.input, err.problem
                ),
            )
        })
    }

    fn template(&self, value: &Spanned<String>, field: &str) -> Result<Template, SuiteError> {
        Template::compile(value.get_ref())
            .map_err(|err| self.invalid(value.span(), field, format!("has a bad template: {err}")))
    }
}

impl Suite {
    /// Reads and validates the suite at `path`.
    pub fn load(path: &Path) -> Result<Suite, SuiteError> {
        let text = std::fs::read_to_string(path).map_err(|source| SuiteError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// The `*.toml` files in `dir`, sorted by name.
    pub fn files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|ext| ext == "toml") && path.is_file() {
                files.push(path);
            }
        }
        files.sort();
        Ok(files)
    }

    /// The workload called `name`.
    pub fn workload(&self, name: &str) -> Option<&Workload> {
        self.workloads.iter().find(|w| w.name == name)
    }

    /// Parses and validates suite text; `path` is used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Suite, SuiteError> {
        let raw: RawSuite = toml::from_str(text).map_err(|err| {
            let (line, column) = err
                .span()
                .map(|span| line_column(text, span.start))
                .unwrap_or((1, 1));
            SuiteError::Syntax {
                path: path.to_path_buf(),
                line,
                column,
                message: err.message().trim().to_string(),
            }
        })?;
        let mut checker = Checker {
            path,
            text,
            workload: None,
        };
        if raw.name.get_ref().trim().is_empty() {
            return Err(checker.invalid(raw.name.span(), "name", "is empty: name the suite"));
        }
        if raw.workload.is_empty() {
            return Err(checker.invalid(
                0..0,
                "workload",
                "has no entries: add at least one [[workload]] table",
            ));
        }
        let defaults = &raw.defaults;
        if let Some(d) = &defaults.warmup {
            checker.duration(d, "defaults.warmup")?;
        }
        if let Some(d) = &defaults.duration {
            checker.duration(d, "defaults.duration")?;
        }
        if let Some(r) = &defaults.repetitions {
            checker.count(r, "defaults.repetitions", 1)?;
        }
        if let Some(t) = &defaults.threads {
            checker.count(t, "defaults.threads", 1)?;
        }
        if let Some(m) = &defaults.max_connections {
            checker.count(m, "defaults.max_connections", 1)?;
        }
        let mut names = HashSet::new();
        let mut workloads = Vec::with_capacity(raw.workload.len());
        for raw_workload in &raw.workload {
            let name = raw_workload.get_ref().name.get_ref().clone();
            checker.workload = None;
            let name_span = raw_workload.get_ref().name.span();
            if name.trim().is_empty() || name.trim() != name {
                return Err(checker.invalid(
                    name_span,
                    "workload.name",
                    format!("is {name:?}: give a non-empty name without surrounding spaces"),
                ));
            }
            if !names.insert(name.clone()) {
                return Err(checker.invalid(
                    name_span,
                    "workload.name",
                    format!(
                        "is {name:?}, which an earlier workload already uses: names must be unique"
                    ),
                ));
            }
            checker.workload = Some(name);
            workloads.push(checker.workload_from(raw_workload, defaults)?);
        }
        Ok(Suite {
            name: raw.name.into_inner(),
            description: raw.description,
            path: path.to_path_buf(),
            workloads,
        })
    }
}

impl Checker<'_> {
    fn workload_from(
        &self,
        spanned: &Spanned<RawWorkload>,
        defaults: &RawDefaults,
    ) -> Result<Workload, SuiteError> {
        let raw = spanned.get_ref();
        let whole = spanned.span();
        let protocol = raw
            .protocol
            .as_ref()
            .map_or(RawProtocol::Http, |p| *p.get_ref());
        let protocol_name = match protocol {
            RawProtocol::Http => "http",
            RawProtocol::Jsonrpc => "jsonrpc",
            RawProtocol::Ws => "ws",
        };
        // Fields that belong to another protocol are mistakes, not silently ignored.
        let foreign = [
            (
                "body",
                raw.body.as_ref().map(Spanned::span),
                RawProtocol::Http,
            ),
            (
                "rpc_method",
                raw.rpc_method.as_ref().map(Spanned::span),
                RawProtocol::Jsonrpc,
            ),
            (
                "params",
                raw.params.as_ref().map(Spanned::span),
                RawProtocol::Jsonrpc,
            ),
            (
                "batch",
                raw.batch.as_ref().map(Spanned::span),
                RawProtocol::Jsonrpc,
            ),
            (
                "message",
                raw.message.as_ref().map(Spanned::span),
                RawProtocol::Ws,
            ),
            (
                "size",
                raw.size.as_ref().map(Spanned::span),
                RawProtocol::Ws,
            ),
        ];
        for (field, span, owner) in foreign {
            if let Some(span) = span
                && owner != protocol
            {
                let hint = match field {
                    "body" if protocol == RawProtocol::Jsonrpc => {
                        ": JSON-RPC bodies are built from rpc_method, params and batch"
                    }
                    "body" => ": WebSocket workloads send `message` (or `size` bytes)",
                    _ => "",
                };
                return Err(self.invalid(
                    span,
                    field,
                    format!("is not used by protocol \"{protocol_name}\"; remove it{hint}"),
                ));
            }
        }

        let (default_method, default_path) = match protocol {
            RawProtocol::Http => ("GET", None),
            RawProtocol::Jsonrpc => ("POST", Some("/rpc")),
            RawProtocol::Ws => ("GET", Some("/ws")),
        };
        let method = raw
            .method
            .as_ref()
            .map_or(default_method.to_string(), |m| m.get_ref().clone());
        if protocol == RawProtocol::Ws && method != "GET" {
            let span = raw.method.as_ref().map_or(whole.clone(), Spanned::span);
            return Err(self.invalid(
                span,
                "method",
                "must be GET for a WebSocket hand-shake; remove it",
            ));
        }
        let path = match (&raw.path, default_path) {
            (Some(path), _) => self.template(path, "path")?,
            (None, Some(default)) => Template::literal(default),
            (None, None) => {
                return Err(self.invalid(
                    whole,
                    "path",
                    "is missing: give the request path, e.g. path = \"/ping\"",
                ));
            }
        };

        let mut header_spans: Vec<(String, Range<usize>)> = Vec::new();
        let mut headers: Vec<(String, Template)> = Vec::new();
        for (name, value) in defaults.headers.iter().chain(&raw.headers) {
            let field = format!("headers.{name}");
            let template = self.template(value, &field)?;
            match headers
                .iter()
                .position(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                Some(i) => {
                    headers[i] = (name.clone(), template);
                    header_spans[i] = (name.clone(), value.span());
                }
                None => {
                    headers.push((name.clone(), template));
                    header_spans.push((name.clone(), value.span()));
                }
            }
        }

        let mut jsonrpc = None;
        let body = match protocol {
            RawProtocol::Http => raw
                .body
                .as_ref()
                .map(|b| self.template(b, "body"))
                .transpose()?,
            RawProtocol::Jsonrpc => {
                let (spec, body) = self.jsonrpc(raw, whole.clone())?;
                jsonrpc = Some(spec);
                Some(body)
            }
            RawProtocol::Ws => None,
        };
        if body.is_some()
            && !headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        {
            headers.push((
                "Content-Type".to_string(),
                Template::literal("application/json"),
            ));
            header_spans.push(("Content-Type".to_string(), whole.clone()));
        }

        // The request must be sendable; map its complaint to the field.
        if let Err(err) = RequestTemplate::new(
            &method,
            "localhost",
            path.clone(),
            headers.clone(),
            body.clone(),
        ) {
            let header_span = |name: &str| {
                header_spans
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or(whole.clone(), |(_, s)| s.clone())
            };
            let (field, span) = match &err {
                RequestError::Method(_) => (
                    "method".to_string(),
                    raw.method.as_ref().map_or(whole.clone(), Spanned::span),
                ),
                RequestError::Path(_) | RequestError::Host(_) => (
                    "path".to_string(),
                    raw.path.as_ref().map_or(whole.clone(), Spanned::span),
                ),
                RequestError::HeaderName(name)
                | RequestError::ReservedHeader(name)
                | RequestError::HeaderValue(name) => (format!("headers.{name}"), header_span(name)),
                RequestError::Template { part, .. } => (part.clone(), whole.clone()),
            };
            return Err(self.invalid(span, &field, format!("is not usable: {err}")));
        }

        let protocol = match protocol {
            RawProtocol::Http => Protocol::Http,
            RawProtocol::Jsonrpc => Protocol::JsonRpc(jsonrpc.unwrap_or_else(|| JsonRpc {
                method: String::new(),
                params: None,
                batch: None,
            })),
            RawProtocol::Ws => Protocol::WebSocket(self.websocket(raw, whole.clone())?),
        };

        let load = self.load_model(raw, defaults, whole.clone())?;
        let warmup = match raw.warmup.as_ref().or(defaults.warmup.as_ref()) {
            Some(w) => self.duration(w, "warmup")?,
            None => Duration::ZERO,
        };
        let repetitions = match raw.repetitions.as_ref().or(defaults.repetitions.as_ref()) {
            Some(r) => self.count(r, "repetitions", 1)?,
            None => 1,
        };
        let expect_status = match &raw.expect_status {
            Some(status) => {
                let code = *status.get_ref();
                if !(100..=599).contains(&code) {
                    return Err(self.invalid(
                        status.span(),
                        "expect_status",
                        format!("is {code}: give an HTTP status code between 100 and 599"),
                    ));
                }
                Some(code as u16)
            }
            None => None,
        };
        Ok(Workload {
            name: raw.name.get_ref().clone(),
            line: line_column(self.text, whole.start).0,
            protocol,
            method,
            path,
            headers,
            body,
            load,
            warmup,
            repetitions,
            expect_status,
            expect_body: raw.expect_body.as_ref().map(|b| b.get_ref().clone()),
        })
    }

    fn jsonrpc(
        &self,
        raw: &RawWorkload,
        whole: Range<usize>,
    ) -> Result<(JsonRpc, Template), SuiteError> {
        let Some(rpc_method) = &raw.rpc_method else {
            return Err(self.invalid(
                whole,
                "rpc_method",
                "is missing: JSON-RPC workloads name the method to call, e.g. rpc_method = \"add\"",
            ));
        };
        if rpc_method.get_ref().trim().is_empty() {
            return Err(self.invalid(
                rpc_method.span(),
                "rpc_method",
                "is empty: name the method, e.g. \"add\"",
            ));
        }
        let params = match &raw.params {
            None => None,
            Some(params) => {
                let text = match params.get_ref() {
                    toml::Value::String(json) => json.clone(),
                    other => toml_to_json(other).to_string(),
                };
                // Placeholders are allowed, so check the JSON as rendered once.
                let template = Template::compile(&text).map_err(|err| {
                    self.invalid(
                        params.span(),
                        "params",
                        format!("has a bad template: {err}"),
                    )
                })?;
                let mut rendered = Vec::new();
                template.render(
                    &mut RenderContext::new(0).with_secret("check"),
                    &mut rendered,
                );
                match serde_json::from_slice::<serde_json::Value>(&rendered) {
                    Ok(value) if value.is_array() || value.is_object() => {}
                    Ok(_) => {
                        return Err(self.invalid(
                            params.span(),
                            "params",
                            "must be a JSON array or object, e.g. [1, 2] or { a = 1, b = 2 }",
                        ));
                    }
                    Err(err) => {
                        return Err(self.invalid(
                            params.span(),
                            "params",
                            format!("is not valid JSON ({err}); write a TOML array/inline table or a JSON string"),
                        ));
                    }
                }
                Some(text)
            }
        };
        let batch = raw
            .batch
            .as_ref()
            .map(|b| self.count(b, "batch", 1))
            .transpose()?;
        let spec = JsonRpc {
            method: rpc_method.get_ref().clone(),
            params,
            batch,
        };
        let body = jsonrpc_body(&spec);
        let template = Template::compile(&body).map_err(|err| {
            self.invalid(
                rpc_method.span(),
                "rpc_method",
                format!("gives a bad request template: {err}"),
            )
        })?;
        Ok((spec, template))
    }

    fn websocket(&self, raw: &RawWorkload, whole: Range<usize>) -> Result<WebSocket, SuiteError> {
        match (&raw.message, &raw.size) {
            (Some(_), Some(size)) => Err(self.invalid(
                size.span(),
                "size",
                "cannot be combined with `message`: give one of them",
            )),
            (Some(message), None) => {
                let template = self.template(message, "message")?;
                if template.source().len() > MAX_WS_MESSAGE {
                    return Err(self.invalid(
                        message.span(),
                        "message",
                        "is over 1 MiB, the contract's limit",
                    ));
                }
                Ok(WebSocket { message: template })
            }
            (None, Some(size)) => {
                let n = self.count(size, "size", 1)? as usize;
                if n > MAX_WS_MESSAGE {
                    return Err(self.invalid(
                        size.span(),
                        "size",
                        format!("is {n}: the contract's limit is {MAX_WS_MESSAGE} bytes (1 MiB)"),
                    ));
                }
                let filler: Vec<u8> = b"podium-".iter().copied().cycle().take(n).collect();
                Ok(WebSocket {
                    message: Template::literal(filler),
                })
            }
            (None, None) => Err(self.invalid(
                whole,
                "message",
                "is missing: WebSocket workloads send `message = \"...\"` or `size = BYTES`",
            )),
        }
    }

    fn load_model(
        &self,
        raw: &RawWorkload,
        defaults: &RawDefaults,
        whole: Range<usize>,
    ) -> Result<LoadModel, SuiteError> {
        let duration = |own: &Option<Spanned<String>>, field: &str, table: Range<usize>| {
            let Some(d) = own.as_ref().or(defaults.duration.as_ref()) else {
                return Err(self.invalid(
                    table,
                    field,
                    "is missing: set it here or `duration` in [defaults], e.g. \"10s\"",
                ));
            };
            let value = self.duration(d, field)?;
            if value.is_zero() {
                return Err(self.invalid(d.span(), field, "must be longer than zero"));
            }
            Ok(value)
        };
        let threads = |own: &Option<Spanned<i64>>, field: &str, most: u32| {
            match (own, &defaults.threads) {
                (Some(t), _) => {
                    let n = self.count(t, field, 1)?;
                    if n > most {
                        return Err(self.invalid(
                            t.span(),
                            field,
                            format!("is {n}, more than the {most} connections: a thread needs a connection"),
                        ));
                    }
                    Ok(Some(n))
                }
                // A suite-wide default is capped silently by each workload's connections.
                (None, Some(t)) => Ok(Some(self.count(t, "defaults.threads", 1)?.min(most))),
                (None, None) => Ok(None),
            }
        };
        match (&raw.closed, &raw.open) {
            (Some(_), Some(open)) => Err(self.invalid(
                open.span(),
                "open",
                "cannot be combined with [workload.closed]: a workload has exactly one load model",
            )),
            (None, None) => Err(self.invalid(
                whole,
                "closed",
                "is missing: give a load model, [workload.closed] (connections) or [workload.open] (rate or ramp)",
            )),
            (Some(closed), None) => {
                let c = closed.get_ref();
                let connections = self.count(&c.connections, "closed.connections", 1)?;
                Ok(LoadModel::Closed(ClosedLoop {
                    connections,
                    threads: threads(&c.threads, "closed.threads", connections)?,
                    duration: duration(&c.duration, "closed.duration", closed.span())?,
                }))
            }
            (None, Some(open)) => {
                let o = open.get_ref();
                let rate = match (&o.rate, &o.ramp) {
                    (Some(_), Some(ramp)) => {
                        return Err(self.invalid(
                            ramp.span(),
                            "open.ramp",
                            "cannot be combined with `rate`: give a fixed rate or a ramp",
                        ));
                    }
                    (None, None) => {
                        return Err(self.invalid(
                            open.span(),
                            "open.rate",
                            "is missing: give `rate = REQUESTS_PER_SECOND` or `ramp = \"START:+STEP/s:CEILING\"`",
                        ));
                    }
                    (Some(rate), None) => {
                        let r = *rate.get_ref();
                        if !(r.is_finite() && r > 0.0) {
                            return Err(self.invalid(
                                rate.span(),
                                "open.rate",
                                format!("must be > 0 requests per second (it is {r})"),
                            ));
                        }
                        RateSchedule::Constant { rate_per_s: r }
                    }
                    (None, Some(ramp)) => RateSchedule::parse_ramp(ramp.get_ref())
                        .map_err(|err| self.invalid(ramp.span(), "open.ramp", format!("is wrong: {err}")))?,
                };
                let max_connections =
                    match o.max_connections.as_ref().or(defaults.max_connections.as_ref()) {
                        Some(m) => self.count(m, "open.max_connections", 1)?,
                        None => DEFAULT_MAX_CONNECTIONS,
                    };
                Ok(LoadModel::Open(OpenLoop {
                    rate,
                    duration: duration(&o.duration, "open.duration", open.span())?,
                    max_connections,
                    threads: threads(&o.threads, "open.threads", max_connections)?,
                }))
            }
        }
    }
}

impl Workload {
    /// The HTTP request this workload sends to `host` (`host[:port]`), ready to render.
    /// For WebSocket workloads it is the hand-shake's path and headers (the engine adds
    /// the upgrade headers). Only the host can make it fail: the rest was checked when
    /// the suite was parsed.
    pub fn request(&self, host: &str) -> Result<RequestTemplate, RequestError> {
        RequestTemplate::new(
            &self.method,
            host,
            self.path.clone(),
            self.headers.clone(),
            self.body.clone(),
        )
    }
}

/// The JSON-RPC request text for `spec`: one request with id 1, or a batch with ids 1..=n.
pub fn jsonrpc_body(spec: &JsonRpc) -> String {
    let method = serde_json::Value::String(spec.method.clone()).to_string();
    let one = |id: u32| match &spec.params {
        Some(params) => {
            format!(r#"{{"jsonrpc":"2.0","method":{method},"params":{params},"id":{id}}}"#)
        }
        None => format!(r#"{{"jsonrpc":"2.0","method":{method},"id":{id}}}"#),
    };
    match spec.batch {
        None => one(1),
        Some(n) => {
            let items: Vec<String> = (1..=n).map(one).collect();
            format!("[{}]", items.join(","))
        }
    }
}

fn toml_to_json(value: &toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        toml::Value::String(s) => J::String(s.clone()),
        toml::Value::Integer(i) => J::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(*b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(items) => J::Array(items.iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => J::Object(
            table
                .iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    const GOOD: &str = r#"name = "t"
description = "test suite"

[defaults]
duration = "10s"
warmup = "2s"
repetitions = 3
headers = { X-Suite = "t" }

[[workload]]
name = "ping"
path = "/ping"
expect_status = 200
expect_body = "pong"
[workload.closed]
connections = 16
threads = 2

[[workload]]
name = "post"
method = "POST"
path = "/users"
headers = { X-Suite = "post", Authorization = "Bearer {{token}}" }
body = '{"name":"{{faker.name}}","email":"{{faker.email}}"}'
expect_status = 201
repetitions = 1
[workload.open]
rate = 1000
duration = "500ms"

[[workload]]
name = "rpc"
protocol = "jsonrpc"
rpc_method = "add"
params = '{"a": {{seq}}, "b": 2}'
batch = 3
[workload.open]
ramp = "100:+100/s:1000"
max_connections = 64

[[workload]]
name = "ws"
protocol = "ws"
message = "hello {{seq}}"
warmup = "0s"
[workload.closed]
connections = 4
"#;

    /// Writes `text` to a temporary `.toml` file and loads it, so errors carry a real path.
    fn load(text: &str) -> (Result<Suite, SuiteError>, String) {
        let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
        file.write_all(text.as_bytes()).unwrap();
        let path = file.path().display().to_string();
        (Suite::load(file.path()), path)
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).expect(needle) + 1
    }

    #[test]
    fn parses_a_complete_suite_with_defaults_applied() {
        let (suite, _) = load(GOOD);
        let suite = suite.unwrap();
        assert_eq!(
            (suite.name.as_str(), suite.description.as_str()),
            ("t", "test suite")
        );
        assert_eq!(suite.workloads.len(), 4);

        let ping = suite.workload("ping").unwrap();
        assert_eq!(ping.line, 10);
        assert_eq!(ping.protocol, Protocol::Http);
        assert_eq!(ping.method, "GET");
        assert_eq!((ping.warmup, ping.repetitions), (Duration::from_secs(2), 3));
        assert_eq!(
            (ping.expect_status, ping.expect_body.as_deref()),
            (Some(200), Some("pong"))
        );
        assert_eq!(
            ping.load,
            LoadModel::Closed(ClosedLoop {
                connections: 16,
                threads: Some(2),
                duration: Duration::from_secs(10)
            })
        );
        let request = ping.request("127.0.0.1:9").unwrap();
        assert_eq!(
            request.static_bytes().unwrap(),
            b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1:9\r\nX-Suite: t\r\n\r\n"
        );

        let post = suite.workload("post").unwrap();
        assert_eq!(post.repetitions, 1);
        let header = |name: &str| {
            post.headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, t)| t.source().to_string())
        };
        assert_eq!(
            header("X-Suite").as_deref(),
            Some("post"),
            "workload overrides defaults"
        );
        assert_eq!(header("Content-Type").as_deref(), Some("application/json"));
        assert_eq!(
            post.load,
            LoadModel::Open(OpenLoop {
                rate: RateSchedule::Constant { rate_per_s: 1000.0 },
                duration: Duration::from_millis(500),
                max_connections: DEFAULT_MAX_CONNECTIONS,
                threads: None
            })
        );
        let mut ctx = RenderContext::new(1).with_secret("x");
        let mut out = Vec::new();
        post.request("h").unwrap().render(&mut ctx, &mut out);
        assert!(
            String::from_utf8(out)
                .unwrap()
                .starts_with("POST /users HTTP/1.1\r\n")
        );

        let rpc = suite.workload("rpc").unwrap();
        let Protocol::JsonRpc(spec) = &rpc.protocol else {
            panic!("{:?}", rpc.protocol)
        };
        assert_eq!(
            (spec.method.as_str(), spec.batch, spec.expected_responses()),
            ("add", Some(3), 3)
        );
        assert_eq!((rpc.method.as_str(), rpc.path.source()), ("POST", "/rpc"));
        let mut body = Vec::new();
        rpc.body
            .as_ref()
            .unwrap()
            .render(&mut RenderContext::new(0), &mut body);
        let batch: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(batch.as_array().unwrap().len(), 3);
        assert_eq!(
            batch[2],
            serde_json::json!({"jsonrpc":"2.0","method":"add","params":{"a":1,"b":2},"id":3})
        );
        let LoadModel::Open(open) = &rpc.load else {
            panic!()
        };
        assert_eq!(open.max_connections, 64);
        assert_eq!(
            open.rate,
            RateSchedule::Ramp {
                start: 100.0,
                step_per_s: 100.0,
                ceiling: 1000.0
            }
        );

        let ws = suite.workload("ws").unwrap();
        assert_eq!(
            (ws.path.source(), ws.warmup, ws.body.is_none()),
            ("/ws", Duration::ZERO, true)
        );
        let Protocol::WebSocket(spec) = &ws.protocol else {
            panic!()
        };
        assert_eq!(spec.message.source(), "hello {{seq}}");
    }

    #[test]
    fn jsonrpc_params_from_toml_values_and_single_requests() {
        let text = GOOD.replace(
            "params = '{\"a\": {{seq}}, \"b\": 2}'\nbatch = 3",
            "params = [1, 2.5, \"x\", { k = true }]",
        );
        let (suite, _) = load(&text);
        let suite = suite.unwrap();
        let rpc = suite.workload("rpc").unwrap();
        let body = rpc.body.as_ref().unwrap().static_bytes().unwrap();
        let value: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"jsonrpc":"2.0","method":"add","params":[1,2.5,"x",{"k":true}],"id":1})
        );
    }

    #[test]
    fn ws_size_makes_a_filler_message() {
        let text = GOOD.replace("message = \"hello {{seq}}\"", "size = 10");
        let (suite, _) = load(&text);
        let suite = suite.unwrap();
        let Protocol::WebSocket(spec) = &suite.workload("ws").unwrap().protocol else {
            panic!()
        };
        assert_eq!(spec.message.static_bytes(), Some(&b"podium-pod"[..]));
    }

    /// Each broken suite must fail with `file:line:` (the line containing `at`), naming the
    /// workload (when given) and the field.
    #[test]
    fn validation_errors_name_file_line_workload_and_field() {
        let cases: &[(&str, &str, &str, Option<&str>, &str)] = &[
            // (replace, with, line containing, workload, field / text expected)
            (
                "connections = 16",
                "connections = 0",
                "connections = 0",
                Some("ping"),
                "field \"closed.connections\" must be ≥ 1 (it is 0)",
            ),
            (
                "threads = 2",
                "threads = 32",
                "threads = 32",
                Some("ping"),
                "field \"closed.threads\" is 32, more than the 16 connections",
            ),
            (
                "rate = 1000",
                "rate = 0",
                "rate = 0",
                Some("post"),
                "field \"open.rate\" must be > 0",
            ),
            (
                "ramp = \"100:+100/s:1000\"",
                "ramp = \"100:+100/s\"",
                "ramp = \"100:+100/s\"",
                Some("rpc"),
                "field \"open.ramp\" is wrong: rate \"100:+100/s\" is neither RATE nor START:+STEP/s:CEILING",
            ),
            (
                "ramp = \"100:+100/s:1000\"",
                "ramp = \"100:+100/s:50\"",
                "ramp = \"100:+100/s:50\"",
                Some("rpc"),
                "field \"open.ramp\" is wrong: the ramp's ceiling (50) is below its start (100)",
            ),
            (
                "ramp = \"100:+100/s:1000\"",
                "ramp = \"1000\"",
                "ramp = \"1000\"",
                Some("rpc"),
                "field \"open.ramp\" is wrong: \"1000\" is a fixed rate, not a ramp",
            ),
            (
                "ramp = \"100:+100/s:1000\"",
                "ramp = \"100:+100/s:1000\"\nrate = 5",
                "ramp = ",
                Some("rpc"),
                "field \"open.ramp\" cannot be combined with `rate`",
            ),
            (
                "duration = \"500ms\"",
                "duration = \"500\"",
                "duration = \"500\"",
                Some("post"),
                "field \"open.duration\" is \"500\", not a duration (500 has no unit)",
            ),
            (
                "duration = \"500ms\"",
                "duration = \"0s\"",
                "duration = \"0s\"",
                Some("post"),
                "field \"open.duration\" must be longer than zero",
            ),
            (
                "warmup = \"2s\"",
                "warmup = \"2 parsecs\"",
                "warmup = \"2 parsecs\"",
                None,
                "field \"defaults.warmup\" is \"2 parsecs\", not a duration (unknown unit \"parsecs\")",
            ),
            (
                "path = \"/ping\"",
                "path = \"/ping/{{id}}\"",
                "path = \"/ping/{{id}}\"",
                Some("ping"),
                "field \"path\" has a bad template: column 7: unknown placeholder `{{id}}`",
            ),
            (
                "path = \"/ping\"",
                "path = \"ping\"",
                "path = \"ping\"",
                Some("ping"),
                "field \"path\" is not usable: path \"ping\" must start with '/'",
            ),
            (
                "method = \"POST\"",
                "method = \"post\"",
                "method = \"post\"",
                Some("post"),
                "field \"method\" is not usable",
            ),
            (
                "Authorization = ",
                "Host = \"x\", Authorization = ",
                "Host = \"x\"",
                Some("post"),
                "field \"headers.Host\" is not usable: header \"Host\" is written by Podium itself",
            ),
            (
                "body = '{\"name\"",
                "body = '{{env.PODIUM_NO_SUCH_VAR_9}}{\"name\"",
                "PODIUM_NO_SUCH_VAR_9",
                Some("post"),
                "field \"body\" has a bad template: column 1: `{{env.PODIUM_NO_SUCH_VAR_9}}` needs the environment variable",
            ),
            (
                "expect_status = 201",
                "expect_status = 2010",
                "expect_status = 2010",
                Some("post"),
                "field \"expect_status\" is 2010",
            ),
            (
                "batch = 3",
                "batch = 0",
                "batch = 0",
                Some("rpc"),
                "field \"batch\" must be ≥ 1 (it is 0)",
            ),
            (
                "params = '{\"a\": {{seq}}, \"b\": 2}'",
                "params = '{\"a\": {{seq}}, '",
                "params = '{\"a\"",
                Some("rpc"),
                "field \"params\" is not valid JSON",
            ),
            (
                "params = '{\"a\": {{seq}}, \"b\": 2}'",
                "params = 5",
                "params = 5",
                Some("rpc"),
                "field \"params\" must be a JSON array or object",
            ),
            (
                "rpc_method = \"add\"\n",
                "",
                "[[workload]]\nname = \"rpc\"",
                Some("rpc"),
                "field \"rpc_method\" is missing",
            ),
            (
                "message = \"hello {{seq}}\"",
                "message = \"hi\"\nsize = 4",
                "size = 4",
                Some("ws"),
                "field \"size\" cannot be combined with `message`",
            ),
            (
                "message = \"hello {{seq}}\"",
                "size = 2000000",
                "size = 2000000",
                Some("ws"),
                "field \"size\" is 2000000: the contract's limit",
            ),
            (
                "message = \"hello {{seq}}\"",
                "body = \"x\"",
                "body = \"x\"",
                Some("ws"),
                "field \"body\" is not used by protocol \"ws\"",
            ),
            (
                "rpc_method = \"add\"",
                "rpc_method = \"add\"\nmessage = \"m\"",
                "message = \"m\"",
                Some("rpc"),
                "field \"message\" is not used by protocol \"jsonrpc\"",
            ),
            (
                "expect_status = 200\n",
                "batch = 2\n",
                "batch = 2",
                Some("ping"),
                "field \"batch\" is not used by protocol \"http\"",
            ),
            (
                "protocol = \"ws\"",
                "protocol = \"ws\"\nmethod = \"PUT\"",
                "method = \"PUT\"",
                Some("ws"),
                "field \"method\" must be GET",
            ),
            (
                "name = \"post\"",
                "name = \"ping\"",
                "name = \"ping\"\nmethod",
                None,
                "field \"workload.name\" is \"ping\", which an earlier workload already uses",
            ),
            (
                "repetitions = 1",
                "repetitions = -1",
                "repetitions = -1",
                Some("post"),
                "field \"repetitions\" must be ≥ 1 (it is -1)",
            ),
            (
                "max_connections = 64",
                "max_connections = 64\nthreads = 65",
                "threads = 65",
                Some("rpc"),
                "field \"open.threads\" is 65, more than the 64 connections",
            ),
        ];
        for (from, to, at, workload, expected) in cases {
            assert!(GOOD.contains(from), "{from}");
            let text = GOOD.replacen(from, to, 1);
            let (result, path) = load(&text);
            let err = result.expect_err(to).to_string();
            let line = match at.split_once('\n') {
                // A line that is the first of a two-line needle.
                Some((first, second)) => {
                    let lines: Vec<&str> = text.lines().collect();
                    lines
                        .windows(2)
                        .position(|w| w[0].contains(first) && w[1].contains(second))
                        .expect(at)
                        + 1
                }
                None => line_of(&text, at),
            };
            let prefix = format!("{path}:{line}:");
            assert!(err.starts_with(&prefix), "expected {prefix}…\n got {err}");
            if let Some(name) = workload {
                assert!(err.contains(&format!(": workload {name:?}: ")), "{err}");
            }
            assert!(err.contains(expected), "expected {expected:?}\n got {err}");
        }
    }

    #[test]
    fn missing_load_model_points_at_the_workload() {
        let text = GOOD.replace("[workload.closed]\nconnections = 4\n", "");
        let (result, path) = load(&text);
        let err = result.unwrap_err().to_string();
        let line = text
            .lines()
            .enumerate()
            .filter(|(_, l)| *l == "[[workload]]")
            .last()
            .unwrap()
            .0
            + 1;
        assert!(
            err.starts_with(&format!(
                "{path}:{line}:1: workload \"ws\": field \"closed\" is missing"
            )),
            "{err}"
        );

        let both = GOOD.replace(
            "[workload.closed]\nconnections = 4\n",
            "[workload.closed]\nconnections = 4\n[workload.open]\nrate = 5\n",
        );
        let err = load(&both).0.unwrap_err().to_string();
        assert!(
            err.contains(
                "workload \"ws\": field \"open\" cannot be combined with [workload.closed]"
            ),
            "{err}"
        );

        let no_duration = GOOD.replace("duration = \"10s\"\n", "");
        let err = load(&no_duration).0.unwrap_err().to_string();
        assert!(err.contains("workload \"ping\": field \"closed.duration\" is missing: set it here or `duration` in [defaults]"), "{err}");
    }

    #[test]
    fn syntax_errors_give_file_line_and_column() {
        let cases = [
            (
                GOOD.replace("threads = 2", "threads = 2\nconections = 3"),
                "conections = 3",
                "unknown field `conections`",
            ),
            (
                GOOD.replace("protocol = \"ws\"", "protocol = \"grpc\""),
                "protocol = \"grpc\"",
                "unknown variant `grpc`",
            ),
            (
                GOOD.replace("connections = 16", "connections = \"16\""),
                "connections = \"16\"",
                "invalid type",
            ),
            (
                GOOD.replace("name = \"ping\"\n", ""),
                "[[workload]]",
                "missing field `name`",
            ),
            (GOOD.replace("rate = 1000", "rate = "), "rate = ", ""),
        ];
        for (text, at, expected) in cases {
            let (result, path) = load(&text);
            let err = result.unwrap_err();
            assert!(matches!(err, SuiteError::Syntax { .. }), "{err}");
            let msg = err.to_string();
            let line = if at == "[[workload]]" {
                10
            } else {
                line_of(&text, at)
            };
            assert!(msg.starts_with(&format!("{path}:{line}:")), "{at}: {msg}");
            assert!(msg.contains(expected), "{msg}");
        }
    }

    #[test]
    fn empty_and_unreadable_suites() {
        let err = load("name = \"x\"\n").0.unwrap_err().to_string();
        assert!(err.contains("field \"workload\" has no entries"), "{err}");
        let err = load("name = \" \"\n[[workload]]\nname=\"a\"\npath=\"/\"\nclosed={connections=1,duration=\"1s\"}\n").0.unwrap_err().to_string();
        assert!(err.contains(":2:") || err.contains(":1:8:"), "{err}");
        assert!(err.contains("field \"name\" is empty"), "{err}");
        let err = Suite::load(Path::new("/nonexistent/suite.toml")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot read /nonexistent/suite.toml"),
            "{err}"
        );
    }

    fn shipped_suites_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../suites")
    }

    #[test]
    fn every_shipped_suite_parses() {
        let files = Suite::files_in(&shipped_suites_dir()).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(names.contains(&"default.toml".to_string()), "{names:?}");
        assert!(names.contains(&"quick.toml".to_string()), "{names:?}");
        for file in files {
            let suite = Suite::load(&file).unwrap_or_else(|err| panic!("{err}"));
            assert!(!suite.workloads.is_empty());
            for workload in &suite.workloads {
                workload.request("127.0.0.1:8080").unwrap();
            }
        }
    }

    #[test]
    fn default_suite_covers_every_contract_route() {
        let suite = Suite::load(&shipped_suites_dir().join("default.toml")).unwrap();
        let paths: Vec<(String, &str)> = suite
            .workloads
            .iter()
            .map(|w| (w.path.source().to_string(), w.method.as_str()))
            .collect();
        for (path, method) in [
            ("/ping", "GET"),
            ("/json", "GET"),
            ("/users/{{seq}}", "GET"),
            ("/users", "POST"),
            ("/mw/ping", "GET"),
            ("/rpc", "POST"),
            ("/ws", "GET"),
        ] {
            assert!(
                paths.contains(&(path.to_string(), method)),
                "{method} {path} missing"
            );
        }
        let closed_ping: Vec<u32> = suite
            .workloads
            .iter()
            .filter(|w| w.path.source() == "/ping")
            .filter_map(|w| match &w.load {
                LoadModel::Closed(c) => Some(c.connections),
                LoadModel::Open(_) => None,
            })
            .collect();
        assert_eq!(closed_ping, [16, 128, 1024]);
        assert!(suite.workloads.iter().any(|w| w.path.source() == "/ping"
            && matches!(
                &w.load,
                LoadModel::Open(OpenLoop {
                    rate: RateSchedule::Ramp { .. },
                    ..
                })
            )));
        let post = suite
            .workloads
            .iter()
            .find(|w| w.method == "POST" && w.path.source() == "/users")
            .unwrap();
        assert_eq!(post.expect_status, Some(201));
        let body = post.body.as_ref().unwrap().source();
        assert!(body.contains("{{faker.name}}") && body.contains("{{faker.email}}"));
        let mw = suite
            .workloads
            .iter()
            .find(|w| w.path.source() == "/mw/ping")
            .unwrap();
        assert!(
            mw.headers
                .iter()
                .any(|(n, v)| n == "Authorization" && v.source() == "Bearer {{token}}")
        );
        let batches: Vec<Option<u32>> = suite
            .workloads
            .iter()
            .filter_map(|w| match &w.protocol {
                Protocol::JsonRpc(rpc) => Some(rpc.batch),
                _ => None,
            })
            .collect();
        assert!(
            batches.contains(&None) && batches.contains(&Some(10)),
            "{batches:?}"
        );
        assert!(
            suite
                .workloads
                .iter()
                .any(|w| matches!(w.protocol, Protocol::WebSocket(_)))
        );
        for w in &suite.workloads {
            assert_eq!(
                (w.warmup, w.repetitions),
                (Duration::from_secs(2), 3),
                "{}",
                w.name
            );
            if let LoadModel::Closed(closed) = &w.load {
                assert_eq!(closed.duration, Duration::from_secs(10), "{}", w.name);
            }
        }
        let quick = Suite::load(&shipped_suites_dir().join("quick.toml")).unwrap();
        assert_eq!(quick.workloads.len(), suite.workloads.len());
        assert!(
            quick
                .workloads
                .iter()
                .all(|w| w.repetitions == 1 && w.load.duration() <= Duration::from_secs(5))
        );
    }
}
