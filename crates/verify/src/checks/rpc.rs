//! `POST /rpc`: JSON-RPC 2.0 over HTTP.

use super::request_failed;
use crate::http::Answer;
use crate::{Outcomes, Probe};
use serde_json::{Value, json};

/// Runs the JSON-RPC checks.
pub async fn run(probe: &Probe, out: &mut Outcomes) {
    single(
        probe,
        out,
        "rpc.add_positional",
        r#"{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}"#,
        |v| result_is(v, &json!(1), 3.0),
    )
    .await;
    single(
        probe,
        out,
        "rpc.add_named",
        r#"{"jsonrpc":"2.0","method":"add","params":{"a":2.5,"b":4},"id":"n-1"}"#,
        |v| result_is(v, &json!("n-1"), 6.5),
    )
    .await;
    let echo_params = json!({"text": "héllo", "list": [1, "two", null, {"x": true}]});
    let echo_req =
        json!({"jsonrpc": "2.0", "method": "echo", "params": echo_params, "id": 7}).to_string();
    single(probe, out, "rpc.echo", &echo_req, |v| {
        v.get("result") == Some(&echo_params) && v.get("id") == Some(&json!(7)) && is_v2(v)
    })
    .await;
    single(
        probe,
        out,
        "rpc.parse_error",
        r#"{"jsonrpc":"2.0","method":"add","params":[1,2"#,
        |v| error_is(v, -32700, &[Value::Null]),
    )
    .await;
    single(
        probe,
        out,
        "rpc.invalid_request",
        r#"{"jsonrpc":"2.0","method":1,"params":"bar"}"#,
        |v| error_is(v, -32600, &[Value::Null]),
    )
    .await;
    single(
        probe,
        out,
        "rpc.wrong_version",
        r#"{"jsonrpc":"1.0","method":"add","params":[1,2],"id":5}"#,
        |v| error_is(v, -32600, &[Value::Null, json!(5)]),
    )
    .await;
    single(
        probe,
        out,
        "rpc.method_not_found",
        r#"{"jsonrpc":"2.0","method":"subtract","params":[1,2],"id":3}"#,
        |v| error_is(v, -32601, &[json!(3)]),
    )
    .await;
    let mut bad_params = Vec::new();
    for params in [r#"["a",1]"#, "[1]", r#"{"a":1}"#, r#"[1,2,3]"#] {
        let req = format!(r#"{{"jsonrpc":"2.0","method":"add","params":{params},"id":4}}"#);
        match probe.post_json("/rpc", req).await {
            Ok(a)
                if answer_ok(&a)
                    && a.json()
                        .as_ref()
                        .is_some_and(|v| error_is(v, -32602, &[json!(4)])) => {}
            Ok(a) => bad_params.push(format!("add {params} → {}", a.describe())),
            Err(e) => bad_params.push(format!("add {params} → {e}")),
        }
    }
    out.record(
        "rpc.invalid_params",
        bad_params.is_empty(),
        "add with non-numbers or a wrong count: error -32602 with the request id",
        if bad_params.is_empty() {
            "all rejected with -32602".to_string()
        } else {
            bad_params.join("; ")
        },
    );

    no_content(
        probe,
        out,
        "rpc.notification",
        &[
            r#"{"jsonrpc":"2.0","method":"add","params":[1,2]}"#,
            r#"{"jsonrpc":"2.0","method":"no_such_method"}"#,
        ],
    )
    .await;
    no_content(probe, out, "rpc.notification_batch", &[
        r#"[{"jsonrpc":"2.0","method":"add","params":[1,2]},{"jsonrpc":"2.0","method":"echo","params":["x"]}]"#,
    ])
    .await;

    let batch = r#"[
        {"jsonrpc":"2.0","method":"add","params":[1,2],"id":"a"},
        {"jsonrpc":"2.0","method":"echo","params":["x"]},
        {"jsonrpc":"2.0","method":"echo","params":["y"],"id":"b"},
        {"jsonrpc":"2.0","method":"nope","id":"c"},
        {"foo":"boo"}
    ]"#;
    single(probe, out, "rpc.batch", batch, |v| {
        let Some(items) = v.as_array() else {
            return false;
        };
        let by_id = |id: &Value| {
            items
                .iter()
                .filter(|i| i.get("id") == Some(id))
                .collect::<Vec<_>>()
        };
        items.len() == 4
            && by_id(&json!("a"))
                .first()
                .is_some_and(|i| result_is(i, &json!("a"), 3.0))
            && by_id(&json!("b"))
                .first()
                .is_some_and(|i| i.get("result") == Some(&json!(["y"])))
            && by_id(&json!("c"))
                .first()
                .is_some_and(|i| error_is(i, -32601, &[json!("c")]))
            && by_id(&Value::Null)
                .first()
                .is_some_and(|i| error_is(i, -32600, &[Value::Null]))
    })
    .await;
    single(probe, out, "rpc.empty_batch", "[]", |v| {
        error_is(v, -32600, &[Value::Null])
    })
    .await;
    single(probe, out, "rpc.invalid_batch", "[1,2,3]", |v| {
        v.as_array().is_some_and(|items| {
            items.len() == 3 && items.iter().all(|i| error_is(i, -32600, &[Value::Null]))
        })
    })
    .await;
}

