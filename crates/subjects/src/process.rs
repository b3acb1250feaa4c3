//! Running a built subject as a supervised process.
//!
//! The subject runs in its own process group (so a terminal's Ctrl-C reaches Podium,
//! which then stops the subject on its own terms) and carries a unique
//! `PODIUM_INSTANCE` variable in its environment. Every process it starts inherits that
//! variable, even one that detaches with `setsid` or a double fork, which is how Podium
//! finds processes a subject leaves behind.
//!
//! A [`podium_env::Placement`] in the launch options puts the subject on its CPUs, in
//! its cgroup and network namespace before it executes its first instruction; it then
//! listens on the placement's host (passed as `LISTEN_HOST`), which `addr`, `base_url`
//! and the readiness check use.

use crate::builder::{Artifact, tail};
use crate::catalog::Subject;
use podium_env::Placement;
use std::fs::File;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The environment variable that tags a subject's processes.
pub const INSTANCE_VAR: &str = "PODIUM_INSTANCE";

/// The environment variable that tells a subject which address to listen on (set only
/// when it is not the contract's default, 127.0.0.1).
pub const LISTEN_HOST_VAR: &str = "LISTEN_HOST";

/// Where the subject's stdout and stderr go.
#[derive(Debug, Clone, Default)]
pub enum OutputSink {
    /// Podium's own terminal (for `podium serve`).
    #[default]
    Inherit,
    /// One file for both streams (so checks can see whether it logs per request).
    File(PathBuf),
}

/// How to launch a subject. The default: a free port, output to Podium's terminal, no
/// extra environment, no placement (any CPU, Podium's cgroup and network, 127.0.0.1).
#[derive(Debug, Clone, Default)]
pub struct LaunchOptions {
    /// The port to listen on; a free one is chosen when `None`.
    pub port: Option<u16>,
    /// Where output goes.
    pub output: OutputSink,
    /// Extra environment, applied after the manifest's.
    pub env: Vec<(String, String)>,
    /// CPUs, cgroup, network namespace and listen address of the subject.
    pub placement: Option<Placement>,
}

/// Why a subject could not be started or did not come up.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// No free port, or the log file could not be created.
    #[error("{subject}: {what}: {source}")]
    Io {
        /// Subject name.
        subject: String,
        /// What Podium was doing.
        what: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The placement's files (cgroup, network namespace) could not be opened.
    #[error("{subject}: cannot place the server: {source}")]
    Placement {
        /// Subject name.
        subject: String,
        /// What failed.
        source: podium_env::EnvError,
    },
    /// The process exited before it accepted connections.
    #[error(
        "{subject} exited during start-up ({status}) before listening on {addr}.\n--- its last output ---\n{output}"
    )]
    ExitedEarly {
        /// Subject name.
        subject: String,
        /// The exit status.
        status: String,
        /// The address it should have listened on.
        addr: SocketAddr,
        /// The end of its output.
        output: String,
    },
    /// The process is running but never accepted a connection.
    #[error(
        "{subject} did not accept connections on {addr} within {timeout:?}; it was stopped.\n--- its last output ---\n{output}"
    )]
    NotListening {
        /// Subject name.
        subject: String,
        /// The address polled.
        addr: SocketAddr,
        /// How long Podium waited.
        timeout: Duration,
        /// The end of its output.
        output: String,
    },
}

/// How the subject's main process ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// It exited by itself with this status code.
    Code(i32),
    /// It was ended by this signal (not sent by Podium's kill).
    Signal(i32),
    /// It did not exit within the grace period and Podium killed it.
    Killed,
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exit::Code(c) => write!(f, "exit status {c}"),
            Exit::Signal(s) => write!(f, "ended by signal {s}"),
            Exit::Killed => write!(f, "still running after the grace period, killed"),
        }
    }
}

/// A process a subject left running after its main process ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leftover {
    /// Its pid.
    pub pid: i32,
    /// Its command line.
    pub command: String,
}

/// What happened when the subject was stopped.
#[derive(Debug, Clone)]
pub struct StopReport {
    /// How the main process ended.
    pub exit: Exit,
    /// From the first SIGTERM to the end of the main process.
    pub stop_time: Duration,
    /// Processes still running after the main process ended (Podium killed them).
    pub leftovers: Vec<Leftover>,
}

