//! `/ping`, `/json`, `/users/{id}` and routing.

use super::{request_failed, status_is};
use crate::{Outcomes, Probe};
use serde_json::json;

/// Runs the plain-route checks.
pub async fn run(probe: &Probe, out: &mut Outcomes) {
    let ping = probe.get("/ping").await;
    status_is(out, "ping.status", &ping, &[200]);
    match &ping {
        Ok(a) => {
            out.record(
                "ping.content_type",
                a.media_type() == "text/plain",
                "Content-Type text/plain",
                a.header("content-type"),
            );
            out.record(
                "ping.body",
                a.body == b"pong",
                "body \"pong\"",
                format!("{:?}", a.text()),
            );
        }
        Err(e) => {
            request_failed(out, "ping.content_type", "Content-Type text/plain", e);
            request_failed(out, "ping.body", "body \"pong\"", e);
        }
    }

    let hello = probe.get("/json").await;
    status_is(out, "json.status", &hello, &[200]);
    let want = json!({"message": "Hello, World!"});
    match &hello {
        Ok(a) => {
            out.record(
                "json.content_type",
                a.media_type() == "application/json",
                "Content-Type application/json",
                a.header("content-type"),
            );
            out.record(
                "json.body",
                a.json().as_ref() == Some(&want),
                want.to_string(),
                a.text(),
            );
        }
        Err(e) => {
            request_failed(out, "json.content_type", "Content-Type application/json", e);
            request_failed(out, "json.body", &want.to_string(), e);
        }
    }

    let mut statuses = Vec::new();
    let mut bodies = Vec::new();
    for id in ["42", "abc-7"] {
        let want = json!({"id": id, "name": format!("user-{id}")});
        match probe.get(&format!("/users/{id}")).await {
            Ok(a) => {
                statuses.push((a.status == 200, format!("/users/{id} → {}", a.status)));
                let pass = a.json().as_ref() == Some(&want) && a.media_type() == "application/json";
                bodies.push((pass, format!("/users/{id} → {}", a.describe())));
            }
            Err(e) => {
                statuses.push((false, format!("/users/{id}: {e}")));
                bodies.push((false, format!("/users/{id}: {e}")));
            }
        }
    }
    let join = |v: &[(bool, String)]| {
        v.iter()
            .map(|(_, s)| s.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    out.record(
        "users_get.status",
        statuses.iter().all(|(p, _)| *p),
        "200 for /users/42 and /users/abc-7",
        join(&statuses),
    );
    out.record(
        "users_get.body",
        bodies.iter().all(|(p, _)| *p),
        "application/json {\"id\":\"<id>\",\"name\":\"user-<id>\"}",
        join(&bodies),
    );

    let unknown = probe.get("/no-such-route-podium").await;
    status_is(out, "routing.unknown_route", &unknown, &[404]);
    let wrong = probe.send("DELETE", "/ping", &[], None).await;
    status_is(out, "routing.wrong_method", &wrong, &[404, 405]);
}
