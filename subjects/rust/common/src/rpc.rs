//! JSON-RPC 2.0 over HTTP: `add` and `echo`, batches and notifications.

use serde_json::{Map, Number, Value, json};

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;

/// Dispatches one HTTP request body.
///
/// `None` means there is nothing to answer (a notification, or a batch of only
/// notifications): the subject replies 204 with an empty body. `Some(json)` is the
/// 200 `application/json` body.
pub fn handle_rpc(body: &[u8]) -> Option<Vec<u8>> {
    let response = match serde_json::from_slice::<Value>(body) {
        Err(_) => error(Value::Null, PARSE_ERROR, "Parse error"),
        // An empty batch is answered by a single error object, not an array.
        Ok(Value::Array(batch)) if batch.is_empty() => {
            error(Value::Null, INVALID_REQUEST, "Invalid Request")
        }
        Ok(Value::Array(batch)) => {
            let responses: Vec<Value> = batch.into_iter().filter_map(handle_one).collect();
            if responses.is_empty() {
                return None;
            }
            Value::Array(responses)
        }
        Ok(request) => handle_one(request)?,
    };
    Some(serde_json::to_vec(&response).expect("serializing a Value cannot fail"))
}

/// One request object; `None` for a valid notification.
fn handle_one(request: Value) -> Option<Value> {
    let Value::Object(mut request) = request else {
        return Some(error(Value::Null, INVALID_REQUEST, "Invalid Request"));
    };
    // `None`: no `id` member (a notification if the rest is valid);
    // `Some(Err)`: an `id` of a type the spec does not allow.
    let id = request.remove("id").map(|id| match id {
        Value::String(_) | Value::Number(_) | Value::Null => Ok(id),
        _ => Err(()),
    });
    let valid = request.get("jsonrpc").and_then(Value::as_str) == Some("2.0")
        && request.get("method").is_some_and(Value::is_string)
        && matches!(
            request.get("params"),
            None | Some(Value::Array(_) | Value::Object(_))
        );
    let id = match id {
        Some(Ok(id)) if valid => Some(id),
        None if valid => None,
        // An invalid request is always answered, echoing its id only when that id is valid.
        Some(Ok(id)) => return Some(error(id, INVALID_REQUEST, "Invalid Request")),
        _ => return Some(error(Value::Null, INVALID_REQUEST, "Invalid Request")),
    };

    let params = request.remove("params");
    let outcome = match request.get("method").and_then(Value::as_str) {
        Some("add") => add(params),
        Some("echo") => Ok(params.unwrap_or(Value::Null)),
        _ => Err((METHOD_NOT_FOUND, "Method not found")),
    };
    // A notification gets no response, whatever its outcome.
    let id = id?;
    Some(match outcome {
        Ok(result) => json!({"jsonrpc": "2.0", "result": result, "id": id}),
        Err((code, message)) => error(id, code, message),
    })
}

/// `add` takes `[a, b]` or `{"a": a, "b": b}` with both numbers.
fn add(params: Option<Value>) -> Result<Value, (i64, &'static str)> {
    const BAD: (i64, &str) = (INVALID_PARAMS, "Invalid params");
    let (a, b) = match params {
        Some(Value::Array(params)) => match params.as_slice() {
            [Value::Number(a), Value::Number(b)] => (a.clone(), b.clone()),
            _ => return Err(BAD),
        },
        Some(Value::Object(params)) => match (number(&params, "a"), number(&params, "b")) {
            (Some(a), Some(b)) => (a, b),
            _ => return Err(BAD),
        },
        _ => return Err(BAD),
    };
    // Integers stay integers while they fit; anything else is summed as f64.
    if let (Some(a), Some(b)) = (a.as_i64(), b.as_i64())
        && let Some(sum) = a.checked_add(b)
    {
        return Ok(sum.into());
    }
    let sum = a.as_f64().unwrap_or(f64::NAN) + b.as_f64().unwrap_or(f64::NAN);
    // JSON has no infinities (1e308 + 1e308), so such a sum is not a valid answer.
    Number::from_f64(sum).map(Value::Number).ok_or(BAD)
}

