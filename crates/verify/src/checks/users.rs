//! `POST /users`: creation, validation and the body limit.

use super::{is_error_body, request_failed};
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
    // Sent over a raw connection that reads while it writes: a server may answer 413 as
    // soon as it sees the length and then reset the connection while the body is still
    // being sent. An HTTP client that finishes writing first reports the reset and loses
    // the answer; the answer is what the contract is about.
    let expected = "status 413 or 400 for a 2 MiB body";
    match send_oversized(probe.base(), big.into_bytes()).await {
        Ok(status_line) => {
            let status = status_line
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse::<u16>().ok());
            let pass = matches!(status, Some(413 | 400));
            out.record("users_post.too_large", pass, expected, status_line);
        }
        Err(e) => request_failed(out, "users_post.too_large", expected, &e),
    }
    // A fresh connection: the server must still be up.
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

/// POSTs `body` to `/users` on its own connection, writing and reading at once; returns
/// the answer's status line.
async fn send_oversized(base: &str, body: Vec<u8>) -> Result<String, String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let authority = base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let stream = tokio::net::TcpStream::connect(&authority)
        .await
        .map_err(|e| format!("could not connect: {e}"))?;
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "POST /users HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let write = tokio::spawn(async move {
        // Errors are expected once the server has answered and closed.
        if writer.write_all(head.as_bytes()).await.is_ok() {
            let _ = writer.write_all(&body).await;
        }
        writer
    });
    let read = async {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            if let Some(end) = buf.windows(2).position(|w| w == b"\r\n") {
                return Ok(String::from_utf8_lossy(&buf[..end]).into_owned());
            }
            match reader.read(&mut chunk).await {
                Ok(0) => return Err("connection closed without an answer".to_string()),
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e) => return Err(format!("no answer: {e}")),
            }
        }
    };
    let answer = tokio::time::timeout(std::time::Duration::from_secs(15), read)
        .await
        .unwrap_or_else(|_| Err("no answer within 15 s".to_string()));
    write.abort();
    answer
}
