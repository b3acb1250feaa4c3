//! The environment record collected on this machine, checked against independent
//! readings of the same facts.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use podium_env::{
    Control, EnvironmentRecord, FrameworkVersion, IsolationPlan, IsolationRequest, RecordInputs,
    Toolchains, Warning,
};
use std::path::Path;
use std::process::Command;

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn record_of_this_machine() {
    let plan = IsolationPlan::prepare(&IsolationRequest::default()).unwrap();
    let frameworks = vec![FrameworkVersion {
        subject: "stdlib".into(),
        framework: "net/http".into(),
        version: "go1.26.8".into(),
    }];
    let record = EnvironmentRecord::collect(&RecordInputs {
        frameworks: frameworks.clone(),
        toolchains: Toolchains::all(),
        isolation: Some(plan.summary()),
    })
    .unwrap();

    assert!(!record.cpu_model.is_empty() && record.cpu_model != "unknown");
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap();
    let processors = cpuinfo
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count();
    assert_eq!(record.cores_online, processors);
    assert_eq!(record.kernel, run("uname", &["-r"]));
    assert_eq!(record.hostname, run("uname", &["-n"]));
    assert!(
        record.os != "unknown" && !record.os.contains('"'),
        "{}",
        record.os
    );
    assert!(record.memory_total_bytes > 1 << 26);
    assert_eq!(record.frameworks, frameworks);
    assert!(
        record
            .go_version
            .as_deref()
            .unwrap()
            .starts_with("go version"),
        "{:?}",
        record.go_version
    );
    assert!(
        record
            .rustc_version
            .as_deref()
            .unwrap()
            .starts_with("rustc "),
        "{:?}",
        record.rustc_version
    );
    assert_eq!(record.server_cpus.as_ref(), Some(plan.server_cpus()));

    let has_cpufreq = Path::new("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor").exists();
    if has_cpufreq {
        assert!(record.governor.is_some());
    } else {
        assert_eq!(record.governor, None);
        assert!(record.warnings.contains(&Warning::GovernorUnknown));
    }

    // Every enforcement entry not in force is a warning with the same reason.
    assert_eq!(record.enforcement, plan.enforcement());
    for e in record.enforcement.iter().filter(|e| !e.enforced) {
        assert!(!e.detail.is_empty(), "{e:?}");
        assert!(
            record.warnings.contains(&Warning::NotEnforced {
                what: e.what,
                reason: e.detail.clone()
            }),
            "{e:?} in {:?}",
            record.warnings
        );
    }
    let cgroup = record
        .enforcement
        .iter()
        .find(|e| e.what == Control::CgroupCpuset)
        .unwrap();
    assert_eq!(cgroup.enforced, plan.cgroup_dir().is_some(), "{cgroup:?}");

    // Later stages add theirs; the record round-trips through JSON for the store.
    let mut record = record;
    record.add_warning(Warning::GeneratorSaturated {
        workload: "json".into(),
        reason: "generator CPU at 99%".into(),
    });
    assert!(record.has_warning("generator_saturated"));
    let json = serde_json::to_string(&record).unwrap();
    let back: EnvironmentRecord = serde_json::from_str(&json).unwrap();
    assert_eq!(back, record);
}
