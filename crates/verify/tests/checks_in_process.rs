//! The verifier's checks against small in-process servers that get one thing wrong
//! each: the check aimed at that fault must fail, with evidence, and its neighbours
//! must still pass.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use axum::Router;
use axum::extract::ws::{Message, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use podium_verify::{CheckOutcome, Outcomes, Probe, Runtime, Status, checks};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

async fn serve(app: Router) -> Probe {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Probe::new(&format!("http://{addr}"))
}

fn status_of(out: &[CheckOutcome], id: &str) -> Status {
    out.iter()
        .find(|o| o.id == id)
        .unwrap_or_else(|| panic!("no check {id}: {out:#?}"))
        .status
}

fn evidence(out: &[CheckOutcome], id: &str) -> String {
    out.iter()
        .find(|o| o.id == id)
        .map(|o| o.actual.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn ping_with_wrong_body_and_type_fails_those_checks_only() {
    let app = Router::new().route(
        "/ping",
        get(|| async { ([(header::CONTENT_TYPE, "application/json")], "PONG") }),
    );
    let probe = serve(app).await;
    let mut out = Outcomes::default();
    checks::rest::run(&probe, &mut out).await;
    let out = out.0;
    assert_eq!(status_of(&out, "ping.status"), Status::Pass);
    assert_eq!(status_of(&out, "ping.content_type"), Status::Fail);
    assert_eq!(status_of(&out, "ping.body"), Status::Fail);
    assert_eq!(evidence(&out, "ping.body"), "\"PONG\"");
    // No /json route at all: 404 is the evidence.
    assert_eq!(status_of(&out, "json.status"), Status::Fail);
    assert!(evidence(&out, "json.status").starts_with("404"), "{out:#?}");
    assert_eq!(status_of(&out, "routing.unknown_route"), Status::Pass);
    assert_eq!(status_of(&out, "routing.wrong_method"), Status::Pass);
}

#[tokio::test]
async fn users_that_accepts_everything_fails_every_validation_check() {
    let app = Router::new()
        .route(
            "/users",
            post(|body: String| async move {
                let name = serde_json::from_str::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v.get("name").cloned())
                    .unwrap_or_default();
                let email = serde_json::from_str::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v.get("email").cloned())
                    .unwrap_or_default();
                (
                    StatusCode::CREATED,
                    axum::Json(serde_json::json!({"id": 1, "name": name, "email": email})),
                )
            }),
        )
        .route("/ping", get(|| async { "pong" }))
        .layer(axum::extract::DefaultBodyLimit::disable());
    let probe = serve(app).await;
    let mut out = Outcomes::default();
    checks::users::run(&probe, &mut out).await;
    let out = out.0;
    assert_eq!(
        status_of(&out, "users_post.created"),
        Status::Pass,
        "{out:#?}"
    );
    assert_eq!(status_of(&out, "users_post.unique_ids"), Status::Fail);
    assert_eq!(evidence(&out, "users_post.unique_ids"), "ids 1 and 1");
    for id in [
        "bad_json",
        "not_object",
        "missing_field",
        "blank_name",
        "wrong_type",
        "bad_email",
        "too_large",
    ] {
        assert_eq!(
            status_of(&out, &format!("users_post.{id}")),
            Status::Fail,
            "{id}: {out:#?}"
        );
    }
    assert_eq!(status_of(&out, "users_post.survives_large"), Status::Pass);
}

#[tokio::test]
async fn rpc_compares_sums_numerically_and_ids_exactly() {
    // Always answers `3.0` for id 1: right for add [1,2] (3 == 3.0), wrong for everything else.
    let app = Router::new().route(
        "/rpc",
        post(|| async {
            (
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"jsonrpc":"2.0","result":3.0,"id":1}"#,
            )
        }),
    );
    let probe = serve(app).await;
    let mut out = Outcomes::default();
    checks::rpc::run(&probe, &mut out).await;
    let out = out.0;
    assert_eq!(
        status_of(&out, "rpc.add_positional"),
        Status::Pass,
        "{out:#?}"
    );
    for id in [
        "rpc.add_named",
        "rpc.echo",
        "rpc.parse_error",
        "rpc.invalid_request",
        "rpc.method_not_found",
        "rpc.invalid_params",
        "rpc.notification",
        "rpc.notification_batch",
        "rpc.batch",
        "rpc.empty_batch",
        "rpc.invalid_batch",
    ] {
        assert_eq!(status_of(&out, id), Status::Fail, "{id}");
    }
}

