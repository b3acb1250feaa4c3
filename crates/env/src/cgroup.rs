//! The server's own cgroup v2 with `cpuset.cpus`, `cpu.max` and `memory.max`.
//!
//! Where the unified hierarchy is mounted and which controllers it has differ by
//! machine: pure cgroup v2 at `/sys/fs/cgroup`, a hybrid layout with cgroup v2 at
//! `/sys/fs/cgroup/unified` and every controller bound to cgroup v1, containers with
//! a delegated subtree. [`CgroupV2::from_texts`] takes the contents of
//! `/proc/self/mounts` and `/proc/self/cgroup`, so the same code runs against a fake
//! tree in a temporary folder in tests. Every failure is turned into a reason a user
//! can read in the run's record rather than an error: a missing cgroup weakens the
//! isolation, it does not stop the benchmark.

use crate::cpuset::CpuSet;
use crate::isolation::{Control, Enforcement};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Why there is no usable cgroup v2 hierarchy for this process.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct CgroupUnavailable {
    /// The reason, written for the run's record.
    pub reason: String,
}

impl CgroupUnavailable {
    fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }
}

/// A `cpu.max` limit: at most `quota_us` of CPU time per `period_us`, summed over all
/// CPUs (`2 × period` is two full CPUs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpuMax {
    /// CPU time allowed per period, in microseconds.
    pub quota_us: u64,
    /// The period, in microseconds.
    pub period_us: u64,
}

impl CpuMax {
    /// The kernel's default period (100 ms).
    pub const DEFAULT_PERIOD_US: u64 = 100_000;

    /// A quota of `cpus` full CPUs per default period.
    pub fn full_cpus(cpus: usize) -> Self {
        Self {
            quota_us: Self::DEFAULT_PERIOD_US * cpus as u64,
            period_us: Self::DEFAULT_PERIOD_US,
        }
    }

    /// The kernel's accepted ranges: period 1 ms to 1 s, quota at least 1 ms.
    pub fn validate(&self) -> Result<(), String> {
        if !(1_000..=1_000_000).contains(&self.period_us) {
            return Err(format!(
                "the cpu.max period must be between 1000 and 1000000 µs, got {}",
                self.period_us
            ));
        }
        if self.quota_us < 1_000 {
            return Err(format!(
                "the cpu.max quota must be at least 1000 µs, got {}",
                self.quota_us
            ));
        }
        Ok(())
    }

    /// The text written to `cpu.max`.
    pub fn file_value(&self) -> String {
        format!("{} {}", self.quota_us, self.period_us)
    }
}

/// The limits to put on the server's cgroup; `None` leaves a limit out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CgroupLimits {
    /// `cpuset.cpus`.
    pub cpus: Option<CpuSet>,
    /// `cpu.max`.
    pub cpu_max: Option<CpuMax>,
    /// `memory.max`, in bytes.
    pub memory_max: Option<u64>,
}

/// Where this process sits in the cgroup v2 hierarchy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CgroupV2 {
    mount: PathBuf,
    own: PathBuf,
    v1_controllers: BTreeSet<String>,
}

impl CgroupV2 {
    /// This process's hierarchy, from `/proc/self/mounts` and `/proc/self/cgroup`.
    pub fn discover() -> Result<Self, CgroupUnavailable> {
        let read = |path: &str| {
            std::fs::read_to_string(path)
                .map_err(|e| CgroupUnavailable::new(format!("cannot read {path}: {e}")))
        };
        Self::from_texts(&read("/proc/self/mounts")?, &read("/proc/self/cgroup")?)
    }

