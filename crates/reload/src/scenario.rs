//! The scripted scenario: start the dev loop in a scratch copy, edit, observe, stop.

use crate::grade::grade;
use crate::served::{ServedSample, get, listener_pid, sample};
use crate::tool::{IGNORED_DIRS, Prepared, Tool, last_lines, prepare};
use crate::{Growth, ReloadError, ReloadMs, ReloadResult, scratch_copy};
use podium_probe::ProcessTree;
use podium_subjects::{INSTANCE_VAR, Subject, free_port, kill_tagged_processes, tagged_processes};
use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How to grade a subject.
#[derive(Debug, Clone)]
pub struct ReloadOptions {
    /// The dev-loop tool (`air`, `watchexec`, `cargo-watch` or a command); the manifest's
    /// `[reload] tool` when `None`.
    pub tool: Option<String>,
    /// Handler edits to make (at least 1).
    pub edits: u32,
    /// Podium's cache folder (tools, scratch copies, the Rust dev target folder).
    pub cache: PathBuf,
}

/// The configuration file the scenario changes (read by the subjects' common code).
const CONFIG_FILE: &str = "podium-config.json";
/// Pause after a reload before the served process is sampled, so that start-up
/// goroutines and threads have settled.
const SETTLE: Duration = Duration::from_millis(400);
/// How often the scenario polls the served process.
const POLL: Duration = Duration::from_millis(50);

struct Timeouts {
    start: Duration,
    reload: Duration,
}

fn timeouts(subject: &Subject) -> Timeouts {
    if subject.manifest.is_go() {
        Timeouts {
            start: Duration::from_secs(180),
            reload: Duration::from_secs(30),
        }
    } else {
        // A cold debug build of a Rust subject on a small machine takes minutes.
        Timeouts {
            start: Duration::from_secs(1500),
            reload: Duration::from_secs(300),
        }
    }
}

/// The start of the `PODIUM_INSTANCE` tag of every dev loop the Podium process `pid`
/// starts (the start time in Unix milliseconds follows): what a caller searches for to
/// find what that process's dev loops left running.
pub fn instance_prefix(pid: u32) -> String {
    format!("reload-{pid}-")
}

/// The `PODIUM_INSTANCE` tag of a dev loop the Podium process `pid` starts at
/// `started_ms` (Unix milliseconds).
fn instance_tag(pid: u32, started_ms: i64) -> String {
    format!("{}{started_ms}", instance_prefix(pid))
}

/// The dev-loop process: its own process group, tagged with `PODIUM_INSTANCE`.
struct DevLoop {
    child: Child,
    instance: String,
    command: String,
    log: PathBuf,
}

impl DevLoop {
    fn start(
        prepared: &Prepared,
        dir: &Path,
        port: u16,
        config: &Path,
        log: PathBuf,
    ) -> Result<Self, ReloadError> {
        let io = |what: String| move |source| ReloadError::Io { what, source };
        let out = File::create(&log).map_err(io(format!("cannot create {}", log.display())))?;
        let err = out
            .try_clone()
            .map_err(io(format!("cannot open {}", log.display())))?;
        let instance = instance_tag(std::process::id(), now_ms());
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(&prepared.command)
            .current_dir(dir)
            .env("PORT", port.to_string())
            .env("PODIUM_CONFIG", config)
            .env(INSTANCE_VAR, &instance)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command
            .spawn()
            .map_err(io(format!("cannot start `{}`", prepared.command)))?;
        Ok(Self {
            child,
            instance,
            command: prepared.command.clone(),
            log,
        })
    }

    /// The exit status when the tool has ended.
    fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) => None,
            Err(e) => Some(e.to_string()),
        }
    }

    fn output(&self) -> String {
        std::fs::read(&self.log)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    fn last_line(&self) -> String {
        let line = last_lines(self.output().trim_end(), 1);
        if line.is_empty() {
            "(no output)".into()
        } else {
            line
        }
    }

    /// Tagged processes outside the tool's process tree: orphans of earlier servers.
    fn orphans(&self) -> Vec<(i32, String)> {
        let tree = ProcessTree::new(self.child.id()).pids().unwrap_or_default();
        tagged_processes(&self.instance)
            .into_iter()
            .filter(|l| !tree.contains(&(l.pid as u32)))
            .map(|l| (l.pid, l.command))
            .collect()
    }

    /// SIGINT to the group (what Ctrl-C in the terminal does), SIGKILL after 5 s.
    fn stop(&mut self) {
        let pgid = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) on the process group this DevLoop created.
        unsafe { libc::kill(-pgid, libc::SIGINT) };
        let since = Instant::now();
        while self.exited().is_none() && since.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(POLL);
        }
        // SAFETY: as above; whatever of the group is still there is killed.
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for DevLoop {
    fn drop(&mut self) {
        if self.exited().is_none() {
            self.stop();
        }
        kill_tagged_processes(&self.instance);
    }
}