#[tokio::test]
async fn jwt_middleware_that_accepts_any_bearer_fails_the_token_checks() {
    let app = Router::new().route(
        "/mw/ping",
        get(|headers: HeaderMap| async move {
            let id = headers
                .get("x-request-id")
                .cloned()
                .unwrap_or_else(|| "generated".parse().unwrap());
            let mut h = HeaderMap::new();
            h.insert("x-request-id", id);
            if headers.get(header::AUTHORIZATION).is_some() {
                (
                    StatusCode::OK,
                    h,
                    [(header::CONTENT_TYPE, "text/plain")],
                    "pong".to_string(),
                )
                    .into_response()
            } else {
                (
                    StatusCode::UNAUTHORIZED,
                    h,
                    axum::Json(serde_json::json!({"error": "no token"})),
                )
                    .into_response()
            }
        }),
    );
    let probe = serve(app).await;
    let mut out = Outcomes::default();
    checks::mw::run(&probe, &Default::default(), &mut out).await;
    let out = out.0;
    for id in [
        "mw.valid_token",
        "mw.request_id_generated",
        "mw.request_id_echoed",
        "mw.missing_token",
        "mw.request_id_on_401",
    ] {
        assert_eq!(status_of(&out, id), Status::Pass, "{id}: {out:#?}");
    }
    for id in [
        "mw.expired_token",
        "mw.alg_none",
        "mw.wrong_alg",
        "mw.bad_signature",
        "mw.malformed_token",
    ] {
        assert_eq!(status_of(&out, id), Status::Fail, "{id}");
        assert!(
            evidence(&out, id).contains("→ 200"),
            "{id}: {}",
            evidence(&out, id)
        );
    }
}

#[tokio::test]
async fn request_counter_must_rise_by_exactly_the_requests_sent() {
    let count = Arc::new(AtomicU64::new(0));
    let (c1, c2) = (count.clone(), count.clone());
    // Counts every /ping twice, and has no process collector.
    let app = Router::new()
        .route(
            "/ping",
            get(move || {
                c1.fetch_add(2, Ordering::SeqCst);
                async { "pong" }
            }),
        )
        .route(
            "/metrics",
            get(move || {
                let n = c2.load(Ordering::SeqCst);
                async move {
                    (
                        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                        format!("# TYPE http_requests_total counter\nhttp_requests_total{{code=\"200\"}} {n}\nprocess_threads 4\n"),
                    )
                }
            }),
        );
    let probe = serve(app).await;
    let mut out = Outcomes::default();
    checks::metrics::run(&probe, Runtime::Rust, &mut out).await;
    let out = out.0;
    assert_eq!(status_of(&out, "metrics.format"), Status::Pass, "{out:#?}");
    assert_eq!(status_of(&out, "metrics.request_counter"), Status::Fail);
    assert!(
        evidence(&out, "metrics.request_counter").ends_with("(+50)"),
        "{out:#?}"
    );
    assert_eq!(status_of(&out, "metrics.process_collector"), Status::Fail);
    assert_eq!(status_of(&out, "metrics.runtime_collector"), Status::Pass);
}

#[tokio::test]
async fn websocket_that_answers_text_with_binary_fails_the_text_check() {
    let app = Router::new().route(
        "/ws",
        get(|ws: WebSocketUpgrade| async move {
            ws.on_upgrade(|mut socket| async move {
                while let Some(Ok(msg)) = socket.recv().await {
                    let reply = match msg {
                        Message::Text(t) => Message::Binary(t.as_bytes().to_vec().into()),
                        // The library answers the close frame on the next poll.
                        Message::Close(_) => continue,
                        other => other,
                    };
                    if socket.send(reply).await.is_err() {
                        break;
                    }
                }
            })
        }),
    );
    let probe = serve(app).await;
    let mut out = Outcomes::default();
    checks::ws::run(&probe, &mut out).await;
    let out = out.0;
    assert_eq!(status_of(&out, "ws.text"), Status::Fail, "{out:#?}");
    assert!(evidence(&out, "ws.text").starts_with("binary"), "{out:#?}");
    assert_eq!(status_of(&out, "ws.binary"), Status::Pass);
    assert_eq!(status_of(&out, "ws.large"), Status::Pass, "{out:#?}");
    assert_eq!(status_of(&out, "ws.close"), Status::Pass, "{out:#?}");
}

#[tokio::test]
async fn a_server_that_is_not_there_fails_with_a_reason_not_a_panic() {
    let port = podium_subjects::free_port().unwrap();
    let probe = Probe::new(&format!("http://127.0.0.1:{port}"));
    let out = podium_verify::check_contract(probe.base(), &Default::default()).await;
    assert!(out.iter().all(|o| o.status != Status::Pass), "{out:#?}");
    assert!(
        evidence(&out, "ping.status").contains("could not connect"),
        "{out:#?}"
    );
    assert!(evidence(&out, "ws.text").contains("failed"), "{out:#?}");
}