/// A running subject. Dropping it kills the subject and everything it started.
#[derive(Debug)]
pub struct RunningSubject {
    name: String,
    child: Child,
    addr: SocketAddr,
    instance: String,
    log: Option<PathBuf>,
    term_sent: Option<Instant>,
    finished: Option<StopReport>,
}

/// Subjects running in this process, so that an interrupt handler can end them all
/// (they run in their own process group, so a terminal's Ctrl-C does not reach them).
static LIVE: std::sync::Mutex<Vec<(i32, String)>> = std::sync::Mutex::new(Vec::new());

fn live() -> std::sync::MutexGuard<'static, Vec<(i32, String)>> {
    LIVE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Kills every subject started by this process and everything they started. For
/// interrupt handlers: it does not wait for a graceful stop.
pub fn kill_all_running() {
    let running: Vec<(i32, String)> = live().drain(..).collect();
    for (pid, instance) in running {
        // SAFETY: kill(2) on a pid we spawned and have not reaped yet.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        kill_tagged(pid, &instance);
    }
}

/// Binds port 0 on loopback to let the kernel pick a free port.
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl RunningSubject {
    /// Starts the built subject. It is not necessarily accepting connections yet:
    /// call [`RunningSubject::wait_ready`].
    pub fn launch(
        subject: &Subject,
        artifact: &Artifact,
        opts: &LaunchOptions,
    ) -> Result<Self, RunError> {
        let name = subject.name().to_string();
        let io = |what: String| {
            let name = name.clone();
            move |source| RunError::Io {
                subject: name,
                what,
                source,
            }
        };
        let port = match opts.port {
            Some(p) => p,
            None => free_port().map_err(io("cannot find a free port".into()))?,
        };
        let host = opts
            .placement
            .as_ref()
            .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |p| p.listen_host);
        let instance = format!("{}-{}-{}", name, std::process::id(), nanos());
        let run = &subject.manifest.run;
        let mut command = Command::new(&artifact.executable);
        command
            .args(&run.command[1..])
            .current_dir(&subject.dir)
            .envs(&run.env)
            .envs(opts.env.iter().map(|(k, v)| (k, v)))
            .env("PORT", port.to_string())
            .env(INSTANCE_VAR, &instance)
            .stdin(Stdio::null());
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        if let Some(placement) = &opts.placement {
            if !placement.is_local() {
                command.env(LISTEN_HOST_VAR, host.to_string());
            }
            placement
                .apply_to(&mut command)
                .map_err(|e| RunError::Placement {
                    subject: name.clone(),
                    source: e,
                })?;
        }
        let log = match &opts.output {
            OutputSink::Inherit => None,
            OutputSink::File(path) => {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)
                        .map_err(io(format!("cannot create {}", dir.display())))?;
                }
                let file =
                    File::create(path).map_err(io(format!("cannot create {}", path.display())))?;
                let err = file
                    .try_clone()
                    .map_err(io(format!("cannot open {}", path.display())))?;
                command.stdout(file).stderr(err);
                Some(path.clone())
            }
        };
        let child = command.spawn().map_err(io(format!(
            "cannot start {}",
            artifact.executable.display()
        )))?;
        live().push((child.id() as i32, instance.clone()));
        Ok(Self {
            name,
            child,
            addr: SocketAddr::new(host, port),
            instance,
            log,
            term_sent: None,
            finished: None,
        })
    }

    /// Waits until the subject accepts TCP connections; returns the time since launch.
    /// A subject that exits or stays silent for `timeout` is an error (and is stopped).
    pub fn wait_ready(&mut self, timeout: Duration) -> Result<Duration, RunError> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(RunError::ExitedEarly {
                    subject: self.name.clone(),
                    status: status.to_string(),
                    addr: self.addr,
                    output: self.output_tail(30),
                });
            }
            if TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)).is_ok() {
                return Ok(started.elapsed());
            }
            if started.elapsed() > timeout {
                self.kill_all();
                return Err(RunError::NotListening {
                    subject: self.name.clone(),
                    addr: self.addr,
                    timeout,
                    output: self.output_tail(30),
                });
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The subject's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `http://HOST:PORT`: 127.0.0.1 unless the placement says otherwise.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The socket address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The main process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The output file, when output is captured.
    pub fn log_path(&self) -> Option<&Path> {
        self.log.as_deref()
    }

    /// Bytes the subject has written to its output so far (0 when not captured).
    pub fn output_len(&self) -> u64 {
        self.log
            .as_ref()
            .and_then(|p| std::fs::metadata(p).ok())
            .map_or(0, |m| m.len())
    }

    /// The last `lines` lines of captured output.
    pub fn output_tail(&self, lines: usize) -> String {
        self.log
            .as_ref()
            .map(|p| tail(p, lines))
            .unwrap_or_default()
    }

    /// Whether the main process is still running.
    pub fn is_running(&mut self) -> bool {
        self.finished.is_none() && matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends SIGTERM to the main process (the start of a graceful stop).
    pub fn send_term(&mut self) {
        if self.term_sent.is_none() {
            self.term_sent = Some(Instant::now());
        }
        // SAFETY: kill(2) with our own child's pid.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
    }

    /// Waits up to `grace` for the main process to end after [`send_term`](Self::send_term),
    /// kills it if it does not, then finds and kills any process it left behind.
    pub fn wait_stopped(&mut self, grace: Duration) -> StopReport {
        if let Some(report) = &self.finished {
            return report.clone();
        }
        let since = *self.term_sent.get_or_insert_with(Instant::now);
        let exit = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break exit_of(status),
                Ok(None) if since.elapsed() < grace => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                _ => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    break Exit::Killed;
                }
            }
        };
        let stop_time = since.elapsed();
        let leftovers = self.kill_leftovers();
        let report = StopReport {
            exit,
            stop_time,
            leftovers,
        };
        self.finished = Some(report.clone());
        report
    }

    /// SIGTERM, then [`wait_stopped`](Self::wait_stopped).
    pub fn stop(&mut self, grace: Duration) -> StopReport {
        if self.finished.is_none() {
            self.send_term();
        }
        self.wait_stopped(grace)
    }

    /// Processes tagged with this instance or in its process group, killed and reported.
    fn kill_leftovers(&self) -> Vec<Leftover> {
        let pid = self.child.id() as i32;
        live().retain(|(p, _)| *p != pid);
        kill_tagged(pid, &self.instance)
    }

    fn kill_all(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.kill_leftovers();
    }
}

