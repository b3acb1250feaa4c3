//! Reading a process tree's memory, CPU, thread and file-descriptor figures from /proc.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// Why a process tree could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ProcError {
    /// The root process does not exist (or has already exited).
    #[error(
        "process {pid} does not exist or has already exited; start sampling while the server runs"
    )]
    NoSuchProcess {
        /// The pid asked for.
        pid: u32,
    },
    /// A file under /proc could not be read for another reason than the process
    /// having exited (no /proc, not Linux, or not allowed to read another user's process).
    #[error(
        "cannot read {path}: {source} (process sampling needs Linux /proc and a process of the same user)"
    )]
    Read {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// A /proc file lacked a field this kernel should provide.
    #[error(
        "{path} has no {field} line; RSS without page cache needs Linux 4.5 or later (RssAnon, RssShmem)"
    )]
    MissingField {
        /// The file.
        path: PathBuf,
        /// The field.
        field: &'static str,
    },
    /// The sampling interval was zero.
    #[error("the sampling interval must be longer than zero")]
    ZeroInterval,
    /// The sampling thread could not be started.
    #[error("cannot start the sampling thread: {0}")]
    Spawn(io::Error),
}

/// The figures of a whole process tree at one moment.
///
/// Memory is RSS *without page cache*: the sum of `RssAnon` and `RssShmem` from
/// `/proc/PID/status`. File-backed resident pages (`RssFile`: the binary, shared
/// libraries, mapped files) are page cache: the kernel can drop and re-read them at any
/// time, and how many are resident depends on what else ran on the machine, not on the
/// server. They are reported apart in `rss_file_bytes`. Note that shared memory is
/// counted once per process that maps it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProcSnapshot {
    /// Milliseconds since the sampler's origin.
    pub t_ms: u64,
    /// Live processes in the tree (the root and its descendants; zombies excluded).
    pub processes: u32,
    /// Anonymous plus shared-memory resident bytes (`RssAnon + RssShmem`), summed.
    pub rss_bytes: u64,
    /// File-backed resident bytes (`RssFile`, page cache), summed; not in `rss_bytes`.
    pub rss_file_bytes: u64,
    /// User CPU seconds of the tree, including descendants that exited and were reaped
    /// (their time moves into their parent's `cutime`, so it is not lost).
    pub cpu_user_s: f64,
    /// System CPU seconds of the tree, counted like `cpu_user_s`.
    pub cpu_system_s: f64,
    /// Threads, summed over the live processes.
    pub threads: u64,
    /// Open file descriptors, summed over the live processes.
    pub fds: u64,
}

impl ProcSnapshot {
    /// User plus system CPU seconds.
    pub fn cpu_s(&self) -> f64 {
        self.cpu_user_s + self.cpu_system_s
    }
}

/// A root process and all its descendants, found afresh at every reading.
///
/// Descendants are found through the parent pid in `/proc/*/stat`, so a process that
/// detached by a double fork (re-parented to init or a subreaper) is no longer part of
/// the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessTree {
    root: u32,
}

/// The fields of `/proc/PID/stat` the sampler uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stat {
    state: char,
    ppid: u32,
    /// utime, stime, cutime, cstime in clock ticks.
    utime: u64,
    stime: u64,
    cutime: u64,
    cstime: u64,
}

impl Stat {
    /// Zombie (`Z`) or dead (`X`, `x`): exited, waiting to be reaped.
    fn exited(&self) -> bool {
        matches!(self.state, 'Z' | 'X' | 'x')
    }
}

/// The fields of `/proc/PID/status` the sampler uses, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Status {
    rss_anon: u64,
    rss_file: u64,
    rss_shmem: u64,
    threads: u64,
}

impl ProcessTree {
    /// The tree rooted at `root`.
    pub fn new(root: u32) -> Self {
        Self { root }
    }

    /// The root pid.
    pub fn root(&self) -> u32 {
        self.root
    }

    /// The root and its live descendants now, root first; empty when the root has exited.
    pub fn pids(&self) -> Result<Vec<u32>, ProcError> {
        let stats = scan_stats()?;
        Ok(self
            .members(&stats)
            .into_iter()
            .filter(|pid| stats.get(pid).is_some_and(|s| !s.exited()))
            .collect())
    }

