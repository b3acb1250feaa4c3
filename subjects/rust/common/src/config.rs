use std::net::{IpAddr, Ipv4Addr, SocketAddr};
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

/// `$LISTEN_HOST:$PORT`, `LISTEN_HOST` defaulting to 127.0.0.1 (Podium sets it to the
/// server's veth address when the server runs in its own network namespace) and
/// `PORT` to 8080.
///
/// # Panics
/// When `PORT` is set but is not a port number, or `LISTEN_HOST` is set but is not an
/// IP address: a subject must not silently listen somewhere Podium does not expect.
pub fn addr() -> SocketAddr {
    listen_addr(
        std::env::var("PORT").ok().as_deref(),
        std::env::var("LISTEN_HOST").ok().as_deref(),
    )
}

/// [`addr`] from the variables' values (`None`: unset).
fn listen_addr(port: Option<&str>, host: Option<&str>) -> SocketAddr {
    let port = match port {
        Some(port) => port
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("PORT must be a port number, got {port:?}")),
        None => DEFAULT_PORT,
    };
    let host = match host.map(str::trim) {
        Some(host) if !host.is_empty() => host.parse().unwrap_or_else(|_| {
            panic!("LISTEN_HOST must be an IP address such as 127.0.0.1, got {host:?}")
        }),
        _ => IpAddr::V4(Ipv4Addr::LOCALHOST),
    };
    SocketAddr::new(host, port)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addr_defaults_and_overrides() {
        assert_eq!(listen_addr(None, None).to_string(), "127.0.0.1:8080");
        assert_eq!(
            listen_addr(Some("9000"), Some("")).to_string(),
            "127.0.0.1:9000"
        );
        assert_eq!(
            listen_addr(Some("9000"), Some(" 10.213.0.2 ")).to_string(),
            "10.213.0.2:9000"
        );
        assert_eq!(listen_addr(Some("1"), Some("::1")).to_string(), "[::1]:1");
    }

    #[test]
    #[should_panic(
        expected = "LISTEN_HOST must be an IP address such as 127.0.0.1, got \"localhost\""
    )]
    fn listen_host_must_be_an_ip_address() {
        listen_addr(None, Some("localhost"));
    }

    #[test]
    #[should_panic(expected = "PORT must be a port number")]
    fn port_must_be_a_number() {
        listen_addr(Some("http"), None);
    }
}