enum Waited {
    Served(Duration),
    /// Never correct; whether anything answered at all meanwhile.
    TimedOut {
        answered: bool,
    },
    ToolExited(String),
}

/// Polls `path` until it answers 200 with `expected`.
fn wait_for(dl: &mut DevLoop, port: u16, path: &str, expected: &str, timeout: Duration) -> Waited {
    let since = Instant::now();
    let mut answered = false;
    loop {
        if let Some((status, body)) = get(port, path, Duration::from_secs(2)) {
            answered = true;
            if status == 200 && body.trim() == expected {
                return Waited::Served(since.elapsed());
            }
        }
        if let Some(status) = dl.exited() {
            return Waited::ToolExited(status);
        }
        if since.elapsed() > timeout {
            return Waited::TimedOut { answered };
        }
        std::thread::sleep(POLL);
    }
}

/// Whether the served process restarts (or the port goes quiet) within `window`.
fn restarts_within(port: u16, window: Duration) -> bool {
    let before = listener_pid(port);
    let since = Instant::now();
    while since.elapsed() < window {
        if listener_pid(port) != before {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

fn write(path: &Path, text: &str) -> Result<(), ReloadError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| ReloadError::Io {
            what: format!("cannot create {}", dir.display()),
            source,
        })?;
    }
    std::fs::write(path, text).map_err(|source| ReloadError::Io {
        what: format!("cannot write {}", path.display()),
        source,
    })
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The files edited in paths a good setup ignores, with content that compiles.
fn ignored_edits(subject: &Subject, k: u32) -> Vec<(PathBuf, String)> {
    let test_file = if subject.manifest.is_go() {
        (
            PathBuf::from("podium_reload_probe_test.go"),
            format!("package main\n\n// Written by podium reload ({k}).\n"),
        )
    } else {
        (
            PathBuf::from("tests/podium_reload_probe.rs"),
            format!("// Written by podium reload ({k}).\n"),
        )
    };
    let mut edits = vec![test_file];
    for dir in IGNORED_DIRS {
        edits.push((
            Path::new(dir).join("podium-reload-probe.md"),
            format!("Written by podium reload ({k}).\n"),
        ));
    }
    edits
}

/// Runs the scenario for `subject` and grades it. `progress` is told each step.
pub fn grade_subject(
    subject: &Subject,
    opts: &ReloadOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<ReloadResult, ReloadError> {
    let spec = subject
        .manifest
        .reload
        .as_ref()
        .ok_or_else(|| ReloadError::NoReloadSection {
            subject: subject.name().to_string(),
        })?;
    let tool = Tool::parse(opts.tool.as_deref().unwrap_or(&spec.tool));
    let limits = timeouts(subject);
    let began = Instant::now();

    progress("copying the subject to a scratch folder");
    let scratch = scratch_copy(subject, &opts.cache.join("reload").join("scratch"))?;
    let dir = &scratch.subject_dir;
    let handler = dir.join(&spec.handler);
    let original = std::fs::read_to_string(&handler).map_err(|source| ReloadError::Io {
        what: format!("cannot read the [reload] handler {}", handler.display()),
        source,
    })?;
    if !original.contains(&spec.literal) {
        return Err(ReloadError::LiteralNotFound {
            file: subject.dir.join(&spec.handler),
            literal: spec.literal.clone(),
        });
    }
    let inner = &spec.literal[1..spec.literal.len() - 1];
    let with_literal = |text: &str| original.replacen(&spec.literal, &format!("\"{text}\""), 1);
    let config = dir.join(CONFIG_FILE);
    let greeting = |n: &str| format!("{{\"greeting\": \"podium-reload-{n}\"}}\n");
    write(&config, &greeting("before"))?;

    progress(&format!("preparing {}", tool.name()));
    let prepared = prepare(&tool, subject, dir, &opts.cache)?;
    let port = free_port().map_err(|source| ReloadError::Io {
        what: "cannot find a free port".into(),
        source,
    })?;
    let log = scratch.root.join("dev-loop.log");
    progress(&format!("starting `{}` (first build)", prepared.command));
    let mut dl = DevLoop::start(&prepared, dir, port, &config, log)?;

    match wait_for(&mut dl, port, "/ping", inner, limits.start) {
        Waited::Served(_) => {}
        Waited::ToolExited(status) => {
            return Err(ReloadError::ToolExited {
                command: dl.command.clone(),
                status,
                last_line: dl.last_line(),
            });
        }
        Waited::TimedOut { .. } => {
            return Err(ReloadError::NeverServed {
                command: dl.command.clone(),
                port,
                timeout_s: limits.start.as_secs(),
                last_line: dl.last_line(),
                log: dl.log.clone(),
            });
        }
    }
    std::thread::sleep(SETTLE);
    let mut samples: Vec<ServedSample> = sample(port, "start").into_iter().collect();
    let mut orphans: BTreeMap<i32, String> = BTreeMap::new();
    let died = |dl: &DevLoop, status: String, during: &str| ReloadError::ToolDied {
        command: dl.command.clone(),
        status,
        during: during.to_string(),
        last_line: dl.last_line(),
    };

    // 1. Handler edits.
    let edits = opts.edits.max(1);
    let mut reload_samples = Vec::new();
    let mut missed = 0;
    let mut rebind_failures = 0;
    for k in 1..=edits {
        progress(&format!(
            "edit {k} of {edits}: /ping must answer {inner}-{k}"
        ));
        write(&handler, &with_literal(&format!("{inner}-{k}")))?;
        match wait_for(
            &mut dl,
            port,
            "/ping",
            &format!("{inner}-{k}"),
            limits.reload,
        ) {
            Waited::Served(d) => {
                reload_samples.push(d.as_secs_f64() * 1000.0);
                std::thread::sleep(SETTLE);
                samples.extend(sample(port, &format!("edit {k}")));
            }
            Waited::TimedOut { answered } => {
                missed += 1;
                if !answered {
                    rebind_failures += 1;
                }
            }
            Waited::ToolExited(status) => return Err(died(&dl, status, &format!("edit {k}"))),
        }
        orphans.extend(dl.orphans());
    }
    let reload_ms = ReloadMs::of(&reload_samples);
    // Long enough for the slowest reload seen to have shown itself.
    let window = Duration::from_millis(
        (reload_ms.map_or(3000.0, |p| p.max * 1.5 + 1000.0) as u64).clamp(3000, 60_000),
    );

    // 2. Edits in ignored paths.
    let ignored = ignored_edits(subject, 1);
    let mut spurious = 0;
    for (rel, text) in &ignored {
        progress(&format!(
            "ignored-path edit {}: watching {:.0} s for a spurious rebuild",
            rel.display(),
            window.as_secs_f64()
        ));
        write(&dir.join(rel), text)?;
        if restarts_within(port, window) {
            spurious += 1;
            // Let the spurious rebuild finish before the next step.
            let expected = format!("{inner}-{edits}");
            if let Waited::ToolExited(status) =
                wait_for(&mut dl, port, "/ping", &expected, limits.reload)
            {
                return Err(died(&dl, status, "an ignored-path edit"));
            }
        }
    }

    // 3. A configuration change.
    progress("configuration change: /config/greeting must follow podium-config.json");
    let config_applied = match get(port, "/config/greeting", Duration::from_secs(2)) {
        Some((200, _)) => {
            write(&config, &greeting("after"))?;
            match wait_for(
                &mut dl,
                port,
                "/config/greeting",
                "podium-reload-after",
                limits.reload,
            ) {
                Waited::Served(_) => {
                    std::thread::sleep(SETTLE);
                    samples.extend(sample(port, "configuration change"));
                    Some(true)
                }
                Waited::TimedOut { .. } => Some(false),
                Waited::ToolExited(status) => {
                    return Err(died(&dl, status, "the configuration change"));
                }
            }
        }
        _ => None,
    };
    orphans.extend(dl.orphans());

    // 4. A syntax error, then its fix.
    progress("syntax error, then its fix");
    write(
        &handler,
        &with_literal(&format!("{inner}-broken")).replacen(
            &format!("\"{inner}-broken\""),
            &format!("\"{inner}-broken"),
            1,
        ),
    )?;
    std::thread::sleep(window);
    let survived = dl.exited().is_none();
    write(&handler, &with_literal(&format!("{inner}-fixed")))?;
    let recovered = survived
        && match wait_for(
            &mut dl,
            port,
            "/ping",
            &format!("{inner}-fixed"),
            limits.reload,
        ) {
            Waited::Served(_) => {
                std::thread::sleep(SETTLE);
                samples.extend(sample(port, "syntax error fixed"));
                true
            }
            Waited::TimedOut { answered } => {
                if !answered {
                    rebind_failures += 1;
                }
                false
            }
            Waited::ToolExited(_) => false,
        };
    orphans.extend(dl.orphans());

    // 5. Stop; whatever carries the tag afterwards was left behind.
    progress("stopping the dev loop");
    dl.stop();
    std::thread::sleep(Duration::from_millis(300));
    for leftover in kill_tagged_processes(&dl.instance) {
        orphans.insert(leftover.pid, leftover.command);
    }
    let output = dl.output().to_ascii_lowercase();
    rebind_failures += (output.matches("address already in use").count()
        + output.matches("address in use").count()) as u32;

    let growth = growth(samples);
    let mut result = ReloadResult {
        subject: subject.name().to_string(),
        tool: tool.name().to_string(),
        tool_version: prepared.version.clone(),
        command: prepared.command.clone(),
        grade: crate::Grade::A,
        reasons: Vec::new(),
        edits,
        reload_ms,
        reload_samples_ms: reload_samples,
        missed,
        ignored_edits: ignored.len() as u32,
        spurious_rebuilds: spurious,
        config_applied,
        recovered_from_error: recovered,
        leftover_processes: orphans.len() as u32,
        leftover_commands: orphans.into_values().collect(),
        port_rebind_failures: rebind_failures,
        growth,
        scenario_s: began.elapsed().as_secs_f64(),
        observed_at_ms: now_ms(),
    };
    let (g, reasons) = grade(&result);
    result.grade = g;
    result.reasons = reasons;
    Ok(result)
}

fn growth(samples: Vec<ServedSample>) -> Growth {
    let diff = |f: fn(&ServedSample) -> Option<i64>| match (samples.first(), samples.last()) {
        (Some(a), Some(b)) => Some(f(b)? - f(a)?),
        _ => None,
    };
    let mut reloads = 0;
    for pair in samples.windows(2) {
        if pair[0].pid != pair[1].pid {
            reloads += 1;
        }
    }
    Growth {
        reloads,
        goroutines: diff(|s| s.goroutines),
        threads: diff(|s| s.threads.map(|v| v as i64)),
        fds: diff(|s| s.fds.map(|v| v as i64)),
        samples,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_podium_process_prefix_does_not_match_another_whose_pid_extends_it() {
        let tag_of_42 = instance_tag(42, 1_700_000_000_000);
        assert!(tag_of_42.starts_with(&instance_prefix(42)));
        assert!(!tag_of_42.starts_with(&instance_prefix(4)));
    }

    fn s(pid: u32, goroutines: Option<i64>, threads: u64) -> ServedSample {
        ServedSample {
            after: String::new(),
            pid,
            goroutines,
            threads: Some(threads),
            fds: Some(10),
        }
    }

    #[test]
    fn growth_is_last_minus_first_over_restarts() {
        let g = growth(vec![
            s(1, Some(10), 5),
            s(2, Some(14), 6),
            s(3, Some(18), 5),
        ]);
        assert_eq!(g.reloads, 2);
        assert_eq!(g.goroutines, Some(8));
        assert_eq!(g.threads, Some(0));
        assert_eq!(g.fds, Some(0));
        let g = growth(vec![s(1, None, 5), s(1, None, 5)]);
        assert_eq!((g.reloads, g.goroutines), (0, None));
        assert_eq!(growth(Vec::new()).threads, None);
    }
}
