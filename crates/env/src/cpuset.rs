//! CPU sets in the kernel's list format ("0-1,3") and CPU affinity.

use crate::EnvError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// The largest CPU number (exclusive) a `cpu_set_t` can hold: the kernel accepts
/// larger masks, but libc's fixed-size type is what `sched_setaffinity` is given here.
pub const MAX_CPUS: usize = libc::CPU_SETSIZE as usize;

/// A non-empty set of CPU numbers. Parsed from and displayed in the kernel's list
/// format (`/sys/devices/system/cpu/online`, `cpuset.cpus`, `taskset -c`): "0", "0-1,3".
/// Serialized as that same string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CpuSet {
    cpus: BTreeSet<usize>,
}

/// Why a CPU list could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid CPU list {input:?}: {reason} (expected a list such as \"0\", \"1-3\" or \"0-1,4\")"
)]
pub struct CpuSetError {
    /// The text given.
    pub input: String,
    /// What is wrong with it.
    pub reason: String,
}

impl CpuSet {
    /// The set of the given CPUs; `None` when it would be empty or a CPU number is not
    /// below [`MAX_CPUS`].
    pub fn from_cpus(cpus: impl IntoIterator<Item = usize>) -> Option<Self> {
        let cpus: BTreeSet<usize> = cpus.into_iter().collect();
        if cpus.is_empty() || cpus.iter().any(|&c| c >= MAX_CPUS) {
            return None;
        }
        Some(Self { cpus })
    }

    /// Parses the list format; surrounding white space (a trailing newline from a
    /// sysfs file) is ignored.
    pub fn parse(text: &str) -> Result<Self, CpuSetError> {
        let fail = |reason: String| CpuSetError {
            input: text.to_string(),
            reason,
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(fail("it is empty".into()));
        }
        let number = |s: &str| -> Result<usize, CpuSetError> {
            let s = s.trim();
            let n: usize = s
                .parse()
                .map_err(|_| fail(format!("{s:?} is not a CPU number")))?;
            if n >= MAX_CPUS {
                return Err(fail(format!(
                    "CPU {n} is beyond the largest supported ({})",
                    MAX_CPUS - 1
                )));
            }
            Ok(n)
        };
        let mut cpus = BTreeSet::new();
        for part in trimmed.split(',') {
            match part.split_once('-') {
                Some((lo, hi)) => {
                    let (lo, hi) = (number(lo)?, number(hi)?);
                    if lo > hi {
                        return Err(fail(format!("the range {lo}-{hi} runs backwards")));
                    }
                    cpus.extend(lo..=hi);
                }
                None => {
                    cpus.insert(number(part)?);
                }
            }
        }
        Ok(Self { cpus })
    }

    /// How many CPUs the set holds (never 0).
    pub fn len(&self) -> usize {
        self.cpus.len()
    }

    /// Always false: a `CpuSet` is never empty. Present because clippy expects it
    /// beside `len`.
    pub fn is_empty(&self) -> bool {
        self.cpus.is_empty()
    }

    /// The CPU numbers in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.cpus.iter().copied()
    }

    /// Whether `cpu` is in the set.
    pub fn contains(&self, cpu: usize) -> bool {
        self.cpus.contains(&cpu)
    }

    /// Whether every CPU of `self` is in `other`.
    pub fn is_subset(&self, other: &CpuSet) -> bool {
        self.cpus.is_subset(&other.cpus)
    }

    /// The CPUs in both sets, `None` when they are disjoint.
    pub fn intersection(&self, other: &CpuSet) -> Option<CpuSet> {
        Self::from_cpus(self.cpus.intersection(&other.cpus).copied())
    }

    /// The CPUs of `self` not in `other`, `None` when nothing is left.
    pub fn difference(&self, other: &CpuSet) -> Option<CpuSet> {
        Self::from_cpus(self.cpus.difference(&other.cpus).copied())
    }

    /// The set as a libc mask for `sched_setaffinity`.
    pub fn to_cpu_set_t(&self) -> libc::cpu_set_t {
        // SAFETY: cpu_set_t is a plain bit array; all zeroes is the empty set.
        let mut mask: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        for cpu in &self.cpus {
            // Every member is below CPU_SETSIZE (checked on construction), so CPU_SET
            // stays inside the array.
            // SAFETY: CPU_SET only sets a bit in `mask`, which we own.
            unsafe { libc::CPU_SET(*cpu, &mut mask) };
        }
        mask
    }

    fn from_cpu_set_t(mask: &libc::cpu_set_t) -> Option<Self> {
        // SAFETY: CPU_ISSET only reads a bit of `mask`, for indices below CPU_SETSIZE.
        Self::from_cpus((0..MAX_CPUS).filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, mask) }))
    }
}

