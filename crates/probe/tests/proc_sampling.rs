#![allow(clippy::unwrap_used)]
//! The /proc sampler against real processes: memory a process allocates, a shell and its
//! children, busy loops, and processes that exit while sampled.
//!
//! Bounds are loose: the machine is shared and has two cores.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use podium_probe::{ProcSampler, ProcSeries, ProcessTree};

const MIB: u64 = 1024 * 1024;

/// A child in its own process group, killed with the whole group when dropped, so
/// that background children of a shell do not outlive the test.
struct Group(Child);

impl Group {
    fn spawn(command: &mut Command) -> Self {
        use std::os::unix::process::CommandExt;
        Group(command.process_group(0).spawn().unwrap())
    }

    fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        let group = i32::try_from(self.0.id()).unwrap();
        // SAFETY: kill(2) on the process group this test created.
        unsafe { libc::kill(-group, libc::SIGKILL) };
        let _ = self.0.wait();
    }
}

/// Runs `python3 -c script`, waits for its `ready` line, then samples it for 600 ms.
fn sample_python(script: &str) -> ProcSeries {
    let mut child = Group::spawn(
        Command::new("python3")
            .args(["-c", script])
            .stdout(Stdio::piped()),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready", "python3 did not start as expected");
    let sampler = ProcSampler::start(child.pid(), Duration::from_millis(50)).unwrap();
    thread::sleep(Duration::from_millis(600));
    let series = sampler.stop();
    assert!(!series.ended_early && series.error.is_none(), "{series:?}");
    series
}

/// Reads one `Name:   value kB` line of /proc/PID/status, in bytes.
fn status_kb(pid: u32, field: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{field}:")))
        .unwrap();
    line.split_ascii_whitespace()
        .nth(1)
        .unwrap()
        .parse::<u64>()
        .unwrap()
        * 1024
}

#[test]
fn touched_allocation_shows_in_rss_and_page_cache_does_not() {
    // bytearray(n) zero-fills its buffer with memset, so every page is touched.
    let baseline = sample_python("import time; print('ready', flush=True); time.sleep(30)");
    let allocated = sample_python(
        "b = bytearray(200 * 1024 * 1024); import time; print('ready', flush=True); time.sleep(30)",
    );
    let base = baseline.summary().unwrap();
    let big = allocated.summary().unwrap();
    let grown = big.rss_steady_bytes as f64 - base.rss_steady_bytes as f64;
    let expected = (200 * MIB) as f64;
    assert!(
        (grown - expected).abs() < expected * 0.10,
        "RSS grew by {:.1} MiB, expected 200 MiB ± 10% (baseline {:.1} MiB, with the buffer {:.1} MiB)",
        grown / MIB as f64,
        base.rss_steady_bytes as f64 / MIB as f64,
        big.rss_steady_bytes as f64 / MIB as f64,
    );
    // The interpreter's binary and libraries are resident page cache, reported apart.
    let snap = allocated.samples.last().unwrap();
    assert!(snap.rss_file_bytes > MIB, "{snap:?}");
    assert!(big.rss_peak_bytes >= big.rss_steady_bytes);
}

/// Waits (up to 10 s) until `pid` is sleeping (state `S` in /proc/PID/stat) and has both
/// anonymous and file-backed resident pages.
fn wait_until_asleep_with_pages(pid: u32) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        // The state follows the command name, which is in parentheses.
        let state = stat.rsplit_once(") ").unwrap().1.chars().next();
        if state == Some('S') && status_kb(pid, "RssAnon") > 0 && status_kb(pid, "RssFile") > 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "process {pid} never settled into sleep: {stat}"
        );
        thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn rss_is_anonymous_plus_shared_memory_of_the_kernel_figures() {
    let child = Group::spawn(Command::new("sleep").arg("30"));
    // spawn() returns as soon as execve has replaced the child's image, before `sleep`
    // has faulted in a single page (RssFile and RssAnon can still read 0). Wait until it
    // is asleep in nanosleep: from then on its memory does not change.
    wait_until_asleep_with_pages(child.pid());
    let snap = ProcessTree::new(child.pid()).snapshot(0).unwrap().unwrap();
    // Read right after, the kernel's own figures for this idle process are the same.
    let anon = status_kb(child.pid(), "RssAnon") + status_kb(child.pid(), "RssShmem");
    let file = status_kb(child.pid(), "RssFile");
    assert_eq!(snap.processes, 1);
    assert_eq!((snap.rss_bytes, snap.rss_file_bytes), (anon, file));
    assert!(snap.rss_bytes > 0 && snap.rss_file_bytes > 0);
}

