//! Checks that need control of the subject's process: it logs nothing per request, it
//! finishes in-flight requests and exits cleanly on SIGTERM, and it leaves no process
//! behind. They end the subject, so they run last.

use crate::{CheckOutcome, Outcomes, Probe};
use podium_subjects::{Exit, RunningSubject};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The contract's limit from SIGTERM to exit.
pub const EXIT_LIMIT: Duration = Duration::from_secs(5);
/// How long Podium waits before killing a subject that ignores SIGTERM.
const KILL_AFTER: Duration = Duration::from_secs(8);

/// Runs the lifecycle checks; the subject is stopped afterwards.
pub async fn check_lifecycle(subject: &mut RunningSubject) -> Vec<CheckOutcome> {
    let mut out = Outcomes::default();
    quiet_logs(subject, &mut out).await;
    graceful_stop(subject, &mut out).await;
    out.0
}

async fn quiet_logs(subject: &RunningSubject, out: &mut Outcomes) {
    let probe = Probe::new(&subject.base_url());
    // Let start-up output settle before measuring.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = subject.output_len();
    let mut sent = 0;
    for i in 0..20 {
        let requests = [
            probe.get("/ping").await,
            probe.get("/json").await,
            probe.get(&format!("/users/{i}")).await,
            probe.get("/mw/ping").await,
            probe
                .post_json("/users", r#"{"name":"Quiet","email":"quiet@example.com"}"#)
                .await,
            probe.post_json("/users", "{bad json").await,
            probe
                .post_json(
                    "/rpc",
                    r#"{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}"#,
                )
                .await,
        ];
        sent += requests.iter().filter(|r| r.is_ok()).count();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let grown = subject.output_len().saturating_sub(before);
    let actual = if grown == 0 {
        format!("{sent} requests, 0 bytes of output")
    } else {
        let tail = subject.output_tail(1);
        format!("{sent} requests wrote {grown} bytes of output, e.g. {tail:?}")
    };
    out.record(
        "lifecycle.quiet_logs",
        grown == 0 && sent == 140,
        "no output per request (140 mixed requests)",
        actual,
    );
}

/// Sends half of a `POST /users`, SIGTERM, then the other half: the answer must still
/// arrive, and the process must then exit 0 within [`EXIT_LIMIT`].
async fn graceful_stop(subject: &mut RunningSubject, out: &mut Outcomes) {
    let body = br#"{"name":"In Flight","email":"inflight@example.com"}"#;
    let (first, second) = body.split_at(body.len() / 2);
    let head = format!(
        "POST /users HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        subject.addr(),
        body.len()
    );
    let in_flight = async {
        let mut stream = TcpStream::connect(subject.addr())
            .await
            .map_err(|e| format!("connect: {e}"))?;
        stream
            .write_all(head.as_bytes())
            .await
            .map_err(|e| format!("write: {e}"))?;
        stream
            .write_all(first)
            .await
            .map_err(|e| format!("write: {e}"))?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        subject.send_term();
        tokio::time::sleep(Duration::from_millis(500)).await;
        stream
            .write_all(second)
            .await
            .map_err(|e| format!("the rest of the body could not be sent after SIGTERM: {e}"))?;
        read_status(&mut stream).await
    };
    let expected = "a request in flight at SIGTERM is answered (201)";
    match tokio::time::timeout(Duration::from_secs(10), in_flight).await {
        Ok(Ok(201)) => out.record(
            "lifecycle.graceful_shutdown",
            true,
            expected,
            "201 after SIGTERM",
        ),
        Ok(Ok(status)) => out.record(
            "lifecycle.graceful_shutdown",
            false,
            expected,
            format!("{status} after SIGTERM"),
        ),
        Ok(Err(e)) => out.record("lifecycle.graceful_shutdown", false, expected, e),
        Err(_) => out.record(
            "lifecycle.graceful_shutdown",
            false,
            expected,
            "no answer within 10 s of SIGTERM",
        ),
    }

    let report = subject.wait_stopped(KILL_AFTER);
    let exited_ok = report.exit == Exit::Code(0) && report.stop_time <= EXIT_LIMIT;
    out.record(
        "lifecycle.exit_on_sigterm",
        exited_ok,
        format!("exit status 0 within {} s of SIGTERM", EXIT_LIMIT.as_secs()),
        format!(
            "{} after {:.2} s",
            report.exit,
            report.stop_time.as_secs_f64()
        ),
    );
    let leftovers: Vec<String> = report
        .leftovers
        .iter()
        .map(|l| format!("pid {} `{}`", l.pid, l.command))
        .collect();
    out.record(
        "lifecycle.no_leftover_processes",
        leftovers.is_empty(),
        "no process left running after the subject exits",
        if leftovers.is_empty() {
            "none".to_string()
        } else {
            format!("left running (now killed): {}", leftovers.join(", "))
        },
    );
}

/// Reads one HTTP/1.1 response head and returns its status code.
async fn read_status(stream: &mut TcpStream) -> Result<u16, String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(2).position(|w| w == b"\r\n") {
            let line = String::from_utf8_lossy(&buf[..end]).into_owned();
            return line
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| format!("not an HTTP status line: {line:?}"));
        }
        match stream.read(&mut chunk).await {
            Ok(0) => return Err("connection closed without an answer after SIGTERM".to_string()),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => return Err(format!("read after SIGTERM: {e}")),
        }
    }
}
