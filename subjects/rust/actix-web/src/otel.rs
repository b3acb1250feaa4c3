//! The OpenTelemetry variant (feature `otel`): opentelemetry-rust-contrib's
//! actix-web instrumentation (`opentelemetry-instrumentation-actix-web`):
//! `RequestTracing` makes the SERVER span (route from actix's match pattern),
//! `RequestMetrics` records `http.server.request.duration`; plus
//! `GET /otel/downstream`.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use opentelemetry::Context;
use podium_subject_common::otel;

pub use opentelemetry_instrumentation_actix_web::{RequestMetrics, RequestTracing};
pub use otel::must_start;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(downstream);
}

#[get("/otel/downstream")]
async fn downstream(query: web::Query<HashMap<String, String>>) -> HttpResponse {
    // RequestTracing makes the server span's context current while the handler runs.
    let cx = Context::current();
    let (status, body) =
        otel::downstream(otel::client(), &cx, query.get("url").map(String::as_str)).await;
    HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY))
        .content_type("text/plain; charset=utf-8")
        .body(body)
}