impl Drop for RunningSubject {
    fn drop(&mut self) {
        if self.finished.is_none() {
            self.kill_all();
        }
    }
}

/// Kills (SIGKILL) every process in process group `pgid` or carrying the instance tag.
fn kill_tagged(pgid: i32, instance: &str) -> Vec<Leftover> {
    let tag = format!("{INSTANCE_VAR}={instance}");
    let mut found = Vec::new();
    for pid in proc_pids() {
        if pid == std::process::id() as i32 {
            continue;
        }
        let Some(stat) = ProcStat::read(pid) else {
            continue;
        };
        if stat.state == 'Z' {
            continue;
        }
        if stat.pgrp == pgid || environ_has(pid, &tag) {
            // Read the command line first: a killed process loses it.
            let command = cmdline(pid).unwrap_or(stat.comm);
            // SAFETY: kill(2) on a pid we just identified as the subject's.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            found.push(Leftover { pid, command });
        }
    }
    found
}

/// Live processes (zombies excluded, Podium itself excluded) whose environment carries
/// `PODIUM_INSTANCE=<instance>`: every process started under that tag, however it
/// detached. For supervisors other than [`RunningSubject`] (e.g. a dev-loop tool) that
/// set the tag themselves.
pub fn tagged_processes(instance: &str) -> Vec<Leftover> {
    let tag = format!("{INSTANCE_VAR}={instance}");
    proc_pids()
        .into_iter()
        .filter(|pid| *pid != std::process::id() as i32)
        .filter_map(|pid| {
            let stat = ProcStat::read(pid)?;
            (stat.state != 'Z' && environ_has(pid, &tag)).then(|| Leftover {
                pid,
                command: cmdline(pid).unwrap_or(stat.comm),
            })
        })
        .collect()
}

/// Kills (SIGKILL) every process carrying the instance tag and returns them. SIGKILL
/// takes effect asynchronously (a process in uninterruptible sleep dies when it wakes),
/// so this waits, killing again whatever is still or newly tagged, until none is left or
/// [`KILL_WAIT`] has passed: when it returns, the processes are gone, not only signalled.
pub fn kill_tagged_processes(instance: &str) -> Vec<Leftover> {
    let found = tagged_processes(instance);
    let deadline = Instant::now() + KILL_WAIT;
    let mut alive = found.clone();
    while !alive.is_empty() {
        for leftover in &alive {
            // SAFETY: kill(2) on a pid whose environment carries the instance tag.
            unsafe { libc::kill(leftover.pid, libc::SIGKILL) };
        }
        if Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
        alive = tagged_processes(instance);
    }
    found
}