    /// The hierarchy described by the texts of a mounts table (`/proc/self/mounts`) and
    /// of `/proc/self/cgroup`. The first `cgroup2` mount is used; `cgroup` (v1) mounts
    /// tell which controllers are bound to v1, for the reason given when v2 lacks them.
    pub fn from_texts(mounts: &str, self_cgroup: &str) -> Result<Self, CgroupUnavailable> {
        let mut mount = None;
        let mut v1_controllers = BTreeSet::new();
        for line in mounts.lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [_source, target, fstype, options, ..] = fields[..] else {
                continue;
            };
            match fstype {
                "cgroup2" if mount.is_none() => mount = Some(PathBuf::from(unescape(target))),
                "cgroup" => v1_controllers.extend(
                    options
                        .split(',')
                        .filter(|o| !matches!(*o, "rw" | "ro") && !o.contains('='))
                        .map(str::to_string),
                ),
                _ => {}
            }
        }
        let Some(mount) = mount else {
            return Err(CgroupUnavailable::new(
                "no cgroup v2 hierarchy is mounted (no cgroup2 entry in /proc/self/mounts)",
            ));
        };
        let Some(own) = self_cgroup.lines().find_map(|l| l.strip_prefix("0::")) else {
            return Err(CgroupUnavailable::new(
                "this process is not in a cgroup v2 hierarchy (no \"0::\" line in /proc/self/cgroup)",
            ));
        };
        // Strip the leading '/' so that joining keeps us under the mount point.
        let own = PathBuf::from(own.trim().trim_start_matches('/'));
        let v2 = Self {
            mount,
            own,
            v1_controllers,
        };
        if !v2.own_dir().is_dir() {
            return Err(CgroupUnavailable::new(format!(
                "this process's cgroup {} is not visible under the cgroup v2 mount {}",
                v2.own_dir().display(),
                v2.mount.display()
            )));
        }
        Ok(v2)
    }

    /// Where cgroup v2 is mounted.
    pub fn mount(&self) -> &Path {
        &self.mount
    }

    /// This process's own cgroup folder.
    pub fn own_dir(&self) -> PathBuf {
        self.mount.join(&self.own)
    }
}

/// A cgroup made for the server; removed on drop (after the server has stopped).
#[derive(Debug)]
pub struct ServerCgroup {
    dir: PathBuf,
}

/// What [`ServerCgroup::create`] managed: the cgroup when one was made, and for each
/// requested limit whether it is enforced and why not.
#[derive(Debug)]
pub struct CgroupOutcome {
    /// The server's cgroup, when at least one limit could be applied.
    pub cgroup: Option<ServerCgroup>,
    /// One entry per requested limit.
    pub enforcement: Vec<Enforcement>,
}

impl CgroupOutcome {
    fn enforced_count(&self) -> usize {
        self.enforcement.iter().filter(|e| e.enforced).count()
    }
}

/// One limit: its controller, its record entry, its file and the value written.
struct Limit {
    controller: &'static str,
    control: Control,
    file: &'static str,
    value: String,
}

impl CgroupLimits {
    fn as_limits(&self) -> Vec<Limit> {
        let mut limits = Vec::new();
        if let Some(cpus) = &self.cpus {
            limits.push(Limit {
                controller: "cpuset",
                control: Control::CgroupCpuset,
                file: "cpuset.cpus",
                value: cpus.to_string(),
            });
        }
        if let Some(cpu_max) = &self.cpu_max {
            limits.push(Limit {
                controller: "cpu",
                control: Control::CgroupCpuMax,
                file: "cpu.max",
                value: cpu_max.file_value(),
            });
        }
        if let Some(bytes) = self.memory_max {
            limits.push(Limit {
                controller: "memory",
                control: Control::CgroupMemoryMax,
                file: "memory.max",
                value: bytes.to_string(),
            });
        }
        limits
    }
}

static NEXT_CGROUP: AtomicU32 = AtomicU32::new(0);

impl ServerCgroup {
    /// Creates `podium-<pid>-<n>` with `limits`, below this process's own cgroup, or
    /// below the hierarchy's root when the own cgroup cannot have controlled children
    /// (cgroup v2's "no internal processes" rule: a non-root cgroup that holds
    /// processes cannot enable controllers for its children).
    ///
    /// Never fails: what could not be done is recorded in the outcome's enforcement
    /// entries with the reason.
    pub fn create(v2: &CgroupV2, limits: &CgroupLimits) -> CgroupOutcome {
        let wanted = limits.as_limits();
        if wanted.is_empty() {
            return CgroupOutcome {
                cgroup: None,
                enforcement: Vec::new(),
            };
        }
        let mut parents = vec![v2.own_dir()];
        if !v2.own.as_os_str().is_empty() {
            parents.push(v2.mount.clone());
        }
        let mut failures = Vec::new();
        let mut best: Option<CgroupOutcome> = None;
        for parent in &parents {
            match try_create_under(v2, parent, &wanted) {
                Ok(outcome) if outcome.enforced_count() == wanted.len() => return outcome,
                Ok(outcome) => {
                    // Keep the parent that enforces the most; dropping the other
                    // outcome removes its cgroup.
                    if best
                        .as_ref()
                        .is_none_or(|b| outcome.enforced_count() > b.enforced_count())
                    {
                        best = Some(outcome);
                    }
                }
                Err(reason) => failures.push(reason),
            }
        }
        if let Some(best) = best {
            return best;
        }
        let reason = failures.join("; then, at the hierarchy root: ");
        CgroupOutcome {
            cgroup: None,
            enforcement: wanted
                .iter()
                .map(|l| Enforcement::not_enforced(l.control, reason.clone()))
                .collect(),
        }
    }

