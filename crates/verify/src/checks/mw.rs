//! `/mw/ping`: recover, request id and HS256 JWT middlewares.

use super::{is_error_body, request_failed};
use crate::{ContractOptions, Outcomes, Probe};
use podium_token::{Algorithm, encode, mint, now_unix};
use serde_json::json;

const PATH: &str = "/mw/ping";

/// Runs the middleware-chain checks.
pub async fn run(probe: &Probe, opts: &ContractOptions, out: &mut Outcomes) {
    let secret = opts.jwt_secret.as_bytes();
    let valid = mint(secret, "podium-verify", 300);
    let bearer = format!("Bearer {valid}");

    let ok = probe.get_with(PATH, &[("authorization", &bearer)]).await;
    match &ok {
        Ok(a) => {
            let pass = a.status == 200 && a.body == b"pong" && a.media_type() == "text/plain";
            out.record(
                "mw.valid_token",
                pass,
                "valid HS256 token: 200 text/plain \"pong\"",
                a.describe(),
            );
            let rid = a.header("x-request-id");
            out.record(
                "mw.request_id_generated",
                !rid.trim().is_empty(),
                "X-Request-Id generated when the request has none",
                if rid.is_empty() {
                    "no X-Request-Id header".to_string()
                } else {
                    format!("X-Request-Id: {rid}")
                },
            );
        }
        Err(e) => {
            request_failed(out, "mw.valid_token", "valid HS256 token: 200 pong", e);
            request_failed(out, "mw.request_id_generated", "X-Request-Id generated", e);
        }
    }

    let sent_id = "podium-verify-4f1c2b";
    let echoed = probe
        .get_with(
            PATH,
            &[("authorization", &bearer), ("x-request-id", sent_id)],
        )
        .await;
    match &echoed {
        Ok(a) => out.record(
            "mw.request_id_echoed",
            a.header("x-request-id") == sent_id,
            format!("X-Request-Id: {sent_id} echoed"),
            format!("X-Request-Id: {:?}", a.header("x-request-id")),
        ),
        Err(e) => request_failed(out, "mw.request_id_echoed", "X-Request-Id echoed", e),
    }

    let missing = probe.get_with(PATH, &[("x-request-id", sent_id)]).await;
    match &missing {
        Ok(a) => {
            out.record(
                "mw.missing_token",
                is_error_body(a, &[401]),
                "no Authorization: 401 {\"error\":...}",
                a.describe(),
            );
            out.record(
                "mw.request_id_on_401",
                a.header("x-request-id") == sent_id,
                format!("X-Request-Id: {sent_id} also on the 401"),
                format!("X-Request-Id: {:?}", a.header("x-request-id")),
            );
        }
        Err(e) => {
            request_failed(out, "mw.missing_token", "401", e);
            request_failed(out, "mw.request_id_on_401", "X-Request-Id on the 401", e);
        }
    }

    let now = now_unix();
    let claims = json!({"sub": "podium-verify", "iat": now, "exp": now + 300});
    let cases: [(&str, &str, Vec<String>); 5] = [
        (
            "mw.expired_token",
            "expired token (exp in the past)",
            vec![encode(
                Algorithm::Hs256,
                &json!({"sub": "podium-verify", "iat": now - 600, "exp": now - 300}),
                secret,
            )],
        ),
        (
            "mw.alg_none",
            "token with alg \"none\"",
            vec![encode(Algorithm::None, &claims, secret)],
        ),
        (
            "mw.wrong_alg",
            "token signed with HS384",
            vec![encode(Algorithm::Hs384, &claims, secret)],
        ),
        (
            "mw.bad_signature",
            "HS256 token signed with another secret",
            vec![encode(Algorithm::Hs256, &claims, b"not-the-secret")],
        ),
        (
            "mw.malformed_token",
            "malformed tokens and schemes",
            vec![
                "not.a.jwt".into(),
                String::new(),
                format!("{valid}x"),
                valid.split('.').take(2).collect::<Vec<_>>().join("."),
            ],
        ),
    ];
    for (id, what, tokens) in cases {
        let expected = format!("{what}: 401 {{\"error\":...}}");
        let mut failures = Vec::new();
        for token in &tokens {
            let header = format!("Bearer {token}");
            match probe.get_with(PATH, &[("authorization", &header)]).await {
                Ok(a) if is_error_body(&a, &[401]) => {}
                Ok(a) => failures.push(format!("Bearer {token} → {}", a.describe())),
                Err(e) => failures.push(format!("Bearer {token} → {e}")),
            }
        }
        if id == "mw.malformed_token" {
            // The right token under the wrong scheme is not a bearer token either.
            let basic = format!("Basic {valid}");
            match probe.get_with(PATH, &[("authorization", &basic)]).await {
                Ok(a) if is_error_body(&a, &[401]) => {}
                Ok(a) => failures.push(format!("Basic <valid token> → {}", a.describe())),
                Err(e) => failures.push(format!("Basic <valid token> → {e}")),
            }
        }
        let actual = if failures.is_empty() {
            "rejected with 401".to_string()
        } else {
            failures.join("; ")
        };
        out.record(id, failures.is_empty(), expected, actual);
    }
}
