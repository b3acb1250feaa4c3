//! Go subjects: a CPU profile fetched from `net/http/pprof`.

use crate::CpuProfile;
use crate::error::ProfileError;
use crate::folded::{FoldedStacks, ProfileSource};
use crate::http;
use crate::pprof::{Profile, decode_pprof};
use std::time::Duration;

/// How long past the profile's own duration to wait for the answer: the server has to
/// stop the profiler, symbolise and compress, which takes well under a second, but a
/// machine saturated by the benchmark itself can be slow.
const FETCH_SLACK: Duration = Duration::from_secs(15);

/// How much of an error body to quote.
const BODY_QUOTE_BYTES: usize = 300;

/// Asks a Go server for a `seconds`-long CPU profile (`GET
/// {base_url}/debug/pprof/profile?seconds=N`) and returns the raw (gzip) bytes. The
/// request blocks for the profile's duration, so load must run meanwhile.
pub fn fetch_go_cpu_profile(base_url: &str, seconds: u32) -> Result<Vec<u8>, ProfileError> {
    if seconds == 0 {
        // Go reads seconds=0 as "use the default", 30 s: never what the caller meant.
        return Err(ProfileError::InvalidRequest {
            detail: "a CPU profile must last at least 1 second".into(),
        });
    }
    let url = format!(
        "{}/debug/pprof/profile?seconds={seconds}",
        base_url.trim_end_matches('/')
    );
    let timeout = Duration::from_secs(u64::from(seconds)) + FETCH_SLACK;
    let response = http::get(&url, timeout).map_err(|reason| ProfileError::Fetch {
        url: url.clone(),
        reason,
    })?;
    if response.status != 200 {
        let quoted = &response.body[..response.body.len().min(BODY_QUOTE_BYTES)];
        return Err(ProfileError::HttpStatus {
            url,
            status: response.status,
            body_start: String::from_utf8_lossy(quoted).trim().to_string(),
        });
    }
    Ok(response.body)
}

/// Profiles a Go server for `seconds` through its pprof endpoint and folds the result
/// (weights in nanoseconds of CPU time).
pub fn go_cpu_profile(base_url: &str, seconds: u32) -> Result<CpuProfile, ProfileError> {
    let bytes = fetch_go_cpu_profile(base_url, seconds)?;
    let profile = decode_pprof(&bytes)?;
    let folded = FoldedStacks::from_pprof(&profile)?;
    Ok(CpuProfile {
        source: ProfileSource::GoPprof,
        seconds,
        samples: sample_count(&profile),
        folded,
    })
}

/// The number of samples the profiler took: the `samples` value summed when the profile
/// has one (Go merges identical stacks into one Sample with a count), else one per
/// Sample message.
fn sample_count(profile: &Profile) -> u64 {
    let samples_index = profile.sample_type.iter().position(|t| {
        usize::try_from(t.r#type)
            .ok()
            .and_then(|i| profile.string_table.get(i))
            .is_some_and(|name| name == "samples")
    });
    match samples_index {
        Some(i) => profile
            .sample
            .iter()
            .filter_map(|s| s.value.get(i))
            .map(|v| u64::try_from(*v).unwrap_or(0))
            .fold(0u64, u64::saturating_add),
        None => profile.sample.len() as u64,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    #[test]
    fn zero_seconds_is_refused_before_any_request() {
        let err = fetch_go_cpu_profile("http://127.0.0.1:1", 0).unwrap_err();
        assert!(matches!(err, ProfileError::InvalidRequest { .. }), "{err}");
    }

    #[test]
    fn a_non_200_answer_quotes_status_and_body() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}/", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            let (mut socket, _) = listener.accept().unwrap();
            let mut request = [0u8; 2048];
            let n = socket.read(&mut request).unwrap();
            let body = "Could not enable CPU profiling: cpu profiling already in use\n";
            write!(
                socket,
                "HTTP/1.1 500 Internal Server Error\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
            String::from_utf8_lossy(&request[..n]).to_string()
        });
        let err = fetch_go_cpu_profile(&base, 2).unwrap_err();
        let request = server.join().unwrap();
        assert!(
            request.starts_with("GET /debug/pprof/profile?seconds=2 HTTP/1.1\r\n"),
            "{request}"
        );
        match &err {
            ProfileError::HttpStatus {
                status, body_start, ..
            } => {
                assert_eq!(*status, 500);
                assert!(body_start.contains("already in use"), "{body_start}");
            }
            other => panic!("unexpected {other}"),
        }
        assert!(err.to_string().contains("HTTP 500"), "{err}");
    }

    #[test]
    fn an_unreachable_server_is_a_fetch_error() {
        let port = {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let err = go_cpu_profile(&format!("http://127.0.0.1:{port}"), 1).unwrap_err();
        assert!(matches!(err, ProfileError::Fetch { .. }), "{err}");
    }
}
