//! Running a real subject under load while a profiler watches it.

use podium_load::{ClosedLoop, LoadReport};
use podium_subjects::{Catalog, LaunchOptions, OutputSink, RunningSubject, build};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The cache all crates' tests share, so each subject is built once.
pub fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("podium-cache")
}

/// Builds and starts subject `name`, keeps 8 connections of load on `path` going while
/// `profile(base_url, pid)` runs, then stops both. Returns what `profile` returned and
/// the load report, so the caller can check that load really ran.
pub fn profile_under_load<T>(
    name: &str,
    path: &str,
    profile: impl FnOnce(&str, u32) -> T,
) -> (T, LoadReport) {
    let cache = cache_dir();
    let catalog = Catalog::load(&cache, &[]).unwrap();
    let subject = catalog.get(name).unwrap();
    let artifact = build(subject, &cache).unwrap();
    let mut running = RunningSubject::launch(
        subject,
        &artifact,
        &LaunchOptions {
            output: OutputSink::File(cache.join(format!("logs/profile-test-{name}.log"))),
            ..Default::default()
        },
    )
    .unwrap();
    running.wait_ready(Duration::from_secs(30)).unwrap();
    let base = running.base_url();
    let pid = running.pid();
    let stop = AtomicBool::new(false);
    let (result, report) = std::thread::scope(|scope| {
        let load = scope.spawn(|| {
            ClosedLoop {
                connections: 8,
                threads: 1,
                // A bound in case the profiler hangs; normally `stop` ends the load.
                duration: Some(Duration::from_secs(90)),
                ..ClosedLoop::new(format!("{base}{path}"))
            }
            .run_with_stop(&stop)
        });
        // Let the load reach the server before profiling starts.
        std::thread::sleep(Duration::from_millis(500));
        let result = profile(&base, pid);
        stop.store(true, Ordering::SeqCst);
        (result, load.join().unwrap().unwrap())
    });
    running.stop(Duration::from_secs(5));
    (result, report)
}