fn is_v2(v: &Value) -> bool {
    v.get("jsonrpc") == Some(&json!("2.0"))
}

fn result_is(v: &Value, id: &Value, sum: f64) -> bool {
    is_v2(v)
        && v.get("id") == Some(id)
        && v.get("error").is_none()
        && v.get("result")
            .and_then(Value::as_f64)
            .is_some_and(|r| (r - sum).abs() < 1e-9)
}

fn error_is(v: &Value, code: i64, ids: &[Value]) -> bool {
    let err = v.get("error");
    is_v2(v)
        && v.get("result").is_none()
        && err.and_then(|e| e.get("code")).and_then(Value::as_i64) == Some(code)
        && err
            .and_then(|e| e.get("message"))
            .is_some_and(Value::is_string)
        && v.get("id").is_some_and(|id| ids.contains(id))
}

fn answer_ok(a: &Answer) -> bool {
    a.status == 200 && a.media_type() == "application/json"
}

async fn single(
    probe: &Probe,
    out: &mut Outcomes,
    id: &str,
    request: &str,
    ok: impl Fn(&Value) -> bool,
) {
    let expected = expected_for(id);
    match probe.post_json("/rpc", request.to_string()).await {
        Ok(a) => {
            let pass = answer_ok(&a) && a.json().as_ref().is_some_and(&ok);
            out.record(id, pass, expected, a.describe());
        }
        Err(e) => request_failed(out, id, expected, &e),
    }
}

async fn no_content(probe: &Probe, out: &mut Outcomes, id: &str, requests: &[&str]) {
    let mut failures = Vec::new();
    for req in requests {
        match probe.post_json("/rpc", req.to_string()).await {
            Ok(a) if a.status == 204 && a.body.is_empty() => {}
            Ok(a) => failures.push(format!("{req} → {}", a.describe())),
            Err(e) => failures.push(format!("{req} → {e}")),
        }
    }
    let actual = if failures.is_empty() {
        "204, empty body".to_string()
    } else {
        failures.join("; ")
    };
    out.record(id, failures.is_empty(), expected_for(id), actual);
}

fn expected_for(id: &str) -> &'static str {
    match id {
        "rpc.add_positional" => "add [1,2] → 200 {\"jsonrpc\":\"2.0\",\"result\":3,\"id\":1}",
        "rpc.add_named" => "add {\"a\":2.5,\"b\":4} → result 6.5, id \"n-1\"",
        "rpc.echo" => "echo returns params unchanged, id 7",
        "rpc.parse_error" => "invalid JSON → error -32700, id null",
        "rpc.invalid_request" => "{\"method\":1,\"params\":\"bar\"} → error -32600, id null",
        "rpc.wrong_version" => "jsonrpc \"1.0\" → error -32600",
        "rpc.method_not_found" => "unknown method → error -32601 with the request id",
        "rpc.notification" => "notification (no id), also to an unknown method → 204, empty body",
        "rpc.notification_batch" => "batch of only notifications → 204, empty body",
        "rpc.batch" => {
            "mixed batch → array of 4 responses (result a, result b, -32601 c, -32600 null), none for the notification"
        }
        "rpc.empty_batch" => "[] → one error object -32600, id null (not an array)",
        "rpc.invalid_batch" => "[1,2,3] → array of three -32600 errors, id null",
        _ => "a JSON-RPC 2.0 response",
    }
}