    /// Reads the tree's figures now, stamped `t_ms`; `None` when the root has exited.
    ///
    /// A process that vanishes between the listing of /proc and the reading of its files
    /// is skipped: processes come and go.
    pub fn snapshot(&self, t_ms: u64) -> Result<Option<ProcSnapshot>, ProcError> {
        let stats = scan_stats()?;
        match stats.get(&self.root) {
            Some(root) if !root.exited() => {}
            _ => return Ok(None),
        }
        let ticks = clock_ticks_per_second();
        let mut snap = ProcSnapshot {
            t_ms,
            processes: 0,
            rss_bytes: 0,
            rss_file_bytes: 0,
            cpu_user_s: 0.0,
            cpu_system_s: 0.0,
            threads: 0,
            fds: 0,
        };
        let (mut user_ticks, mut system_ticks) = (0u64, 0u64);
        for pid in self.members(&stats) {
            let Some(stat) = stats.get(&pid) else {
                continue;
            };
            if stat.exited() {
                // Not reaped yet: its CPU time is not in its parent's cutime, so count it
                // here to keep the tree's CPU time from dipping until it is reaped.
                user_ticks += stat.utime + stat.cutime;
                system_ticks += stat.stime + stat.cstime;
                continue;
            }
            let Some(status) = read_status(pid)? else {
                continue;
            };
            let Some(fds) = count_fds(pid)? else {
                continue;
            };
            snap.processes += 1;
            snap.rss_bytes += status.rss_anon + status.rss_shmem;
            snap.rss_file_bytes += status.rss_file;
            snap.threads += status.threads;
            snap.fds += fds;
            user_ticks += stat.utime + stat.cutime;
            system_ticks += stat.stime + stat.cstime;
        }
        snap.cpu_user_s = user_ticks as f64 / ticks;
        snap.cpu_system_s = system_ticks as f64 / ticks;
        Ok(Some(snap))
    }

    /// The root and every descendant in `stats` (exited ones included), root first.
    fn members(&self, stats: &HashMap<u32, Stat>) -> Vec<u32> {
        if !stats.contains_key(&self.root) {
            return Vec::new();
        }
        let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
        for (&pid, stat) in stats {
            children.entry(stat.ppid).or_default().push(pid);
        }
        let mut members = vec![self.root];
        let mut next = 0;
        while next < members.len() {
            if let Some(kids) = children.get(&members[next]) {
                // A pid reused during the scan could in theory close a loop; never
                // visit one twice.
                for &kid in kids {
                    if kid != self.root && !members.contains(&kid) {
                        members.push(kid);
                    }
                }
            }
            next += 1;
        }
        members
    }
}

/// `sysconf(_SC_CLK_TCK)`: the unit of the CPU times in /proc/PID/stat.
fn clock_ticks_per_second() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        // SAFETY: sysconf has no preconditions and only reads a configuration value.
        let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        // 100 is the value on every Linux architecture; sysconf cannot fail for it, but
        // a non-positive answer must not turn CPU times into infinities.
        if ticks > 0 { ticks as f64 } else { 100.0 }
    })
}

/// Whether an I/O error means the process went away while being read.
fn vanished(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::NotFound || err.raw_os_error() == Some(libc::ESRCH)
}

/// `/proc/*/stat` of every process, by pid. Processes that vanish during the scan are
/// left out.
fn scan_stats() -> Result<HashMap<u32, Stat>, ProcError> {
    let proc_dir = Path::new("/proc");
    let entries = fs::read_dir(proc_dir).map_err(|source| ProcError::Read {
        path: proc_dir.to_path_buf(),
        source,
    })?;
    let mut stats = HashMap::new();
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let path = entry.path().join("stat");
        match fs::read_to_string(&path) {
            Ok(text) => {
                if let Some(stat) = parse_stat(&text) {
                    stats.insert(pid, stat);
                }
            }
            Err(e) if vanished(&e) => {}
            Err(source) => return Err(ProcError::Read { path, source }),
        }
    }
    Ok(stats)
}

/// Parses `/proc/PID/stat`. The command name (field 2) is in parentheses and may itself
/// contain spaces and parentheses, so the fields are counted from the last `)`.
fn parse_stat(text: &str) -> Option<Stat> {
    let after = &text[text.rfind(')')? + 1..];
    let mut fields = after.split_ascii_whitespace();
    // Fields numbered as in proc(5): 3 state, 4 ppid, 14 utime, 15 stime, 16 cutime,
    // 17 cstime.
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    let mut fields = fields.skip(9);
    let utime = fields.next()?.parse().ok()?;
    let stime = fields.next()?.parse().ok()?;
    let cutime = fields.next()?.parse::<i64>().ok()?;
    let cstime = fields.next()?.parse::<i64>().ok()?;
    Some(Stat {
        state,
        ppid,
        utime,
        stime,
        cutime: u64::try_from(cutime).unwrap_or(0),
        cstime: u64::try_from(cstime).unwrap_or(0),
    })
}

/// Reads `/proc/PID/status`; `None` when the process has vanished.
fn read_status(pid: u32) -> Result<Option<Status>, ProcError> {
    let path = PathBuf::from(format!("/proc/{pid}/status"));
    match fs::read_to_string(&path) {
        Ok(text) => parse_status(&text, &path).map(Some),
        Err(e) if vanished(&e) => Ok(None),
        Err(source) => Err(ProcError::Read { path, source }),
    }
}

