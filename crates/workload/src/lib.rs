//! Describing what a load run sends: request templates and suite files.
//!
//! This crate has one job: turning what a user writes — a request with `{{placeholders}}`,
//! or a suite file (`suites/*.toml`) of workloads with their load models — into values the
//! load engine (`podium-load`) can use without further parsing. It sends nothing itself.
//!
//! - [`Template`]: text compiled once into literal and placeholder segments, rendered per
//!   request by [`Template::render`] with a per-worker [`RenderContext`] (`{{token}}`,
//!   `{{faker.name}}`, `{{faker.email}}`, `{{now_iso8601}}`, `{{seq}}`, `{{env.NAME}}`).
//! - [`RequestTemplate`]: a whole HTTP/1.1 request made of templates; pre-rendered once
//!   when nothing in it varies.
//! - [`Suite`]: a validated suite file; errors name the file, line, column and field.
//! - [`RateSchedule`]: an open-loop arrival rate, constant or ramping, and its math (rate
//!   at a time, sends asked for by a time, intended send time of the n-th request); the
//!   load engine sends on it.

mod duration;
mod faker;
mod rate;
mod request;
mod suite;
mod template;

pub use duration::{DurationError, parse_duration};
pub use rate::{RateError, RateSchedule};
pub use request::{RESERVED_HEADERS, RequestError, RequestTemplate};
pub use suite::{
    ClosedLoop, DEFAULT_MAX_CONNECTIONS, JsonRpc, LoadModel, MAX_WS_MESSAGE, OpenLoop, Protocol,
    Suite, SuiteError, WebSocket, Workload, jsonrpc_body,
};
pub use template::{DEFAULT_TOKEN_TTL, PLACEHOLDERS, RenderContext, Template, TemplateError};
