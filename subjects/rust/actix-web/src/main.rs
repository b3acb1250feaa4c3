//! Podium subject: the contract (`subjects/CONTRACT.md`) served with actix-web.

use std::fmt;
use std::io;
use std::panic::AssertUnwindSafe;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::error::{ErrorInternalServerError, InternalError, JsonPayloadError};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::{Next, from_fn};
use actix_web::{
    App, Error, HttpRequest, HttpResponse, HttpServer, Responder, ResponseError, Scope, get, post,
    web,
};
use actix_ws::AggregatedMessage;
use futures_util::FutureExt;
use podium_subject_common as common;

#[cfg(feature = "otel")] // otel: the OpenTelemetry variant's hooks
mod otel;

#[actix_web::main]
async fn main() -> io::Result<()> {
    #[cfg(feature = "otel")] // otel: providers from the OTEL_* variables
    let telemetry = otel::must_start();
    let served = HttpServer::new(|| {
        let app = App::new().configure(routes).wrap(from_fn(count_requests));
        #[cfg(feature = "otel")] // otel: /otel/downstream, metrics and tracing middleware
        let app = app
            .configure(otel::routes)
            .wrap(otel::RequestMetrics::default())
            .wrap(otel::RequestTracing::new());
        app
    })
    .workers(common::workers())
    // Our own future instead of actix's signal handling: actix treats SIGINT as a
    // forced stop, the contract wants SIGINT to be as graceful as SIGTERM.
    .shutdown_signal(common::shutdown_signal())
    .shutdown_timeout(common::SHUTDOWN_TIMEOUT.as_secs())
    .bind(common::addr())?
    .run()
    .await;
    #[cfg(feature = "otel")] // otel: export what is buffered before exiting
    telemetry.flush_async().await;
    served
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(common::MAX_BODY_BYTES)
            .error_handler(json_error),
    )
    // For the Bytes extractor of /rpc; actix's default is 256 KiB.
    .app_data(web::PayloadConfig::new(common::MAX_BODY_BYTES))
    .service(ping)
    .service(hello)
    .service(create_user)
    .service(get_user)
    .service(rpc)
    .service(ws)
    .service(metrics)
    .route("/config/greeting", web::get().to(common::serve_greeting))
    .service(mw_scope().service(ping));
}

/// The `/mw` scope and its chain. `wrap` registers outward (the last one runs
/// first), so a request goes recover → request id → JWT → handler.
fn mw_scope() -> Scope<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    web::scope("/mw")
        .wrap(from_fn(require_jwt))
        .wrap(from_fn(request_id))
        .wrap(from_fn(recover))
}

async fn count_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    common::count_request(req.path());
    next.call(req).await
}

/// actix-web has no recover middleware: a panicking handler unwinds out of the
/// connection's task, so the worker survives but the client gets no response at all.
/// This turns the panic into a 500.
async fn recover(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    // Calling inside the async block also catches a panic raised while the inner
    // service builds its future, not only while it is polled. The request cannot be
    // kept for building the 500 here (a cloned HttpRequest breaks actix's routing
    // further in), so the 500 travels out as an Error, which actix renders.
    AssertUnwindSafe(async move { next.call(req).await })
        .catch_unwind()
        .await
        .unwrap_or_else(|_panic| Err(ErrorInternalServerError("internal server error")))
}

/// actix-web has no request-id middleware; this one keeps a client's `X-Request-Id`
/// or makes one, and sets it on the response, error responses (the JWT 401) included.
async fn request_id(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let name = HeaderName::from_static(common::REQUEST_ID_HEADER);
    let id = match req.headers().get(&name) {
        Some(id) => id.clone(),
        None => {
            let id = HeaderValue::try_from(common::new_request_id())
                .expect("a UUID is a valid header value");
            // Visible to later middleware and handlers, as with tower-http's SetRequestId.
            req.headers_mut().insert(name.clone(), id.clone());
            id
        }
    };
    match next.call(req).await {
        Ok(mut response) => {
            response.headers_mut().insert(name, id);
            Ok(response)
        }
        // An Error only becomes a response further out, past this middleware; render
        // it now so that it carries the id too.
        Err(err) => {
            let mut response = err.error_response();
            response.headers_mut().insert(name, id);
            Err(InternalError::from_response(err, response).into())
        }
    }
}

async fn require_jwt(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    common::verify_bearer(authorization)
        .map_err(|err| ApiError::new(StatusCode::UNAUTHORIZED, err))?;
    next.call(req).await
}

/// An error answered as `{"error": "..."}` with its status.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl ToString) -> Self {
        Self {
            status,
            message: message.to_string(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status).json(common::ErrorBody::new(&self.message))
    }
}

impl From<common::ValidationError> for ApiError {
    fn from(err: common::ValidationError) -> Self {
        Self::new(StatusCode::BAD_REQUEST, err)
    }
}

fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> Error {
    // Keep 413 for an oversized body; every other failure (syntax, wrong shape or
    // type, missing content type) is the contract's 400.
    let status = match err {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            StatusCode::PAYLOAD_TOO_LARGE
        }
        _ => StatusCode::BAD_REQUEST,
    };
    ApiError::new(status, err).into()
}