impl fmt::Display for CpuSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        let mut cpus = self.cpus.iter().copied().peekable();
        while let Some(start) = cpus.next() {
            let mut end = start;
            while cpus.peek() == Some(&(end + 1)) {
                end += 1;
                cpus.next();
            }
            if !first {
                f.write_str(",")?;
            }
            first = false;
            if end == start {
                write!(f, "{start}")?;
            } else {
                write!(f, "{start}-{end}")?;
            }
        }
        Ok(())
    }
}

impl FromStr for CpuSet {
    type Err = CpuSetError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for CpuSet {
    type Error = CpuSetError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<CpuSet> for String {
    fn from(set: CpuSet) -> String {
        set.to_string()
    }
}

/// The CPUs the kernel has online (`/sys/devices/system/cpu/online`).
pub fn online_cpus() -> Result<CpuSet, EnvError> {
    const PATH: &str = "/sys/devices/system/cpu/online";
    let text = std::fs::read_to_string(PATH).map_err(|source| EnvError::Io {
        what: format!("cannot read {PATH}"),
        source,
    })?;
    Ok(CpuSet::parse(&text)?)
}

/// The CPUs this process may run on (`sched_getaffinity` of the calling thread, which
/// a process inherits from whoever started it: `taskset`, a cpuset cgroup, ...).
pub fn allowed_cpus() -> Result<CpuSet, EnvError> {
    affinity_of(0)
}

/// The affinity mask of thread `tid` (0: the calling thread).
pub fn affinity_of(tid: i32) -> Result<CpuSet, EnvError> {
    // SAFETY: an all-zero cpu_set_t is valid.
    let mut mask: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: the size passed is that of `mask`, which the kernel writes into.
    let rc =
        unsafe { libc::sched_getaffinity(tid, std::mem::size_of::<libc::cpu_set_t>(), &mut mask) };
    if rc != 0 {
        return Err(EnvError::Affinity {
            what: format!("cannot read the CPU affinity of thread {tid}"),
            source: std::io::Error::last_os_error(),
        });
    }
    CpuSet::from_cpu_set_t(&mask).ok_or_else(|| EnvError::Affinity {
        what: format!("the CPU affinity of thread {tid} is empty"),
        source: std::io::Error::from(std::io::ErrorKind::InvalidData),
    })
}

/// Pins the calling thread to `cpus`. Threads it starts afterwards inherit the mask.
pub fn pin_current_thread(cpus: &CpuSet) -> Result<(), EnvError> {
    set_affinity(0, cpus).map_err(|source| EnvError::Affinity {
        what: format!("cannot pin the current thread to CPUs {cpus}"),
        source,
    })
}

/// Pins every thread of process `pid` (each entry of `/proc/PID/task`) to `cpus`;
/// returns how many threads were pinned. Threads started afterwards inherit the mask
/// of the thread that starts them, so a process pinned this way stays pinned.
///
/// The task list is re-read until a pass finds no thread it has not pinned yet, so a
/// thread created while pinning is not missed; a thread that exits meanwhile is skipped.
pub fn pin_process(pid: u32, cpus: &CpuSet) -> Result<usize, EnvError> {
    let task_dir = format!("/proc/{pid}/task");
    let mut seen = BTreeSet::new();
    let mut pinned = 0;
    loop {
        let entries = std::fs::read_dir(&task_dir).map_err(|source| EnvError::Affinity {
            what: format!("cannot list the threads of process {pid} ({task_dir})"),
            source,
        })?;
        let mut new_threads = 0;
        for entry in entries.flatten() {
            let Some(tid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<i32>().ok())
            else {
                continue;
            };
            if !seen.insert(tid) {
                continue;
            }
            new_threads += 1;
            match set_affinity(tid, cpus) {
                Ok(()) => pinned += 1,
                // The thread ended between the listing and now: nothing to pin.
                Err(e) if e.raw_os_error() == Some(libc::ESRCH) => {}
                Err(source) => {
                    return Err(EnvError::Affinity {
                        what: format!("cannot pin thread {tid} of process {pid} to CPUs {cpus}"),
                        source,
                    });
                }
            }
        }
        if new_threads == 0 {
            break;
        }
    }
    if pinned == 0 {
        return Err(EnvError::Affinity {
            what: format!("process {pid} has no threads to pin"),
            source: std::io::Error::from_raw_os_error(libc::ESRCH),
        });
    }
    Ok(pinned)
}

fn set_affinity(tid: i32, cpus: &CpuSet) -> std::io::Result<()> {
    let mask = cpus.to_cpu_set_t();
    // SAFETY: `mask` is a valid cpu_set_t and the size passed is its size.
    let rc = unsafe { libc::sched_setaffinity(tid, std::mem::size_of::<libc::cpu_set_t>(), &mask) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(cpus: &[usize]) -> CpuSet {
        CpuSet::from_cpus(cpus.iter().copied()).unwrap()
    }

    #[test]
    fn parses_single_ranges_and_lists() {
        assert_eq!(CpuSet::parse("0").unwrap(), set(&[0]));
        assert_eq!(CpuSet::parse("0-1,3").unwrap(), set(&[0, 1, 3]));
        assert_eq!(CpuSet::parse("3,1,2\n").unwrap(), set(&[1, 2, 3]));
        assert_eq!(CpuSet::parse(" 2 - 4 , 7 ").unwrap(), set(&[2, 3, 4, 7]));
        assert_eq!(CpuSet::parse("5-5").unwrap(), set(&[5]));
    }

    #[test]
    fn displays_runs_as_ranges() {
        assert_eq!(set(&[0]).to_string(), "0");
        assert_eq!(set(&[0, 1]).to_string(), "0-1");
        assert_eq!(set(&[0, 1, 3]).to_string(), "0-1,3");
        assert_eq!(set(&[0, 2, 4, 5, 6, 9]).to_string(), "0,2,4-6,9");
    }

    #[test]
    fn rejects_bad_lists_with_the_reason() {
        for (input, reason) in [
            ("", "empty"),
            ("  \n", "empty"),
            ("a", "\"a\" is not a CPU number"),
            ("1,,2", "\"\" is not a CPU number"),
            ("3-1", "runs backwards"),
            ("-1", "\"\" is not a CPU number"),
            ("0-", "\"\" is not a CPU number"),
            ("1-2-3", "\"2-3\" is not a CPU number"),
            ("1024", "beyond the largest supported (1023)"),
        ] {
            let err = CpuSet::parse(input).unwrap_err().to_string();
            assert!(err.contains(reason), "{input:?}: {err}");
        }
    }

    #[test]
    fn serializes_as_the_list_string() {
        let json = serde_json::to_string(&set(&[0, 1, 3])).unwrap();
        assert_eq!(json, "\"0-1,3\"");
        let back: CpuSet = serde_json::from_str(&json).unwrap();
        assert_eq!(back, set(&[0, 1, 3]));
        assert!(serde_json::from_str::<CpuSet>("\"x\"").is_err());
    }

    #[test]
    fn set_operations() {
        let a = set(&[0, 1, 2]);
        let b = set(&[2, 3]);
        assert_eq!(a.intersection(&b), Some(set(&[2])));
        assert_eq!(a.difference(&b), Some(set(&[0, 1])));
        assert_eq!(set(&[0]).intersection(&set(&[1])), None);
        assert_eq!(set(&[0]).difference(&set(&[0, 1])), None);
        assert!(set(&[1]).is_subset(&a));
        assert!(!b.is_subset(&a));
        assert_eq!(CpuSet::from_cpus([]), None);
        assert_eq!(CpuSet::from_cpus([MAX_CPUS]), None);
    }

    #[test]
    fn mask_round_trips() {
        let s = set(&[0, 5, 63, 64, 1023]);
        assert_eq!(CpuSet::from_cpu_set_t(&s.to_cpu_set_t()), Some(s));
    }

    proptest::proptest! {
        #[test]
        fn display_then_parse_is_identity(cpus in proptest::collection::btree_set(0usize..200, 1..40)) {
            let s = CpuSet::from_cpus(cpus).unwrap();
            proptest::prop_assert_eq!(CpuSet::parse(&s.to_string()).unwrap(), s);
        }

        #[test]
        fn parse_never_panics(text in "[0-9,\\- ]{0,20}") {
            let _ = CpuSet::parse(&text);
        }
    }

    #[test]
    fn this_process_is_allowed_on_online_cpus() {
        let online = online_cpus().unwrap();
        let allowed = allowed_cpus().unwrap();
        assert!(allowed.is_subset(&online), "{allowed} vs {online}");
    }

    #[test]
    fn pinning_the_current_thread_changes_its_mask() {
        // On a thread of its own, so the test harness's other threads keep their mask.
        std::thread::spawn(|| {
            let allowed = allowed_cpus().unwrap();
            let last = set(&[allowed.iter().last().unwrap()]);
            pin_current_thread(&last).unwrap();
            assert_eq!(allowed_cpus().unwrap(), last);
            // A thread started now inherits the mask.
            let inherited = std::thread::spawn(allowed_cpus).join().unwrap().unwrap();
            assert_eq!(inherited, last);
        })
        .join()
        .unwrap();
    }

    #[test]
    fn pinning_a_missing_process_is_an_error() {
        // pid_max is at most 2^22, so this pid never exists.
        let err = pin_process(u32::MAX - 1, &set(&[0]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot list the threads"), "{err}");
    }
}