/// How long [`kill_tagged_processes`] waits for killed processes to be gone.
const KILL_WAIT: Duration = Duration::from_secs(5);

fn exit_of(status: ExitStatus) -> Exit {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => Exit::Code(code),
        (None, Some(sig)) => Exit::Signal(sig),
        (None, None) => Exit::Killed,
    }
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// The pids of every process now running (the numeric entries of `/proc`); empty where
/// `/proc` cannot be read.
pub fn proc_pids() -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse().ok()))
        .collect()
}

struct ProcStat {
    comm: String,
    state: char,
    pgrp: i32,
}

impl ProcStat {
    fn read(pid: i32) -> Option<Self> {
        let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // comm is parenthesised and may contain spaces: split at the last ')'.
        let open = text.find('(')?;
        let close = text.rfind(')')?;
        let comm = text[open + 1..close].to_string();
        let mut rest = text[close + 1..].split_whitespace();
        let state = rest.next()?.chars().next()?;
        let _ppid = rest.next()?;
        let pgrp = rest.next()?.parse().ok()?;
        Some(Self { comm, state, pgrp })
    }
}

fn environ_has(pid: i32, entry: &str) -> bool {
    std::fs::read(format!("/proc/{pid}/environ"))
        .map(|env| env.split(|b| *b == 0).any(|kv| kv == entry.as_bytes()))
        .unwrap_or(false)
}

