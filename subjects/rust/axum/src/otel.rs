//! The OpenTelemetry variant (feature `otel`): opentelemetry-rust-contrib's tower
//! layer (`opentelemetry-instrumentation-tower`, axum feature) around every route,
//! which reads the matched route for `http.route`, makes the SERVER span and
//! records `http.server.*` metrics; plus `GET /otel/downstream`.

use std::collections::HashMap;

use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use opentelemetry::Context;
use opentelemetry_instrumentation_tower::http::server::Layer;
use podium_subject_common::otel;

pub use otel::must_start;

/// Adds the downstream route and the instrumentation layer; `Router::layer`
/// wraps each route, so the layer sees axum's `MatchedPath`.
pub fn instrument(app: Router) -> Router {
    app.route("/otel/downstream", get(downstream))
        .layer(Layer::new())
}

async fn downstream(Query(query): Query<HashMap<String, String>>) -> (StatusCode, String) {
    // The layer attaches the server span's context while the handler is polled.
    let cx = Context::current();
    let (status, body) =
        otel::downstream(otel::client(), &cx, query.get("url").map(String::as_str)).await;
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
        body,
    )
}
