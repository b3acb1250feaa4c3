//! Podium subject: the contract (`subjects/CONTRACT.md`) served with axum.

use std::io;

use axum::extract::rejection::JsonRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{DefaultBodyLimit, Path, Request};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use podium_subject_common as common;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

#[cfg(feature = "otel")] // otel: the OpenTelemetry variant's hooks
mod otel;

fn main() -> io::Result<()> {
    // What #[tokio::main] expands to, with the worker count from common::workers()
    // so that WORKERS means the same for every Rust subject.
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(common::workers())
        .enable_all()
        .build()?
        .block_on(serve())
}

async fn serve() -> io::Result<()> {
    let listener = TcpListener::bind(common::addr()).await?;
    let shutdown = common::shutdown_signal();
    #[cfg(feature = "otel")] // otel: providers from the OTEL_* variables
    let telemetry = otel::must_start();
    let app = app(); // otel: a binding the variant can wrap
    #[cfg(feature = "otel")] // otel: instrumentation layer and /otel/downstream
    let app = otel::instrument(app);

    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .into_future(),
    );

    shutdown.await;
    let _ = stop.send(());
    // Graceful shutdown waits for in-flight requests without a bound; the contract
    // wants the process gone within 5 s, so stragglers are dropped after the timeout.
    let served = match tokio::time::timeout(common::SHUTDOWN_TIMEOUT, server).await {
        Ok(joined) => joined.map_err(io::Error::other)?,
        Err(_elapsed) => Ok(()),
    }; // otel: the result is kept until the telemetry is flushed
    #[cfg(feature = "otel")] // otel: export what is buffered before exiting
    telemetry.flush_async().await;
    served // otel: the result kept above
}

fn app() -> Router {
    Router::new()
        .route("/ping", get(ping))
        .route("/json", get(hello))
        .route("/users", post(create_user))
        .route("/users/{id}", get(get_user))
        .route("/rpc", post(rpc))
        .route("/ws", get(ws))
        .route("/metrics", get(metrics))
        .route("/config/greeting", get(common::serve_greeting))
        .nest("/mw", protected(Router::new().route("/ping", get(ping))))
        // Applies to the Json and Bytes extractors: a larger body is refused with 413.
        .layer(DefaultBodyLimit::max(common::MAX_BODY_BYTES))
        .layer(middleware::from_fn(count_requests))
}

/// The `/mw` chain: recover → request id → JWT. ServiceBuilder lists layers
/// outermost first; the request id is set before the JWT check runs, so a 401
/// carries it too.
fn protected(routes: Router) -> Router {
    routes.layer(
        ServiceBuilder::new()
            .layer(CatchPanicLayer::new())
            .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
            .layer(PropagateRequestIdLayer::x_request_id())
            .layer(middleware::from_fn(require_jwt)),
    )
}

async fn count_requests(request: Request, next: Next) -> Response {
    common::count_request(request.uri().path());
    next.run(request).await
}

async fn require_jwt(request: Request, next: Next) -> Result<Response, ApiError> {
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    common::verify_bearer(authorization)
        .map_err(|err| ApiError(StatusCode::UNAUTHORIZED, err.to_string()))?;
    Ok(next.run(request).await)
}

/// An error answered as `{"error": "..."}` with its status.
struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(common::ErrorBody::new(self.1))).into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        // Keep 413 for an oversized body; every other rejection (syntax, wrong
        // shape or type, missing content type) is the contract's 400.
        let status = match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        Self(status, rejection.body_text())
    }
}

impl From<common::ValidationError> for ApiError {
    fn from(err: common::ValidationError) -> Self {
        Self(StatusCode::BAD_REQUEST, err.to_string())
    }
}

async fn ping() -> &'static str {
    "pong"
}

async fn hello() -> Json<common::Message> {
    Json(common::HELLO_WORLD)
}

async fn get_user(Path(id): Path<String>) -> Json<common::UserView> {
    Json(common::get_user(&id))
}

async fn create_user(
    payload: Result<Json<common::CreateUser>, JsonRejection>,
) -> Result<(StatusCode, Json<common::User>), ApiError> {
    let Json(request) = payload?;
    Ok((StatusCode::CREATED, Json(request.create()?)))
}

async fn rpc(body: axum::body::Bytes) -> Response {
    match common::handle_rpc(&body) {
        Some(response) => ([(header::CONTENT_TYPE, "application/json")], response).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

async fn ws(upgrade: WebSocketUpgrade) -> Response {
    upgrade
        .max_message_size(common::WS_READ_LIMIT)
        .max_frame_size(common::WS_READ_LIMIT)
        .on_upgrade(echo)
}

async fn echo(mut socket: WebSocket) {
    while let Some(Ok(message)) = socket.recv().await {
        match message {
            Message::Text(_) | Message::Binary(_) => {
                if socket.send(message).await.is_err() {
                    return;
                }
            }
            // tungstenite answers Ping and Close frames itself; the next recv()
            // flushes the close reply and then ends the stream.
            Message::Ping(_) | Message::Pong(_) | Message::Close(_) => {}
        }
    }
}

async fn metrics() -> impl IntoResponse {
    let (content_type, body) = common::render_metrics();
    ([(header::CONTENT_TYPE, content_type)], body)
}

#[cfg(test)]
mod tests {
    use std::time::{SystemTime, UNIX_EPOCH};

    use axum::body::Body;
    use axum::http::{HeaderValue, Request as HttpRequest};
    use http_body_util::BodyExt;
    use jsonwebtoken::{EncodingKey, Header, encode};
    use tower::ServiceExt;

    use super::*;

    fn token() -> String {
        let exp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 300;
        encode(
            &Header::default(),
            &serde_json::json!({ "exp": exp }),
            &EncodingKey::from_secret(&common::jwt_secret()),
        )
        .unwrap()
    }

    fn chain() -> Router {
        async fn boom() -> &'static str {
            panic!("handler panic")
        }
        protected(
            Router::new()
                .route("/ping", get(ping))
                .route("/boom", get(boom)),
        )
    }

    async fn call(router: Router, path: &str, headers: &[(&str, &str)]) -> Response {
        let mut request = HttpRequest::get(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        router
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn valid_token_passes_and_gets_an_id() {
        let auth = format!("Bearer {}", token());
        let response = call(chain(), "/ping", &[("authorization", &auth)]).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(!response.headers()["x-request-id"].is_empty());
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"pong");
    }

    #[tokio::test]
    async fn client_request_id_is_echoed_on_401() {
        let response = call(chain(), "/ping", &[("x-request-id", "abc")]).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.headers().get("x-request-id"),
            Some(&HeaderValue::from_static("abc"))
        );
    }

    #[tokio::test]
    async fn panic_behind_the_chain_is_a_500_and_the_router_survives() {
        let router = chain();
        let auth = format!("Bearer {}", token());
        let response = call(router.clone(), "/boom", &[("authorization", &auth)]).await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let response = call(router, "/ping", &[("authorization", &auth)]).await;
        assert_eq!(response.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn missing_content_type_is_a_400_with_error_body() {
        let request = HttpRequest::post("/users")
            .body(Body::from(r#"{"name":"a","email":"a@b.co"}"#))
            .unwrap();
        let response = app().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(body["error"].is_string());
    }
}