#[get("/ping")]
async fn ping() -> &'static str {
    "pong"
}

#[get("/json")]
async fn hello() -> web::Json<common::Message> {
    web::Json(common::HELLO_WORLD)
}

#[get("/users/{id}")]
async fn get_user(id: web::Path<String>) -> web::Json<common::UserView> {
    web::Json(common::get_user(&id))
}

#[post("/users")]
async fn create_user(request: web::Json<common::CreateUser>) -> Result<impl Responder, ApiError> {
    let user = request.into_inner().create()?;
    Ok((web::Json(user), StatusCode::CREATED))
}

#[post("/rpc")]
async fn rpc(body: web::Bytes) -> HttpResponse {
    match common::handle_rpc(&body) {
        Some(response) => HttpResponse::Ok()
            .content_type(header::ContentType::json())
            .body(response),
        None => HttpResponse::NoContent().finish(),
    }
}

#[get("/ws")]
async fn ws(req: HttpRequest, body: web::Payload) -> Result<HttpResponse, Error> {
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    // actix-ws's default frame limit is 64 KiB, below the contract's 1 MiB.
    let stream = stream
        .max_frame_size(common::WS_READ_LIMIT)
        .aggregate_continuations()
        .max_continuation_size(common::WS_READ_LIMIT);
    actix_web::rt::spawn(echo(session, stream));
    Ok(response)
}

async fn echo(mut session: actix_ws::Session, mut stream: actix_ws::AggregatedMessageStream) {
    while let Some(Ok(message)) = stream.recv().await {
        let sent = match message {
            AggregatedMessage::Text(text) => session.text(text).await,
            AggregatedMessage::Binary(bytes) => session.binary(bytes).await,
            AggregatedMessage::Ping(bytes) => session.pong(&bytes).await,
            AggregatedMessage::Pong(_) => Ok(()),
            // actix-ws leaves the close handshake to us: answer with the peer's code.
            AggregatedMessage::Close(reason) => {
                let _ = session.close(reason).await;
                return;
            }
        };
        if sent.is_err() {
            return;
        }
    }
    let _ = session.close(None).await;
}

#[get("/metrics")]
async fn metrics() -> HttpResponse {
    let (content_type, body) = common::render_metrics();
    HttpResponse::Ok().content_type(content_type).body(body)
}

#[cfg(test)]
mod tests {
    use std::time::{SystemTime, UNIX_EPOCH};

    use actix_web::test;
    use jsonwebtoken::{EncodingKey, Header, encode};

    use super::*;

    fn bearer() -> (header::HeaderName, String) {
        let exp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 300;
        let token = encode(
            &Header::default(),
            &serde_json::json!({ "exp": exp }),
            &EncodingKey::from_secret(&common::jwt_secret()),
        )
        .unwrap();
        (header::AUTHORIZATION, format!("Bearer {token}"))
    }

    async fn boom() -> &'static str {
        panic!("handler panic")
    }

    #[actix_web::test]
    async fn valid_token_passes_and_gets_an_id() {
        let app = test::init_service(App::new().service(mw_scope().service(ping))).await;
        let req = test::TestRequest::get()
            .uri("/mw/ping")
            .insert_header(bearer())
            .to_request();
        let res = test::call_service(&app, req).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(!res.headers().get("x-request-id").unwrap().is_empty());
        assert_eq!(&test::read_body(res).await[..], b"pong");
    }

    #[actix_web::test]
    async fn client_request_id_is_echoed_on_401() {
        let app = test::init_service(App::new().service(mw_scope().service(ping))).await;
        let req = test::TestRequest::get()
            .uri("/mw/ping")
            .insert_header(("x-request-id", "abc"))
            .to_request();
        // The 401 leaves the scope as an Error; call_service would not render it.
        let err = test::try_call_service(&app, req).await.unwrap_err();
        let res = err.error_response();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(res.headers().get("x-request-id").unwrap(), "abc");
    }

    #[actix_web::test]
    async fn panic_behind_the_chain_is_a_500_and_the_app_survives() {
        let app = test::init_service(
            App::new().service(mw_scope().service(ping).route("/boom", web::get().to(boom))),
        )
        .await;
        let req = test::TestRequest::get()
            .uri("/mw/boom")
            .insert_header(bearer())
            .to_request();
        let err = test::try_call_service(&app, req).await.unwrap_err();
        assert_eq!(
            err.error_response().status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        let req = test::TestRequest::get()
            .uri("/mw/ping")
            .insert_header(bearer())
            .to_request();
        assert_eq!(test::call_service(&app, req).await.status(), StatusCode::OK);
    }

    #[actix_web::test]
    async fn missing_content_type_is_a_400_with_error_body() {
        let app = test::init_service(App::new().configure(routes)).await;
        let req = test::TestRequest::post()
            .uri("/users")
            .set_payload(r#"{"name":"a","email":"a@b.co"}"#)
            .to_request();
        let res = test::call_service(&app, req).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let body: serde_json::Value = test::read_body_json(res).await;
        assert!(body["error"].is_string());
    }
}
