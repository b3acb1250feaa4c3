//! The contract checks, one module per route group.

pub mod metrics;
pub mod mw;
pub mod pprof;
pub mod rest;
pub mod rpc;
pub mod users;
pub mod ws;

use crate::Outcomes;
use crate::http::Answer;

/// Records `id` as failed because the request itself failed.
pub(crate) fn request_failed(out: &mut Outcomes, id: &str, expected: &str, err: &str) {
    out.record(id, false, expected, format!("no answer: {err}"));
}

/// Checks an answer's status against the allowed codes.
pub(crate) fn status_is(
    out: &mut Outcomes,
    id: &str,
    answer: &Result<Answer, String>,
    allowed: &[u16],
) -> bool {
    let expected = match allowed {
        [one] => format!("status {one}"),
        many => format!(
            "status {}",
            many.iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    };
    match answer {
        Ok(a) => {
            let pass = allowed.contains(&a.status);
            out.record(id, pass, expected, a.describe());
            pass
        }
        Err(e) => {
            request_failed(out, id, &expected, e);
            false
        }
    }
}

/// Whether an answer is an error response as the contract defines it:
/// the status, `application/json`, and a body `{"error": "<non-empty string>"}`.
pub(crate) fn is_error_body(a: &Answer, allowed: &[u16]) -> bool {
    allowed.contains(&a.status)
        && a.media_type() == "application/json"
        && a.json()
            .and_then(|v| {
                v.get("error")
                    .and_then(|e| e.as_str())
                    .map(|s| !s.trim().is_empty())
            })
            .unwrap_or(false)
}
