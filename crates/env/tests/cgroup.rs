//! The server's cgroup on this machine: either it is enforced (the files hold the
//! limits and a placed process lands in it) or the reason it is not is recorded and
//! matches what the machine shows.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use podium_env::{Control, Enforcement, IsolationPlan, IsolationRequest};
use std::path::PathBuf;
use std::process::Command;

fn entry(plan: &IsolationPlan, what: Control) -> Enforcement {
    plan.enforcement()
        .iter()
        .find(|e| e.what == what)
        .unwrap_or_else(|| panic!("no {what} entry in {:?}", plan.enforcement()))
        .clone()
}

/// The cgroup v2 mount point and its root's controllers, read independently of the
/// crate, when cgroup v2 is mounted.
fn v2_root_controllers() -> Option<(PathBuf, Vec<String>)> {
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap();
    let mount = mounts.lines().find_map(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        (f.get(2) == Some(&"cgroup2")).then(|| PathBuf::from(f[1]))
    })?;
    let controllers = std::fs::read_to_string(mount.join("cgroup.controllers")).unwrap();
    Some((
        mount,
        controllers.split_whitespace().map(str::to_string).collect(),
    ))
}

#[test]
fn server_cgroup_is_enforced_or_the_reason_is_recorded() {
    let request = IsolationRequest {
        memory_max: Some(256 << 20),
        ..IsolationRequest::default()
    };
    let plan = IsolationPlan::prepare(&request).unwrap();
    let cpuset = entry(&plan, Control::CgroupCpuset);
    let cpu_max = entry(&plan, Control::CgroupCpuMax);
    let memory_max = entry(&plan, Control::CgroupMemoryMax);

    match plan.cgroup_dir() {
        Some(dir) => {
            let dir = dir.to_path_buf();
            let read = |file: &str| std::fs::read_to_string(dir.join(file)).unwrap();
            if cpuset.enforced {
                assert_eq!(read("cpuset.cpus").trim(), plan.server_cpus().to_string());
            }
            if cpu_max.enforced {
                assert_eq!(
                    read("cpu.max").trim(),
                    format!("{} 100000", 100_000 * plan.server_cpus().len())
                );
            }
            if memory_max.enforced {
                assert_eq!(read("memory.max").trim(), (256u64 << 20).to_string());
            }
            // A process started with the placement is in the cgroup.
            let mut command = Command::new("sleep");
            command.arg("5");
            plan.server_placement().apply_to(&mut command).unwrap();
            let mut child = command.spawn().unwrap();
            let procs = read("cgroup.procs");
            child.kill().unwrap();
            child.wait().unwrap();
            assert!(
                procs.lines().any(|p| p == child.id().to_string()),
                "{} not in {procs:?}",
                child.id()
            );
            drop(plan);
            assert!(!dir.exists(), "{} removed with the plan", dir.display());
        }
        None => {
            assert!(plan.server_placement().cgroup_procs.is_none());
            for e in [&cpuset, &cpu_max, &memory_max] {
                assert!(!e.enforced, "{e:?}");
                assert!(!e.detail.is_empty(), "{e:?}");
            }
            // The reason matches the machine: read the hierarchy ourselves.
            match v2_root_controllers() {
                None => assert!(cpuset.detail.contains("no cgroup v2"), "{}", cpuset.detail),
                Some((mount, controllers)) => {
                    let missing: Vec<&str> = ["cpuset", "cpu", "memory"]
                        .into_iter()
                        .filter(|c| !controllers.iter().any(|have| have == c))
                        .collect();
                    if missing.len() == 3 {
                        // The hybrid machines Podium's CI runs on.
                        assert!(
                            cpuset.detail.starts_with(&format!(
                                "cgroup v2 is mounted at {} but its controllers (cpuset, cpu, memory)",
                                mount.display()
                            )),
                            "{}",
                            cpuset.detail
                        );
                    } else {
                        // Controllers exist but something refused: the reason names it.
                        assert!(cpuset.detail.contains("cannot"), "{}", cpuset.detail);
                    }
                }
            }
        }
    }
}