fn cmdline(pid: i32) -> Option<String> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let text: Vec<String> = raw
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    (!text.is_empty()).then(|| text.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Origin;
    use crate::manifest::SubjectManifest;

    /// A "subject" that is a shell script, so the supervision logic is tested against
    /// real processes without a compiler.
    fn script_subject(dir: &Path, script: &str) -> (Subject, Artifact) {
        let text = "name = \"sh\"\nlanguage = \"sh\"\nframework = \"F\"\nmodule = \"m\"\nversion = \"1\"\n\
                    [build]\ncommand = \"true\"\n[run]\ncommand = [\"server\"]\n";
        let exe = dir.join("server");
        std::fs::write(&exe, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&exe, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let subject = Subject {
            manifest: SubjectManifest::parse(text, &dir.join("subject.toml")).unwrap(),
            dir: dir.to_path_buf(),
            origin: Origin::Bundled,
        };
        let artifact = Artifact {
            out_dir: dir.to_path_buf(),
            executable: exe,
            source_hash: "x".into(),
            reused: false,
            build_time: Duration::ZERO,
        };
        (subject, artifact)
    }

    fn opts(dir: &Path) -> LaunchOptions {
        LaunchOptions {
            output: OutputSink::File(dir.join("out.log")),
            ..LaunchOptions::default()
        }
    }

    fn environ(pid: u32) -> Vec<String> {
        std::fs::read(format!("/proc/{pid}/environ"))
            .unwrap()
            .split(|b| *b == 0)
            .map(|kv| String::from_utf8_lossy(kv).into_owned())
            .collect()
    }

    #[test]
    fn placement_sets_cpus_listen_host_and_address() {
        let dir = tempfile::tempdir().unwrap();
        let (s, a) = script_subject(dir.path(), "exec sleep 30");
        let cpu = podium_env::allowed_cpus().unwrap().iter().last().unwrap();
        let cpus = podium_env::CpuSet::from_cpus([cpu]).unwrap();
        let host: IpAddr = "127.0.0.2".parse().unwrap();
        let opts = LaunchOptions {
            placement: Some(Placement {
                cpus: Some(cpus.clone()),
                listen_host: host,
                ..Placement::default()
            }),
            ..opts(dir.path())
        };
        let running = RunningSubject::launch(&s, &a, &opts).unwrap();
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(running.addr().ip(), host);
        assert!(running.base_url().starts_with("http://127.0.0.2:"));
        assert!(environ(running.pid()).contains(&"LISTEN_HOST=127.0.0.2".to_string()));
        let status = std::fs::read_to_string(format!("/proc/{}/status", running.pid())).unwrap();
        let allowed = status
            .lines()
            .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
            .unwrap()
            .trim();
        assert_eq!(allowed, cpus.to_string());
    }

    #[test]
    fn loopback_placement_leaves_listen_host_unset() {
        let dir = tempfile::tempdir().unwrap();
        let (s, a) = script_subject(dir.path(), "exec sleep 30");
        let opts = LaunchOptions {
            placement: Some(Placement::default()),
            ..opts(dir.path())
        };
        let running = RunningSubject::launch(&s, &a, &opts).unwrap();
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(running.addr().ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert!(
            !environ(running.pid())
                .iter()
                .any(|kv| kv.starts_with("LISTEN_HOST="))
        );
    }

    #[test]
    fn unusable_placement_is_a_launch_error() {
        let dir = tempfile::tempdir().unwrap();
        let (s, a) = script_subject(dir.path(), "exec sleep 30");
        let opts = LaunchOptions {
            placement: Some(Placement {
                netns: Some(dir.path().join("no-such-netns")),
                ..Placement::default()
            }),
            ..opts(dir.path())
        };
        let err = RunningSubject::launch(&s, &a, &opts).unwrap_err();
        assert!(matches!(err, RunError::Placement { .. }), "{err}");
        assert!(
            err.to_string()
                .starts_with("sh: cannot place the server: cannot open the network namespace"),
            "{err}"
        );
    }

    #[test]
    fn early_exit_reports_status_and_output() {
        let dir = tempfile::tempdir().unwrap();
        let (s, a) = script_subject(dir.path(), "echo 'listen: address in use' >&2; exit 4");
        let mut running = RunningSubject::launch(&s, &a, &opts(dir.path())).unwrap();
        let err = running
            .wait_ready(Duration::from_secs(5))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("exited during start-up (exit status: 4)"),
            "{err}"
        );
        assert!(err.contains("listen: address in use"), "{err}");
    }

    #[test]
    fn never_listening_times_out() {
        let dir = tempfile::tempdir().unwrap();
        let (s, a) = script_subject(dir.path(), "exec sleep 30");
        let mut running = RunningSubject::launch(&s, &a, &opts(dir.path())).unwrap();
        let err = running.wait_ready(Duration::from_millis(300)).unwrap_err();
        assert!(matches!(err, RunError::NotListening { .. }), "{err}");
        assert!(!running.is_running());
    }

    #[test]
    fn ignoring_sigterm_is_killed_after_grace() {
        let dir = tempfile::tempdir().unwrap();
        let (s, a) = script_subject(dir.path(), "trap '' TERM; while :; do sleep 0.05; done");
        let mut running = RunningSubject::launch(&s, &a, &opts(dir.path())).unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let report = running.stop(Duration::from_millis(300));
        assert_eq!(report.exit, Exit::Killed);
        // The `sleep` children of the loop were in its process group: found and killed.
        assert!(report.stop_time >= Duration::from_millis(300));
    }

    #[test]
    fn detached_grandchild_is_found_as_leftover() {
        let dir = tempfile::tempdir().unwrap();
        // setsid puts the sleeper in a new session and process group; only the
        // inherited environment tag can still tie it to the subject.
        let (s, a) = script_subject(
            dir.path(),
            "setsid sleep 120 </dev/null >/dev/null 2>&1 & trap 'exit 0' TERM; while :; do sleep 0.05; done",
        );
        let mut running = RunningSubject::launch(&s, &a, &opts(dir.path())).unwrap();
        std::thread::sleep(Duration::from_millis(200));
        let report = running.stop(Duration::from_secs(3));
        assert_eq!(report.exit, Exit::Code(0));
        let sleeper: Vec<_> = report
            .leftovers
            .iter()
            .filter(|l| l.command == "sleep 120")
            .collect();
        assert_eq!(sleeper.len(), 1, "{:?}", report.leftovers);
        std::thread::sleep(Duration::from_millis(100));
        assert!(
            ProcStat::read(sleeper[0].pid).is_none_or(|s| s.state == 'Z'),
            "leftover was killed"
        );
    }

    #[test]
    fn clean_exit_has_no_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let (s, a) = script_subject(
            dir.path(),
            "trap 'exit 0' TERM; while :; do sleep 0.05; done",
        );
        let mut running = RunningSubject::launch(&s, &a, &opts(dir.path())).unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let report = running.stop(Duration::from_secs(3));
        assert_eq!(report.exit, Exit::Code(0));
        // The loop's last `sleep 0.05` may still be finishing in the group: it is
        // legitimately reported, but nothing else.
        assert!(
            report
                .leftovers
                .iter()
                .all(|l| l.command.starts_with("sleep 0.05")),
            "{:?}",
            report.leftovers
        );
    }
}