fn number(params: &Map<String, Value>, key: &str) -> Option<Number> {
    match params.get(key) {
        Some(Value::Number(n)) => Some(n.clone()),
        _ => None,
    }
}

fn error(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "error": {"code": code, "message": message}, "id": id})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(body: &str) -> Option<Value> {
        handle_rpc(body.as_bytes()).map(|out| serde_json::from_slice(&out).unwrap())
    }

    fn call_one(body: &str) -> Value {
        call(body).expect("a response")
    }

    fn assert_error(response: &Value, code: i64, id: Value) {
        assert_eq!(response["jsonrpc"], "2.0", "{response}");
        assert_eq!(response["error"]["code"], code, "{response}");
        assert!(response["error"]["message"].is_string(), "{response}");
        assert_eq!(response["id"], id, "{response}");
        assert!(response.get("result").is_none(), "{response}");
    }

    fn assert_result(response: &Value, result: Value, id: Value) {
        assert_eq!(response["jsonrpc"], "2.0", "{response}");
        assert_eq!(response["result"], result, "{response}");
        assert_eq!(response["id"], id, "{response}");
        assert!(response.get("error").is_none(), "{response}");
    }

    #[test]
    fn add_positional_and_named() {
        let r = call_one(r#"{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}"#);
        assert_result(&r, json!(3), json!(1));
        let r = call_one(r#"{"jsonrpc":"2.0","method":"add","params":{"a":1.5,"b":2},"id":"x"}"#);
        assert_result(&r, json!(3.5), json!("x"));
        let r = call_one(r#"{"jsonrpc":"2.0","method":"add","params":[-4,4.0],"id":null}"#);
        assert_eq!(r["result"].as_f64(), Some(0.0));
        assert_eq!(r["id"], Value::Null);
        let r =
            call_one(r#"{"jsonrpc":"2.0","method":"add","params":[9223372036854775807,1],"id":2}"#);
        assert_eq!(r["result"].as_f64(), Some(i64::MAX as f64 + 1.0));
    }

    #[test]
    fn add_bad_params() {
        for params in [
            r#""params":[1]"#,
            r#""params":[1,2,3]"#,
            r#""params":["1",2]"#,
            r#""params":[1,null]"#,
            r#""params":{"a":1}"#,
            r#""params":{"a":1,"b":"2"}"#,
            r#""params":{"x":1,"y":2}"#,
            r#""params":[1e308,1e308]"#,
            r#""params":[]"#,
        ] {
            let body = format!(r#"{{"jsonrpc":"2.0","method":"add",{params},"id":7}}"#);
            assert_error(&call_one(&body), INVALID_PARAMS, json!(7));
        }
        let r = call_one(r#"{"jsonrpc":"2.0","method":"add","id":7}"#);
        assert_error(&r, INVALID_PARAMS, json!(7));
    }

    #[test]
    fn echo_returns_params_unchanged() {
        let r = call_one(
            r#"{"jsonrpc":"2.0","method":"echo","params":{"x":[1,"a",null,{"y":true}]},"id":3}"#,
        );
        assert_result(&r, json!({"x":[1,"a",null,{"y":true}]}), json!(3));
        let r = call_one(r#"{"jsonrpc":"2.0","method":"echo","params":["a",2.5],"id":3}"#);
        assert_result(&r, json!(["a", 2.5]), json!(3));
        let r = call_one(r#"{"jsonrpc":"2.0","method":"echo","id":3}"#);
        assert_result(&r, Value::Null, json!(3));
    }

    #[test]
    fn parse_error() {
        for body in ["", "{", r#"{"jsonrpc":"2.0","method":"echo""#, "[1,", "nul"] {
            assert_error(&call_one(body), PARSE_ERROR, Value::Null);
        }
    }

    #[test]
    fn invalid_requests() {
        for body in [
            "1",
            "\"x\"",
            "null",
            "true",
            r#"{}"#,
            r#"{"method":"echo","id":1}"#,
            r#"{"jsonrpc":"1.0","method":"echo","id":1}"#,
            r#"{"jsonrpc":2.0,"method":"echo","id":1}"#,
            r#"{"jsonrpc":"2.0","method":1,"id":1}"#,
            r#"{"jsonrpc":"2.0","id":1}"#,
            r#"{"jsonrpc":"2.0","method":"echo","params":"bar","id":1}"#,
            r#"{"jsonrpc":"2.0","method":"echo","params":3,"id":1}"#,
            r#"{"jsonrpc":"2.0","method":"echo","params":null,"id":1}"#,
        ] {
            let expected_id = if body.contains(r#""id":1"#) {
                json!(1)
            } else {
                Value::Null
            };
            assert_error(&call_one(body), INVALID_REQUEST, expected_id);
        }
    }

    #[test]
    fn invalid_id_types_are_invalid_requests_with_null_id() {
        for id in ["{}", "[1]", "true", "false"] {
            let body = format!(r#"{{"jsonrpc":"2.0","method":"echo","id":{id}}}"#);
            assert_error(&call_one(&body), INVALID_REQUEST, Value::Null);
        }
    }

    #[test]
    fn invalid_request_without_id_is_still_answered() {
        let r = call_one(r#"{"jsonrpc":"2.0","method":1,"params":"bar"}"#);
        assert_error(&r, INVALID_REQUEST, Value::Null);
    }

    #[test]
    fn unknown_method() {
        let r = call_one(r#"{"jsonrpc":"2.0","method":"nope","id":"abc"}"#);
        assert_error(&r, METHOD_NOT_FOUND, json!("abc"));
    }

    #[test]
    fn notifications_get_no_response() {
        for body in [
            r#"{"jsonrpc":"2.0","method":"echo","params":[1]}"#,
            r#"{"jsonrpc":"2.0","method":"add","params":[1,2]}"#,
            r#"{"jsonrpc":"2.0","method":"add","params":["x"]}"#,
            r#"{"jsonrpc":"2.0","method":"nope"}"#,
            r#"[{"jsonrpc":"2.0","method":"echo"},{"jsonrpc":"2.0","method":"nope"}]"#,
        ] {
            assert_eq!(call(body), None, "{body}");
        }
    }

    #[test]
    fn batch_mixed() {
        let body = r#"[
            {"jsonrpc":"2.0","method":"add","params":[1,2],"id":"1"},
            {"jsonrpc":"2.0","method":"echo","params":[7]},
            {"jsonrpc":"2.0","method":"nope","id":"2"},
            {"foo":"boo"},
            1,
            {"jsonrpc":"2.0","method":"add","params":{"a":1},"id":"3"},
            {"jsonrpc":"2.0","method":"echo","params":{"k":"v"},"id":4}
        ]"#;
        let r = call_one(body);
        let items = r.as_array().expect("a batch answers with an array");
        assert_eq!(items.len(), 6);
        assert_result(&items[0], json!(3), json!("1"));
        assert_error(&items[1], METHOD_NOT_FOUND, json!("2"));
        assert_error(&items[2], INVALID_REQUEST, Value::Null);
        assert_error(&items[3], INVALID_REQUEST, Value::Null);
        assert_error(&items[4], INVALID_PARAMS, json!("3"));
        assert_result(&items[5], json!({"k":"v"}), json!(4));
    }

    #[test]
    fn batch_of_invalid_members() {
        let r = call_one("[1,2,3]");
        let items = r.as_array().unwrap();
        assert_eq!(items.len(), 3);
        for item in items {
            assert_error(item, INVALID_REQUEST, Value::Null);
        }
    }

    #[test]
    fn empty_batch_is_a_single_error() {
        let r = call_one("[]");
        assert!(r.is_object());
        assert_error(&r, INVALID_REQUEST, Value::Null);
    }

    #[test]
    fn invalid_json_in_batch_is_a_parse_error() {
        let r = call_one(r#"[{"jsonrpc":"2.0","method":"echo","id":1},{"jsonrpc":"2.0""#);
        assert_error(&r, PARSE_ERROR, Value::Null);
    }
}
