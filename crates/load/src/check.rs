//! Deciding whether a complete response is a right answer: a fast wrong answer is
//! never a win, so every engine classifies responses the same way.

/// What a response must look like to count as a success.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResponseCheck {
    /// The status every response must have; by default any of 200–399.
    pub expect_status: Option<u16>,
    /// The body every response must have (after chunked decoding), exactly but for
    /// trailing white space: many JSON encoders end their output with a newline.
    pub expect_body: Option<Vec<u8>>,
    /// The body is JSON-RPC: a response (or any batch member) carrying an `error`
    /// object is a wrong answer.
    pub jsonrpc: bool,
}

/// The classification of one complete response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Ok,
    Status,
    Body,
}

impl ResponseCheck {
    /// Whether the engine must keep response bodies to judge them.
    pub fn needs_body(&self) -> bool {
        self.expect_body.is_some() || self.jsonrpc
    }

    pub fn verdict(&self, status: u16, body: &[u8]) -> Verdict {
        let status_ok = match self.expect_status {
            Some(expected) => status == expected,
            None => (200..400).contains(&status),
        };
        if !status_ok {
            Verdict::Status
        } else if self
            .expect_body
            .as_deref()
            .is_some_and(|e| e.trim_ascii_end() != body.trim_ascii_end())
            || (self.jsonrpc && !jsonrpc_ok(body))
        {
            Verdict::Body
        } else {
            Verdict::Ok
        }
    }
}

/// A JSON-RPC answer is right when it is empty (notifications: 204) or parses as a
/// response object, or an array of them, none of which has an `error` member.
fn jsonrpc_ok(body: &[u8]) -> bool {
    if body.is_empty() {
        return true;
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return false;
    };
    let ok = |v: &serde_json::Value| {
        v.is_object() && v.get("error").is_none() && v.get("result").is_some()
    };
    match &value {
        serde_json::Value::Array(items) => !items.is_empty() && items.iter().all(ok),
        other => ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_body_expectations() {
        let check = ResponseCheck {
            expect_status: Some(201),
            expect_body: Some(b"ok".to_vec()),
            jsonrpc: false,
        };
        assert_eq!(check.verdict(200, b"ok"), Verdict::Status);
        assert_eq!(check.verdict(201, b"no"), Verdict::Body);
        assert_eq!(check.verdict(201, b"ok"), Verdict::Ok);
        assert_eq!(
            check.verdict(201, b"ok\n"),
            Verdict::Ok,
            "a trailing newline is not a different answer"
        );
        assert_eq!(check.verdict(201, b"ok!"), Verdict::Body);
        let default = ResponseCheck::default();
        assert!(!default.needs_body());
        assert_eq!(default.verdict(302, b""), Verdict::Ok);
        assert_eq!(default.verdict(500, b""), Verdict::Status);
    }

    #[test]
    fn jsonrpc_error_objects_are_wrong_answers() {
        let check = ResponseCheck {
            jsonrpc: true,
            ..Default::default()
        };
        assert!(check.needs_body());
        assert_eq!(
            check.verdict(200, br#"{"jsonrpc":"2.0","result":3,"id":1}"#),
            Verdict::Ok
        );
        assert_eq!(
            check.verdict(
                200,
                br#"[{"jsonrpc":"2.0","result":3,"id":1},{"jsonrpc":"2.0","result":4,"id":2}]"#
            ),
            Verdict::Ok
        );
        assert_eq!(check.verdict(204, b""), Verdict::Ok);
        assert_eq!(
            check.verdict(
                200,
                br#"{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":1}"#
            ),
            Verdict::Body
        );
        assert_eq!(
            check.verdict(200, br#"[{"jsonrpc":"2.0","result":3,"id":1},{"jsonrpc":"2.0","error":{"code":-32602,"message":"x"},"id":2}]"#),
            Verdict::Body
        );
        assert_eq!(check.verdict(200, b"not json"), Verdict::Body);
        assert_eq!(check.verdict(200, b"[]"), Verdict::Body);
    }
}