#[test]
fn shell_with_two_background_children_is_a_tree_of_three() {
    let shell = Group::spawn(Command::new("sh").args(["-c", "sleep 30 & sleep 30 & wait"]));
    let tree = ProcessTree::new(shell.pid());
    let deadline = Instant::now() + Duration::from_secs(10);
    while tree.pids().unwrap().len() < 3 {
        assert!(Instant::now() < deadline, "the children never appeared");
        thread::sleep(Duration::from_millis(20));
    }
    let sampler = ProcSampler::start(shell.pid(), Duration::from_millis(50)).unwrap();
    thread::sleep(Duration::from_millis(300));
    let series = sampler.stop();
    assert!(series.samples.len() >= 2, "{series:?}");
    for snap in &series.samples {
        assert_eq!(snap.processes, 3, "{snap:?}");
        assert!(snap.threads >= 3, "{snap:?}");
        // Each process has at least stdin, stdout and stderr.
        assert!(snap.fds >= 9, "{snap:?}");
    }
    let pids = tree.pids().unwrap();
    assert_eq!(pids[0], shell.pid());
    assert_eq!(series.summary().unwrap().processes_max, 3);
}

#[test]
fn busy_loop_accumulates_cpu_time_close_to_wall_time() {
    let busy = Group::spawn(Command::new("sh").args(["-c", "while :; do :; done"]));
    let sampler = ProcSampler::start(busy.pid(), Duration::from_millis(100)).unwrap();
    thread::sleep(Duration::from_millis(1500));
    let summary = sampler.stop().summary().unwrap();
    // One single-threaded loop: at most one CPU second per second (plus a tick of
    // rounding), and more than 0.3 in 1.5 s even on a busy two-core machine.
    assert!(
        summary.cpu_s > 0.3 && summary.cpu_s <= summary.span_s + 0.05,
        "{summary:?}"
    );
}

#[test]
fn cpu_time_of_exited_children_stays_counted() {
    // The shell's child burns about a second of CPU, exits and is reaped; its time then
    // moves into the shell's cutime and must not vanish from the tree's total.
    let shell = Group::spawn(
        Command::new("sh").args(["-c", "timeout 1 sh -c 'while :; do :; done'; sleep 30"]),
    );
    let sampler = ProcSampler::start(shell.pid(), Duration::from_millis(50)).unwrap();
    thread::sleep(Duration::from_millis(1800));
    let series = sampler.stop();
    let cpu: Vec<f64> = series.samples.iter().map(|s| s.cpu_s()).collect();
    // Never going down by more than a clock tick's rounding.
    assert!(
        cpu.windows(2).all(|w| w[1] >= w[0] - 0.011),
        "CPU time went down: {cpu:?}"
    );
    let last = series.samples.last().unwrap();
    assert_eq!(last.processes, 2, "the busy child should be gone: {last:?}");
    // A second of busy loop gets well over 0.1 s even on a crowded machine.
    assert!(last.cpu_s() > 0.1, "{cpu:?}");
}

#[test]
fn exit_of_the_root_ends_the_series_early() {
    let mut child = Command::new("sleep").arg("0.3").spawn().unwrap();
    let sampler = ProcSampler::start(child.id(), Duration::from_millis(20)).unwrap();
    // The child is not waited for until the end: it sits as a zombie, which counts as
    // exited.
    thread::sleep(Duration::from_millis(1000));
    let series = sampler.stop();
    child.wait().unwrap();
    assert!(series.ended_early, "{series:?}");
    assert!(series.error.is_none());
    let last = series.samples.last().unwrap();
    assert!(last.t_ms < 900, "sampled after the exit: {last:?}");
}

#[test]
fn window_cuts_a_live_series() {
    let child = Group::spawn(Command::new("sleep").arg("30"));
    let origin = Instant::now();
    let sampler = ProcSampler::start_at(child.pid(), Duration::from_millis(20), origin).unwrap();
    thread::sleep(Duration::from_millis(200));
    let from = sampler.elapsed_ms();
    thread::sleep(Duration::from_millis(200));
    let to = sampler.elapsed_ms();
    thread::sleep(Duration::from_millis(100));
    let series = sampler.stop();
    let window = series.window(from, to);
    assert!(!window.samples.is_empty());
    assert!(window.samples.len() < series.samples.len());
    assert!(window.samples.iter().all(|s| (from..=to).contains(&s.t_ms)));
}