    /// The cgroup's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Its `cgroup.procs`: writing a pid (or "0", for the writer itself) moves a process in.
    pub fn procs_path(&self) -> PathBuf {
        self.dir.join("cgroup.procs")
    }
}

/// Reads a space-separated controller list file.
fn controllers_in(path: &Path) -> Result<BTreeSet<String>, String> {
    std::fs::read_to_string(path)
        .map(|text| text.split_whitespace().map(str::to_string).collect())
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn try_create_under(
    v2: &CgroupV2,
    parent: &Path,
    wanted: &[Limit],
) -> Result<CgroupOutcome, String> {
    let available = controllers_in(&parent.join("cgroup.controllers"))?;
    let subtree_file = parent.join("cgroup.subtree_control");
    let enabled = controllers_in(&subtree_file)?;

    let missing: Vec<&str> = wanted
        .iter()
        .map(|l| l.controller)
        .filter(|c| !available.contains(*c))
        .collect();
    let missing_reason =
        (!missing.is_empty()).then(|| missing_controllers_reason(v2, parent, &missing, &available));
    let usable: Vec<&Limit> = wanted
        .iter()
        .filter(|l| available.contains(l.controller))
        .collect();
    if usable.is_empty() {
        return Err(missing_reason.unwrap_or_default());
    }

    let to_enable: Vec<String> = usable
        .iter()
        .filter(|l| !enabled.contains(l.controller))
        .map(|l| format!("+{}", l.controller))
        .collect();
    if !to_enable.is_empty() {
        let line = to_enable.join(" ");
        std::fs::write(&subtree_file, &line).map_err(|e| {
            let hint = if e.raw_os_error() == Some(libc::EBUSY) {
                " (cgroup v2 does not let a cgroup that holds processes enable controllers for its children)"
            } else {
                ""
            };
            format!(
                "cannot enable {line:?} in {}: {e}{hint}",
                subtree_file.display()
            )
        })?;
    }

    let dir = make_unique_dir(parent)?;
    let cgroup = ServerCgroup { dir };
    let mut enforcement = Vec::new();
    for limit in wanted {
        let path = cgroup.dir.join(limit.file);
        let entry = if !available.contains(limit.controller) {
            Enforcement::not_enforced(limit.control, missing_reason.clone().unwrap_or_default())
        } else {
            match std::fs::write(&path, &limit.value) {
                Ok(()) => Enforcement::enforced(
                    limit.control,
                    format!(
                        "{} = {} ({})",
                        limit.file,
                        limit.value,
                        cgroup.dir.display()
                    ),
                ),
                Err(e) => Enforcement::not_enforced(
                    limit.control,
                    format!("cannot write {:?} to {}: {e}", limit.value, path.display()),
                ),
            }
        };
        enforcement.push(entry);
    }
    // A cgroup without any applied limit only adds a process move: not worth keeping.
    let cgroup = enforcement.iter().any(|e| e.enforced).then_some(cgroup);
    Ok(CgroupOutcome {
        cgroup,
        enforcement,
    })
}

fn missing_controllers_reason(
    v2: &CgroupV2,
    parent: &Path,
    missing: &[&str],
    available: &BTreeSet<String>,
) -> String {
    let list = missing.join(", ");
    let noun = if missing.len() == 1 {
        format!("its {list} controller is")
    } else {
        format!("its controllers ({list}) are")
    };
    if parent == v2.mount && missing.iter().all(|c| v2.v1_controllers.contains(*c)) {
        return format!(
            "cgroup v2 is mounted at {} but {noun} bound to cgroup v1 on this machine \
             (hybrid hierarchy), so the server's cgroup cannot have these limits",
            v2.mount.display()
        );
    }
    let offered = if available.is_empty() {
        "none".to_string()
    } else {
        available.iter().cloned().collect::<Vec<_>>().join(" ")
    };
    format!(
        "the cgroup v2 controllers {list} are not available in {} (its cgroup.controllers lists: {offered})",
        parent.display()
    )
}

fn make_unique_dir(parent: &Path) -> Result<PathBuf, String> {
    loop {
        let n = NEXT_CGROUP.fetch_add(1, Ordering::Relaxed);
        let dir = parent.join(format!("podium-{}-{n}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            // Left by an earlier process with the same pid: pick the next number.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot create {}: {e}", dir.display())),
        }
    }
}

