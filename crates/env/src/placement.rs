//! Where the server process runs: its CPUs, its cgroup, its network namespace.
//!
//! The placement is applied in the child between `fork` and `exec`, so the server's
//! first instruction already runs where it belongs and every thread or process it
//! starts inherits the placement. Only async-signal-safe system calls are allowed
//! there (the parent may be multi-threaded), so everything that allocates or can fail
//! for a reason worth explaining (opening the files) happens before the fork.

use crate::EnvError;
use crate::cpuset::CpuSet;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Command;

/// Where a server process is placed. The default places nothing and listens on
/// 127.0.0.1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// The CPUs it may run on (`sched_setaffinity`).
    pub cpus: Option<CpuSet>,
    /// The `cgroup.procs` file of the cgroup it joins.
    pub cgroup_procs: Option<PathBuf>,
    /// The network namespace it joins (`/run/netns/NAME`).
    pub netns: Option<PathBuf>,
    /// The address it must listen on (reachable from Podium's namespace).
    pub listen_host: IpAddr,
}

impl Default for Placement {
    fn default() -> Self {
        Self {
            cpus: None,
            cgroup_procs: None,
            netns: None,
            listen_host: IpAddr::V4(Ipv4Addr::LOCALHOST),
        }
    }
}

impl Placement {
    /// A closure for [`CommandExt::pre_exec`] that places the child. The namespace
    /// file and `cgroup.procs` are opened now, in the parent; in the child the closure
    /// only calls `setns(fd, CLONE_NEWNET)`, `write(fd, "0")` (moves the writer itself
    /// into the cgroup) and `sched_setaffinity(0, mask)`, in that order (the cgroup's
    /// cpuset must already apply when the affinity is set, or a mask outside the
    /// previous cgroup's CPUs would be refused).
    ///
    /// A failure in the child makes `spawn` fail with that system call's error.
    pub fn pre_exec_hook(
        &self,
    ) -> Result<impl FnMut() -> io::Result<()> + Send + Sync + 'static, EnvError> {
        let netns = match &self.netns {
            Some(path) => Some(File::open(path).map_err(|source| EnvError::Io {
                what: format!("cannot open the network namespace {}", path.display()),
                source,
            })?),
            None => None,
        };
        let cgroup_procs =
            match &self.cgroup_procs {
                Some(path) => Some(OpenOptions::new().write(true).open(path).map_err(
                    |source| EnvError::Io {
                        what: format!("cannot open {} to join the cgroup", path.display()),
                        source,
                    },
                )?),
                None => None,
            };
        let mask = self.cpus.as_ref().map(CpuSet::to_cpu_set_t);
        Ok(move || {
            if let Some(ns) = &netns {
                // SAFETY: setns(2) on a descriptor opened before the fork; async-signal-safe.
                if unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
                    return Err(io::Error::last_os_error());
                }
            }
            if let Some(procs) = &cgroup_procs {
                // SAFETY: write(2) of a static one-byte buffer to a descriptor opened
                // before the fork; async-signal-safe.
                let written = unsafe { libc::write(procs.as_raw_fd(), c"0".as_ptr().cast(), 1) };
                if written != 1 {
                    return Err(io::Error::last_os_error());
                }
            }
            if let Some(mask) = &mask {
                // SAFETY: sched_setaffinity(2) on the calling process with a mask built
                // before the fork and its exact size; async-signal-safe.
                let rc = unsafe {
                    libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), mask)
                };
                if rc != 0 {
                    return Err(io::Error::last_os_error());
                }
            }
            Ok(())
        })
    }

    /// Registers [`pre_exec_hook`](Self::pre_exec_hook) on `command`.
    pub fn apply_to(&self, command: &mut Command) -> Result<(), EnvError> {
        let hook = self.pre_exec_hook()?;
        // SAFETY: the hook runs in the forked child before exec and only makes the
        // async-signal-safe system calls listed on `pre_exec_hook`, on descriptors and
        // a mask prepared in the parent; it neither allocates nor takes locks.
        unsafe { command.pre_exec(hook) };
        Ok(())
    }

    /// Whether the server listens somewhere other than 127.0.0.1.
    pub fn is_local(&self) -> bool {
        self.listen_host == IpAddr::V4(Ipv4Addr::LOCALHOST)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_loopback_without_constraints() {
        let p = Placement::default();
        assert!(p.is_local());
        assert!(p.cpus.is_none() && p.cgroup_procs.is_none() && p.netns.is_none());
    }

    #[test]
    fn missing_files_fail_in_the_parent_with_the_path() {
        let p = Placement {
            cgroup_procs: Some(PathBuf::from("/nonexistent/podium/cgroup.procs")),
            ..Placement::default()
        };
        let err = p.pre_exec_hook().err().unwrap().to_string();
        assert!(
            err.contains("cannot open /nonexistent/podium/cgroup.procs to join the cgroup"),
            "{err}"
        );
        let p = Placement {
            netns: Some(PathBuf::from("/run/netns/podium-does-not-exist")),
            ..Placement::default()
        };
        let err = p.pre_exec_hook().err().unwrap().to_string();
        assert!(err.contains("cannot open the network namespace"), "{err}");
    }

    #[test]
    fn a_fake_cgroup_procs_receives_the_childs_zero() {
        // A regular file stands in for cgroup.procs: the child writes "0" into it.
        let dir = tempfile::tempdir().unwrap();
        let procs = dir.path().join("cgroup.procs");
        std::fs::write(&procs, "").unwrap();
        let p = Placement {
            cgroup_procs: Some(procs.clone()),
            ..Placement::default()
        };
        let mut command = Command::new("true");
        p.apply_to(&mut command).unwrap();
        assert!(command.status().unwrap().success());
        assert_eq!(std::fs::read_to_string(&procs).unwrap(), "0");
    }

    #[test]
    fn serializes() {
        let p = Placement {
            cpus: Some(CpuSet::parse("1").unwrap()),
            ..Placement::default()
        };
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.contains("\"cpus\":\"1\""), "{json}");
        assert_eq!(serde_json::from_str::<Placement>(&json).unwrap(), p);
    }
}
