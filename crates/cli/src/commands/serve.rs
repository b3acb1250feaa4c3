//! `podium serve NAME`.

use super::{Context, spinner};
use crate::cli::ServeArgs;
use anyhow::Context as _;
use podium_subjects::{Exit, LaunchOptions, OutputSink, RunningSubject};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Grace period before a subject that ignores SIGTERM is killed.
const GRACE: Duration = Duration::from_secs(10);

pub fn run(ctx: &Context, args: &ServeArgs) -> anyhow::Result<i32> {
    let catalog = ctx.catalog()?;
    let subject = catalog.get(&args.name)?;
    let bar = spinner(format!("building {}", subject.name()));
    let artifact = podium_subjects::build(subject, &ctx.cache);
    bar.finish_and_clear();
    let artifact = artifact?;
    if artifact.reused {
        eprintln!(
            "{}: sources unchanged, using the cached build",
            subject.name()
        );
    } else {
        eprintln!(
            "{}: built in {:.1} s",
            subject.name(),
            artifact.build_time.as_secs_f64()
        );
    }

    // Register before launching, so a Ctrl-C that arrives during start-up is not lost.
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .context("cannot install the signal handler")?;
    }
    let opts = LaunchOptions {
        port: args.port,
        output: OutputSink::Inherit,
        env: Vec::new(),
        ..Default::default()
    };
    let mut running = RunningSubject::launch(subject, &artifact, &opts)?;
    let ready = running.wait_ready(Duration::from_secs(60))?;
    println!(
        "{} ({} {}) listening on {}",
        subject.name(),
        subject.manifest.framework,
        subject.manifest.version,
        running.base_url()
    );
    eprintln!("ready after {} ms; press Ctrl-C to stop", ready.as_millis());

    while !stop.load(Ordering::Relaxed) {
        if !running.is_running() {
            let report = running.wait_stopped(Duration::ZERO);
            anyhow::bail!("{} stopped by itself ({})", subject.name(), report.exit);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!("stopping {} ...", subject.name());
    let report = running.stop(GRACE);
    for leftover in &report.leftovers {
        eprintln!(
            "warning: {} left pid {} running (`{}`); killed it",
            subject.name(),
            leftover.pid,
            leftover.command
        );
    }
    eprintln!(
        "{} stopped: {} after {:.2} s",
        subject.name(),
        report.exit,
        report.stop_time.as_secs_f64()
    );
    Ok(if report.exit == Exit::Code(0) { 0 } else { 1 })
}