impl Drop for ServerCgroup {
    /// Removes the cgroup. The kernel refuses (EBUSY) while a process is inside, which
    /// includes a server that has just been killed and not yet fully released: retry
    /// briefly. If processes are still there after that, the server outlived its
    /// owner; `cgroup.kill` ends them so the cgroup can go.
    fn drop(&mut self) {
        if remove_with_retries(&self.dir, Duration::from_secs(1)) {
            return;
        }
        let kill = self.dir.join("cgroup.kill");
        if kill.exists() && std::fs::write(&kill, "1").is_ok() {
            remove_with_retries(&self.dir, Duration::from_secs(1));
        }
    }
}

/// True when the folder is gone. Removes fake-tree files first: in a real cgroup
/// rmdir alone works (its interface files are not removable, and need not be).
fn remove_with_retries(dir: &Path, within: Duration) -> bool {
    let started = std::time::Instant::now();
    loop {
        match std::fs::remove_dir(dir) {
            Ok(()) => return true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return true,
            Err(e) if e.raw_os_error() == Some(libc::ENOTEMPTY) => {
                // A regular folder (tests' fake tree): cgroupfs never says ENOTEMPTY
                // for its interface files.
                return std::fs::remove_dir_all(dir).is_ok();
            }
            Err(e) if e.raw_os_error() == Some(libc::EBUSY) && started.elapsed() < within => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(_) => return false,
        }
    }
}

