use std::future::Future;

use tokio::signal::unix::{SignalKind, signal};

/// Resolves on the first SIGTERM or SIGINT.
///
/// The handlers are installed when this function is called, not when the future
/// is first polled, so a signal that arrives while the server is still starting is
/// not lost (nor does it kill the process with the default action).
///
/// # Panics
/// Outside a Tokio runtime, or when the signal handlers cannot be installed.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    let mut term = signal(SignalKind::terminate()).expect("install SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("install SIGINT handler");
    async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::process::Command;
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn resolves_on_sigterm_sent_before_it_is_polled() {
        let signal = shutdown_signal();
        // Sent before the first poll: registration happened in shutdown_signal(),
        // so the signal is neither lost nor fatal to the test process.
        let status = Command::new("kill")
            .args(["-TERM", &std::process::id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
        tokio::time::timeout(Duration::from_secs(5), signal)
            .await
            .expect("shutdown_signal resolved");
    }
}
