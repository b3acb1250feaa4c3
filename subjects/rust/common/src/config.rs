use std::net::{Ipv4Addr, SocketAddr};
use std::num::NonZeroUsize;
use std::time::Duration;

/// Largest request body accepted by `POST /users` and `POST /rpc`; larger ones get 413.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Largest WebSocket message payload the echo must carry.
pub const WS_MAX_MESSAGE_BYTES: usize = 1 << 20;

/// The message/frame size limit to configure on a WebSocket: the contract's largest
/// payload plus room for frame headers (the same slack the Go subjects allow).
pub const WS_READ_LIMIT: usize = WS_MAX_MESSAGE_BYTES + 1024;

/// Grace period for in-flight requests after SIGTERM; below the contract's 5 s so
/// that the process has exited by then even when a client stalls.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(4);

const DEFAULT_PORT: u16 = 8080;
const DEFAULT_JWT_SECRET: &str = "podium-jwt-secret-for-benchmarks-only";

/// `127.0.0.1:$PORT`, `PORT` defaulting to 8080.
///
/// # Panics
/// When `PORT` is set but is not a port number: a subject must not silently listen
/// somewhere Podium does not expect.
pub fn addr() -> SocketAddr {
    let port = match std::env::var("PORT") {
        Ok(port) => port
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("PORT must be a port number, got {port:?}")),
        Err(_) => DEFAULT_PORT,
    };
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// The HS256 secret: `$JWT_SECRET`, or the contract's benchmark default.
pub fn jwt_secret() -> Vec<u8> {
    std::env::var("JWT_SECRET")
        .map(String::into_bytes)
        .unwrap_or_else(|_| DEFAULT_JWT_SECRET.as_bytes().to_vec())
}

/// Worker threads: `$WORKERS` when set to a positive number, else the CPUs this
/// process may run on (`available_parallelism` honours affinity masks and cgroup
/// quotas, which Podium uses to isolate the server).
pub fn workers() -> usize {
    std::env::var("WORKERS")
        .ok()
        .and_then(|w| w.trim().parse::<NonZeroUsize>().ok())
        .or_else(|| std::thread::available_parallelism().ok())
        .map_or(1, NonZeroUsize::get)
}
