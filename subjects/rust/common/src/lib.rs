//! Framework-independent logic shared by Podium's Rust subjects (axum, actix-web).
//!
//! Everything the contract (`subjects/CONTRACT.md`) specifies beyond routing and
//! middleware wiring lives here, so that the subjects differ only in how their
//! framework is used, never in what they compute.

mod config;
mod dev_config;
mod jwt;
mod metrics;
#[cfg(feature = "otel")]
pub mod otel;
#[cfg(all(test, feature = "otel"))]
mod otel_tests;
mod request_id;
mod rpc;
mod shutdown;
mod users;

pub use config::{
    MAX_BODY_BYTES, SHUTDOWN_TIMEOUT, WS_MAX_MESSAGE_BYTES, WS_READ_LIMIT, addr, jwt_secret,
    workers,
};
pub use dev_config::{DEFAULT_GREETING, DEV_CONFIG_FILE, greeting, serve_greeting};
pub use jwt::{AuthError, verify_bearer};
pub use metrics::{count_request, render_metrics};
pub use request_id::{REQUEST_ID_HEADER, new_request_id};
pub use rpc::handle_rpc;
pub use shutdown::shutdown_signal;
pub use users::{
    CreateUser, ErrorBody, HELLO_WORLD, Message, User, UserView, ValidationError, get_user,
};