/// Parses the RSS and thread lines of `/proc/PID/status` (sizes are in kB).
fn parse_status(text: &str, path: &Path) -> Result<Status, ProcError> {
    let mut status = Status::default();
    let (mut anon, mut shmem, mut vm_rss) = (false, false, false);
    for line in text.lines() {
        let Some((key, rest)) = line.split_once(':') else {
            continue;
        };
        let number = || {
            rest.split_ascii_whitespace()
                .next()
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0)
        };
        match key {
            "RssAnon" => {
                status.rss_anon = number() * 1024;
                anon = true;
            }
            "RssFile" => status.rss_file = number() * 1024,
            "RssShmem" => {
                status.rss_shmem = number() * 1024;
                shmem = true;
            }
            "Threads" => status.threads = number(),
            "VmRSS" => vm_rss = true,
            _ => {}
        }
    }
    // A process without any memory lines (a kernel thread) has no RSS at all; one with
    // VmRSS but no RssAnon is on a kernel too old to separate page cache.
    if vm_rss && !(anon && shmem) {
        return Err(ProcError::MissingField {
            path: path.to_path_buf(),
            field: if anon { "RssShmem" } else { "RssAnon" },
        });
    }
    Ok(status)
}

/// Counts `/proc/PID/fd` entries; `None` when the process has vanished.
fn count_fds(pid: u32) -> Result<Option<u64>, ProcError> {
    let path = PathBuf::from(format!("/proc/{pid}/fd"));
    match fs::read_dir(&path) {
        Ok(entries) => Ok(Some(entries.count() as u64)),
        Err(e) if vanished(&e) => Ok(None),
        Err(source) => Err(ProcError::Read { path, source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_from_the_last_parenthesis() {
        // A command name with spaces and a parenthesis, as a process can choose.
        let text = "4242 (my (odd) name) S 17 4242 4242 0 -1 4194560 100 0 0 0 \
                    250 37 9 4 20 0 3 0 12345 1000000 500 18446744073709551615";
        let stat = parse_stat(text).unwrap();
        assert_eq!(
            stat,
            Stat {
                state: 'S',
                ppid: 17,
                utime: 250,
                stime: 37,
                cutime: 9,
                cstime: 4
            }
        );
    }

    #[test]
    fn truncated_stat_is_rejected() {
        assert_eq!(parse_stat("1 (init) S 0 1 1"), None);
        assert_eq!(parse_stat("no parenthesis at all"), None);
    }

    #[test]
    fn status_sizes_are_converted_from_kilobytes() {
        let text = "Name:\tserver\nVmRSS:\t   10000 kB\nRssAnon:\t    6000 kB\n\
                    RssFile:\t    3000 kB\nRssShmem:\t    1000 kB\nThreads:\t7\n";
        let status = parse_status(text, Path::new("/proc/1/status")).unwrap();
        assert_eq!(
            status,
            Status {
                rss_anon: 6000 * 1024,
                rss_file: 3000 * 1024,
                rss_shmem: 1000 * 1024,
                threads: 7
            }
        );
    }

    #[test]
    fn status_without_rss_anon_is_an_error_naming_the_field() {
        let text = "Name:\told\nVmRSS:\t10000 kB\nThreads:\t1\n";
        let err = parse_status(text, Path::new("/proc/9/status")).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("RssAnon") && msg.contains("/proc/9/status"),
            "{msg}"
        );
    }

    #[test]
    fn kernel_thread_status_has_no_memory() {
        let text = "Name:\tkthreadd\nThreads:\t1\n";
        let status = parse_status(text, Path::new("/proc/2/status")).unwrap();
        assert_eq!(status.rss_anon + status.rss_file + status.rss_shmem, 0);
        assert_eq!(status.threads, 1);
    }

    #[test]
    fn own_process_reads_as_a_tree_of_one_with_memory_and_fds() {
        let tree = ProcessTree::new(std::process::id());
        let snap = tree.snapshot(5).unwrap().unwrap();
        assert_eq!(snap.t_ms, 5);
        assert!(snap.processes >= 1);
        assert!(snap.rss_bytes > 0 && snap.rss_file_bytes > 0, "{snap:?}");
        assert!(snap.threads >= 1 && snap.fds >= 1, "{snap:?}");
        assert_eq!(tree.pids().unwrap()[0], std::process::id());
    }

    #[test]
    fn missing_root_reads_as_exited() {
        // Pids are below 2^22 on Linux.
        let tree = ProcessTree::new(u32::MAX - 1);
        assert_eq!(tree.snapshot(0).unwrap(), None);
        assert!(tree.pids().unwrap().is_empty());
    }
}