/// Undoes the octal escapes (`\040` for a space) of a mounts table field.
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && i + 3 < bytes.len()
            && bytes[i + 1..i + 4]
                .iter()
                .all(|b| (b'0'..=b'7').contains(b))
        {
            let value =
                (bytes[i + 1] - b'0') * 64 + (bytes[i + 2] - b'0') * 8 + (bytes[i + 3] - b'0');
            out.push(value);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake cgroup v2 tree: the root has `controllers`, this process sits in `own`.
    struct FakeTree {
        dir: tempfile::TempDir,
    }

    impl FakeTree {
        fn new(
            root_controllers: &str,
            own: &str,
            own_controllers: &str,
            own_subtree: &str,
        ) -> Self {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path();
            std::fs::write(root.join("cgroup.controllers"), root_controllers).unwrap();
            std::fs::write(root.join("cgroup.subtree_control"), "").unwrap();
            let own_dir = root.join(own.trim_start_matches('/'));
            std::fs::create_dir_all(&own_dir).unwrap();
            if own != "/" {
                std::fs::write(own_dir.join("cgroup.controllers"), own_controllers).unwrap();
                std::fs::write(own_dir.join("cgroup.subtree_control"), own_subtree).unwrap();
            }
            Self { dir }
        }

        fn v2(&self, own: &str, v1_mounts: &str) -> CgroupV2 {
            let mounts = format!(
                "proc /proc proc rw 0 0\n{v1_mounts}cgroup2 {} cgroup2 rw,nosuid 0 0\n",
                self.dir.path().display()
            );
            CgroupV2::from_texts(&mounts, &format!("1:name=systemd:/\n0::{own}\n")).unwrap()
        }

        fn read(&self, rel: &str) -> String {
            std::fs::read_to_string(self.dir.path().join(rel)).unwrap()
        }
    }

    fn all_limits() -> CgroupLimits {
        CgroupLimits {
            cpus: Some(CpuSet::parse("0").unwrap()),
            cpu_max: Some(CpuMax {
                quota_us: 50_000,
                period_us: 100_000,
            }),
            memory_max: Some(512 << 20),
        }
    }

    fn only_subdir(dir: &Path) -> PathBuf {
        let subdirs: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        assert_eq!(subdirs.len(), 1, "{subdirs:?}");
        subdirs[0].clone()
    }

    #[test]
    fn writes_controllers_and_limits_below_the_root() {
        let tree = FakeTree::new("cpuset cpu io memory pids", "/", "", "");
        let v2 = tree.v2("/", "");
        let outcome = ServerCgroup::create(&v2, &all_limits());
        let cgroup = outcome.cgroup.expect("cgroup created");
        assert_eq!(tree.read("cgroup.subtree_control"), "+cpuset +cpu +memory");
        let name = cgroup
            .dir()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            name.starts_with(&format!("podium-{}-", std::process::id())),
            "{name}"
        );
        assert_eq!(cgroup.dir().parent().unwrap(), tree.dir.path());
        assert_eq!(tree.read(&format!("{name}/cpuset.cpus")), "0");
        assert_eq!(tree.read(&format!("{name}/cpu.max")), "50000 100000");
        assert_eq!(tree.read(&format!("{name}/memory.max")), "536870912");
        assert_eq!(cgroup.procs_path(), cgroup.dir().join("cgroup.procs"));
        let controls: Vec<(Control, bool)> = outcome
            .enforcement
            .iter()
            .map(|e| (e.what, e.enforced))
            .collect();
        assert_eq!(
            controls,
            [
                (Control::CgroupCpuset, true),
                (Control::CgroupCpuMax, true),
                (Control::CgroupMemoryMax, true)
            ]
        );
        assert!(
            outcome.enforcement[1]
                .detail
                .contains("cpu.max = 50000 100000"),
            "{:?}",
            outcome.enforcement[1]
        );
        let dir = cgroup.dir().to_path_buf();
        drop(cgroup);
        assert!(!dir.exists(), "removed on drop");
    }

    #[test]
    fn enables_only_controllers_not_yet_enabled_in_the_own_cgroup() {
        let tree = FakeTree::new(
            "cpuset cpu memory",
            "/app.slice/run.scope",
            "cpuset cpu memory",
            "cpu",
        );
        let v2 = tree.v2("/app.slice/run.scope", "");
        let limits = CgroupLimits {
            cpus: Some(CpuSet::parse("1").unwrap()),
            cpu_max: Some(CpuMax::full_cpus(1)),
            memory_max: None,
        };
        let outcome = ServerCgroup::create(&v2, &limits);
        let cgroup = outcome.cgroup.expect("cgroup created");
        assert_eq!(
            tree.read("app.slice/run.scope/cgroup.subtree_control"),
            "+cpuset"
        );
        assert_eq!(
            cgroup.dir().parent().unwrap(),
            tree.dir.path().join("app.slice/run.scope")
        );
        assert_eq!(
            std::fs::read_to_string(cgroup.dir().join("cpuset.cpus")).unwrap(),
            "1"
        );
        assert_eq!(
            std::fs::read_to_string(cgroup.dir().join("cpu.max")).unwrap(),
            "100000 100000"
        );
        assert!(!cgroup.dir().join("memory.max").exists(), "not requested");
        assert_eq!(outcome.enforcement.len(), 2);
        assert!(outcome.enforcement.iter().all(|e| e.enforced));
    }

    #[test]
    fn falls_back_to_the_root_when_the_own_cgroup_lacks_controllers() {
        let tree = FakeTree::new(
            "cpuset cpu memory",
            "/user.slice/s.scope",
            "memory pids",
            "",
        );
        let v2 = tree.v2("/user.slice/s.scope", "");
        let outcome = ServerCgroup::create(&v2, &all_limits());
        let cgroup = outcome.cgroup.expect("cgroup created at the root");
        assert_eq!(cgroup.dir().parent().unwrap(), tree.dir.path());
        assert_eq!(tree.read("cgroup.subtree_control"), "+cpuset +cpu +memory");
        assert!(
            outcome.enforcement.iter().all(|e| e.enforced),
            "{:?}",
            outcome.enforcement
        );
        // The own cgroup could only have enforced memory.max: the cgroup tried there
        // was removed again.
        assert_eq!(
            only_subdir_count(&tree.dir.path().join("user.slice/s.scope")),
            0
        );
    }

    #[test]
    fn hybrid_machine_records_controllers_bound_to_v1() {
        let tree = FakeTree::new("", "/", "", "");
        let v1 = "cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\n\
                  cgroup /sys/fs/cgroup/cpuset cgroup rw,relatime,cpuset 0 0\n\
                  cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\n\
                  cgroup /sys/fs/cgroup/systemd cgroup rw,relatime,name=systemd 0 0\n";
        let v2 = tree.v2("/", v1);
        assert!(v2.v1_controllers.contains("cpuset"));
        assert!(!v2.v1_controllers.contains("name=systemd"));
        let outcome = ServerCgroup::create(&v2, &all_limits());
        assert!(outcome.cgroup.is_none());
        assert_eq!(outcome.enforcement.len(), 3);
        let expected = format!(
            "cgroup v2 is mounted at {} but its controllers (cpuset, cpu, memory) are bound to cgroup v1 on this machine",
            tree.dir.path().display()
        );
        for e in &outcome.enforcement {
            assert!(!e.enforced);
            assert!(e.detail.starts_with(&expected), "{}", e.detail);
        }
        assert_eq!(tree.read("cgroup.subtree_control"), "", "nothing written");
        assert_eq!(only_subdir_count(tree.dir.path()), 0, "no cgroup created");
    }

    fn only_subdir_count(dir: &Path) -> usize {
        std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .filter(|e| e.path().is_dir())
            .count()
    }

    #[test]
    fn partly_available_controllers_enforce_what_they_can() {
        let tree = FakeTree::new("cpu memory", "/", "", "");
        let v2 = tree.v2("/", "");
        let outcome = ServerCgroup::create(&v2, &all_limits());
        let cgroup = outcome.cgroup.expect("cgroup created for cpu and memory");
        assert_eq!(only_subdir(tree.dir.path()), cgroup.dir());
        assert_eq!(tree.read("cgroup.subtree_control"), "+cpu +memory");
        assert!(!cgroup.dir().join("cpuset.cpus").exists());
        let cpuset = &outcome.enforcement[0];
        assert_eq!(cpuset.what, Control::CgroupCpuset);
        assert!(!cpuset.enforced);
        assert!(
            cpuset
                .detail
                .contains("controllers cpuset are not available")
                && cpuset.detail.contains("lists: cpu memory"),
            "{}",
            cpuset.detail
        );
        assert!(outcome.enforcement[1].enforced && outcome.enforcement[2].enforced);
    }

    #[test]
    fn no_limits_creates_nothing() {
        let tree = FakeTree::new("cpuset cpu memory", "/", "", "");
        let outcome = ServerCgroup::create(&tree.v2("/", ""), &CgroupLimits::default());
        assert!(outcome.cgroup.is_none() && outcome.enforcement.is_empty());
        assert_eq!(only_subdir_count(tree.dir.path()), 0);
    }

    #[test]
    fn discovery_reasons() {
        let err = CgroupV2::from_texts("proc /proc proc rw 0 0\n", "0::/\n").unwrap_err();
        assert!(
            err.reason.contains("no cgroup v2 hierarchy is mounted"),
            "{err}"
        );
        let tree = FakeTree::new("", "/", "", "");
        let mounts = format!("cgroup2 {} cgroup2 rw 0 0\n", tree.dir.path().display());
        let err = CgroupV2::from_texts(&mounts, "4:memory:/x\n").unwrap_err();
        assert!(err.reason.contains("no \"0::\" line"), "{err}");
        let err = CgroupV2::from_texts(&mounts, "0::/not/there\n").unwrap_err();
        assert!(err.reason.contains("is not visible under"), "{err}");
        let v2 = CgroupV2::from_texts(&mounts, "0::/\n").unwrap();
        assert_eq!(v2.own_dir(), tree.dir.path());
        assert_eq!(v2.mount(), tree.dir.path());
    }

    #[test]
    fn mount_fields_are_unescaped() {
        assert_eq!(unescape("/a\\040b"), "/a b");
        assert_eq!(unescape("/plain"), "/plain");
        assert_eq!(unescape("/trailing\\04"), "/trailing\\04");
    }

    #[test]
    fn cpu_max_ranges() {
        assert!(CpuMax::full_cpus(2).validate().is_ok());
        assert_eq!(CpuMax::full_cpus(2).file_value(), "200000 100000");
        assert!(
            CpuMax {
                quota_us: 500,
                period_us: 100_000
            }
            .validate()
            .is_err()
        );
        assert!(
            CpuMax {
                quota_us: 5_000,
                period_us: 999
            }
            .validate()
            .is_err()
        );
        assert!(
            CpuMax {
                quota_us: 5_000,
                period_us: 2_000_000
            }
            .validate()
            .is_err()
        );
    }
}
