//! `podium env`: the environment record and the isolation this machine can enforce.

use crate::cli::{EnvArgs, IsolationArgs};
use anyhow::Context as _;
use podium_env::{
    CpuSet, EnvironmentRecord, IsolationPlan, IsolationRequest, RecordInputs, Toolchains,
};

/// The isolation request the flags describe.
pub fn isolation_request(args: &IsolationArgs) -> anyhow::Result<IsolationRequest> {
    let cpus = |flag: &str, value: &Option<String>| -> anyhow::Result<Option<CpuSet>> {
        value
            .as_deref()
            .map(|v| CpuSet::parse(v).with_context(|| format!("--{flag} {v:?}")))
            .transpose()
    };
    let cpu_max = args
        .cpu_max
        .as_deref()
        .map(|v| {
            let parsed = v
                .split_once('/')
                .and_then(|(q, p)| Some((q.trim().parse().ok()?, p.trim().parse().ok()?)));
            parsed.with_context(|| {
                format!("--cpu-max {v:?}: give QUOTA/PERIOD in microseconds, e.g. 50000/100000")
            })
        })
        .transpose()?;
    Ok(IsolationRequest {
        server_cpus: cpus("server-cpus", &args.server_cpus)?,
        generator_cpus: cpus("generator-cpus", &args.generator_cpus)?,
        cgroup: !args.no_cgroup,
        cpu_max,
        memory_max: args.memory_max.map(|mib| mib * 1024 * 1024),
        netns: args.netns,
    })
}

pub fn run(args: &EnvArgs) -> anyhow::Result<i32> {
    let plan = IsolationPlan::prepare(&isolation_request(&args.isolation)?)?;
    let record = EnvironmentRecord::collect(&RecordInputs {
        frameworks: Vec::new(),
        toolchains: Toolchains::all(),
        isolation: Some(plan.summary()),
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&record)?);
    } else {
        print!("{}", describe(&record, true));
    }
    drop(plan);
    Ok(0)
}

/// The record as text, the way `podium env` and `podium measure` print it; warnings only
/// when asked (`podium measure` prints them at the end, with those the run added).
pub fn describe(r: &EnvironmentRecord, with_warnings: bool) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let gib = r.memory_total_bytes as f64 / f64::from(1u32 << 30);
    let _ = writeln!(
        out,
        "machine   {} — {} ({} cores online, {} allowed), {gib:.1} GiB",
        r.hostname, r.cpu_model, r.cores_online, r.cpus_allowed
    );
    let _ = writeln!(out, "system    {}, kernel {}", r.os, r.kernel);
    let _ = writeln!(
        out,
        "governor  {}",
        r.governor.as_deref().unwrap_or("unknown (no cpufreq)")
    );
    let _ = writeln!(
        out,
        "load avg  {:.2} {:.2} {:.2} (before the run)",
        r.load_avg.one, r.load_avg.five, r.load_avg.fifteen
    );
    let _ = writeln!(
        out,
        "go        {}",
        r.go_version.as_deref().unwrap_or("not found")
    );
    let _ = writeln!(
        out,
        "rustc     {}",
        r.rustc_version.as_deref().unwrap_or("not found")
    );
    if let (Some(s), Some(g)) = (&r.server_cpus, &r.generator_cpus) {
        let _ = writeln!(out, "cpus      server {s}, load generator {g}");
    }
    let _ = writeln!(out, "isolation");
    for e in &r.enforcement {
        let _ = writeln!(
            out,
            "  {} {:<18} {}",
            if e.enforced { "yes" } else { "no " },
            e.what.to_string(),
            e.detail
        );
    }
    if with_warnings && !r.warnings.is_empty() {
        let _ = writeln!(out, "warnings");
        for w in &r.warnings {
            let _ = writeln!(out, "  [{}] {w}", w.code());
        }
    }
    out
}
