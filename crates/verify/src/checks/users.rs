//! `POST /users`: creation, validation and the body limit.

use super::{is_error_body, request_failed, status_is};
use crate::{Outcomes, Probe};
use serde_json::{Value, json};

/// A request that must be rejected, and why.
struct Rejection {
    id: &'static str,
    what: &'static str,
    bodies: Vec<String>,
}

/// Runs the `POST /users` checks.
pub async fn run(probe: &Probe, out: &mut Outcomes) {
    let created = create(
        probe,
        json!({"name": "Ada Lovelace", "email": "ada@example.com"}),
    )
    .await;
    let first_id = match &created {
        Ok((id, desc)) => {
            out.record(
                "users_post.created",
                true,
                "201 application/json {id:<positive integer>, name, email}",
                desc.clone(),
            );
            Some(*id)
        }
        Err(desc) => {
            out.record(
                "users_post.created",
                false,
                "201 application/json {id:<positive integer>, name, email}",
                desc.clone(),
            );
            None
        }
    };
    let second = create(
        probe,
        json!({"name": "Grace Hopper", "email": "grace@navy.mil"}),
    )
    .await;
    match (first_id, &second) {
        (Some(a), Ok((b, _))) => out.record(
            "users_post.unique_ids",
            a != *b,
            "two creations get different ids",
            format!("ids {a} and {b}"),
        ),
        (_, Err(desc)) => out.record(
            "users_post.unique_ids",
            false,
            "two creations get different ids",
            desc.clone(),
        ),
        (None, Ok(_)) => out.record(
            "users_post.unique_ids",
            false,
            "two creations get different ids",
            "the first creation failed",
        ),
    }
    let extra = create(
        probe,
        json!({"name": "Linus", "email": "linus@kernel.org", "role": "admin", "age": 55}),
    )
    .await;
    out.record(
        "users_post.unknown_fields",
        extra.is_ok(),
        "unknown fields ignored: 201",
        extra.map_or_else(|e| e, |(_, d)| d),
    );

    let rejections = [
        Rejection {
            id: "users_post.bad_json",
            what: "malformed JSON",
            bodies: vec![r#"{"name": "a", "email": "#.into(), "not json".into()],
        },
        Rejection {
            id: "users_post.not_object",
            what: "a JSON value that is not an object",
            bodies: vec!["[]".into(), r#""name""#.into(), "null".into(), "42".into()],
        },
        Rejection {
            id: "users_post.missing_field",
            what: "a missing field",
            bodies: vec![
                r#"{"name":"Ada"}"#.into(),
                r#"{"email":"ada@example.com"}"#.into(),
                "{}".into(),
            ],
        },
        Rejection {
            id: "users_post.blank_name",
            what: "a blank name",
            bodies: vec![
                r#"{"name":"","email":"a@b.co"}"#.into(),
                r#"{"name":"   ","email":"a@b.co"}"#.into(),
            ],
        },
        Rejection {
            id: "users_post.wrong_type",
            what: "a wrongly typed field",
            bodies: vec![
                r#"{"name":123,"email":"a@b.co"}"#.into(),
                r#"{"name":"Ada","email":true}"#.into(),
                r#"{"name":["Ada"],"email":"a@b.co"}"#.into(),
                r#"{"name":null,"email":"a@b.co"}"#.into(),
            ],
        },
        Rejection {
            id: "users_post.bad_email",
            what: "a bad email",
            bodies: [
                "a@b", "@b.co", "a@.co", "a@b.", "a b@c.de", "ab.co", "a@@b.co", "",
            ]
            .iter()
            .map(|e| json!({"name": "Ada", "email": e}).to_string())
            .collect(),
        },
    ];
    for r in rejections {
        let expected = format!("{}: 400 application/json {{\"error\":\"...\"}}", r.what);
        let mut failures = Vec::new();
        for body in &r.bodies {
            match probe.post_json("/users", body.clone()).await {
                Ok(a) if is_error_body(&a, &[400]) => {}
                Ok(a) => failures.push(format!("{body} → {}", a.describe())),
                Err(e) => failures.push(format!("{body} → {e}")),
            }
        }
        let actual = if failures.is_empty() {
            format!("all {} bodies rejected with 400", r.bodies.len())
        } else {
            failures.join("; ")
        };
        out.record(r.id, failures.is_empty(), expected, actual);
    }

    // 2 MiB of otherwise valid JSON: the limit, not the validation, must reject it.
    let big = json!({"name": "x".repeat(2 << 20), "email": "big@example.com"}).to_string();
    // `Connection: close`: a server may drop the connection after refusing the body, and
    // the survival check below must be a fresh connection, not a reuse of that one.
    let answer = probe
        .send(
            "POST",
            "/users",
            &[
                ("content-type", "application/json"),
                ("connection", "close"),
            ],
            Some(big.into_bytes()),
        )
        .await;
    match &answer {
        // A server may close the connection right after a 413; reqwest then reports a
        // broken pipe. That is acceptable only if the server still answers afterwards.
        Ok(_) => {
            status_is(out, "users_post.too_large", &answer, &[413, 400]);
        }
        Err(e) => request_failed(
            out,
            "users_post.too_large",
            "status 413 or 400 for a 2 MiB body",
            e,
        ),
    }
    let after = probe.get("/ping").await;
    match after {
        Ok(a) => out.record(
            "users_post.survives_large",
            a.status == 200,
            "GET /ping → 200 after the 2 MiB body",
            a.describe(),
        ),
        Err(e) => request_failed(
            out,
            "users_post.survives_large",
            "GET /ping → 200 after the 2 MiB body",
            &e,
        ),
    }
}

/// Creates a user; `Ok((id, evidence))` when the answer is a correct 201.
async fn create(probe: &Probe, body: Value) -> Result<(u64, String), String> {
    let answer = probe.post_json("/users", body.to_string()).await?;
    let desc = answer.describe();
    let json = answer.json().unwrap_or(Value::Null);
    let id = json.get("id").and_then(Value::as_u64).filter(|id| *id > 0);
    let ok = answer.status == 201
        && answer.media_type() == "application/json"
        && id.is_some()
        && json.get("name") == body.get("name")
        && json.get("email") == body.get("email");
    match (ok, id) {
        (true, Some(id)) => Ok((id, desc)),
        _ => Err(desc),
    }
}
