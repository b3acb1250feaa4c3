//! The environment record: what machine a run ran on, in what state, with which
//! toolchains and framework versions, what isolation was in force, and the warnings
//! that qualify its results.

use crate::EnvError;
use crate::cpuset::{CpuSet, allowed_cpus, online_cpus};
use crate::isolation::{Control, Enforcement, IsolationSummary};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;
use std::process::Command;

/// Load average per online core above which the machine counts as busy before a run.
/// Half a core's worth of runnable work is enough to perturb a CPU-bound benchmark.
pub const BUSY_LOAD_PER_CORE: f64 = 0.5;

/// A framework as measured: from the subject's manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameworkVersion {
    /// The subject's name.
    pub subject: String,
    /// The framework's display name.
    pub framework: String,
    /// Its exact pinned version.
    pub version: String,
}

/// Which toolchain versions to ask for (only those whose subjects are in the run).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Toolchains {
    /// Run `go version`.
    pub go: bool,
    /// Run `rustc --version`.
    pub rust: bool,
}

impl Toolchains {
    /// Both.
    pub fn all() -> Self {
        Self {
            go: true,
            rust: true,
        }
    }
}

/// What the record needs from the rest of the run.
#[derive(Debug, Clone, Default)]
pub struct RecordInputs {
    /// The frameworks measured.
    pub frameworks: Vec<FrameworkVersion>,
    /// The toolchains to report.
    pub toolchains: Toolchains,
    /// The isolation in force (from [`IsolationPlan::summary`](crate::IsolationPlan::summary)).
    pub isolation: Option<IsolationSummary>,
}

/// The 1, 5 and 15 minute load averages (`/proc/loadavg`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoadAvg {
    /// Last minute.
    pub one: f64,
    /// Last 5 minutes.
    pub five: f64,
    /// Last 15 minutes.
    pub fifteen: f64,
}

impl LoadAvg {
    /// Reads `/proc/loadavg`.
    pub fn read() -> Result<Self, EnvError> {
        let text = read_file("/proc/loadavg")?;
        Self::parse(&text).ok_or_else(|| EnvError::Io {
            what: format!("cannot understand /proc/loadavg ({:?})", text.trim()),
            source: std::io::Error::from(std::io::ErrorKind::InvalidData),
        })
    }

    fn parse(text: &str) -> Option<Self> {
        let mut fields = text.split_whitespace().map(str::parse::<f64>);
        Some(Self {
            one: fields.next()?.ok()?,
            five: fields.next()?.ok()?,
            fifteen: fields.next()?.ok()?,
        })
    }
}

/// Something that qualifies a run's results. Travels with them into the store and
/// the report; [`code`](Self::code) is stable for machines, Display is for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Warning {
    /// The 1-minute load average was above [`BUSY_LOAD_PER_CORE`] × cores before the run.
    BusyMachine {
        /// The 1-minute load average.
        load1: f64,
        /// Online cores.
        cores: usize,
    },
    /// The CPU frequency governor is not `performance`.
    GovernorNotPerformance {
        /// The governor(s) found.
        governor: String,
    },
    /// The machine does not expose a CPU frequency governor.
    GovernorUnknown,
    /// The load generator could not keep up, so a figure measures the generator.
    GeneratorSaturated {
        /// The workload.
        workload: String,
        /// The generator's own evidence.
        reason: String,
    },
    /// A workload completed fewer repetitions than asked.
    FewerRepetitions {
        /// The workload.
        workload: String,
        /// Repetitions asked for.
        asked: u32,
        /// Repetitions completed.
        done: u32,
    },
    /// A means of isolation was not in force.
    NotEnforced {
        /// What.
        what: Control,
        /// Why.
        reason: String,
    },
    /// The server and the generator ran on the same CPUs.
    SharedCpus {
        /// The CPUs both used.
        cpus: CpuSet,
    },
}

impl Warning {
    /// A stable identifier (the `code` field of the serialized form).
    pub fn code(&self) -> &'static str {
        match self {
            Warning::BusyMachine { .. } => "busy_machine",
            Warning::GovernorNotPerformance { .. } => "governor_not_performance",
            Warning::GovernorUnknown => "governor_unknown",
            Warning::GeneratorSaturated { .. } => "generator_saturated",
            Warning::FewerRepetitions { .. } => "fewer_repetitions",
            Warning::NotEnforced { .. } => "not_enforced",
            Warning::SharedCpus { .. } => "shared_cpus",
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::BusyMachine { load1, cores } => write!(
                f,
                "the machine was busy before the run: load average {load1:.2} on {cores} cores \
                 (above {:.2}); other work competed with the measurement",
                BUSY_LOAD_PER_CORE * *cores as f64
            ),
            Warning::GovernorNotPerformance { governor } => write!(
                f,
                "the CPU frequency governor is {governor}, not performance: clock speed may change during the run"
            ),
            Warning::GovernorUnknown => f.write_str(
                "the CPU frequency governor is unknown (no cpufreq in /sys, as on most virtual machines): \
                 clock scaling is outside Podium's view",
            ),
            Warning::GeneratorSaturated { workload, reason } => write!(
                f,
                "{workload}: the load generator was saturated ({reason}): the figure measures the generator, not the server"
            ),
            Warning::FewerRepetitions {
                workload,
                asked,
                done,
            } => write!(
                f,
                "{workload}: {done} of {asked} repetitions completed: the confidence interval is wider than planned"
            ),
            Warning::NotEnforced { what, reason } => write!(f, "{what} not enforced: {reason}"),
            Warning::SharedCpus { cpus } => write!(
                f,
                "the server and the load generator shared CPUs {cpus}: they competed for them"
            ),
        }
    }
}

/// The machine and its state for one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentRecord {
    /// Podium's version.
    pub podium_version: String,
    /// The host name.
    pub hostname: String,
    /// `PRETTY_NAME` from `/etc/os-release`.
    pub os: String,
    /// The kernel release (`uname -r`).
    pub kernel: String,
    /// `model name` from `/proc/cpuinfo`.
    pub cpu_model: String,
    /// Online CPUs.
    pub cores_online: usize,
    /// The CPUs this process could use when the record was collected.
    pub cpus_allowed: CpuSet,
    /// `MemTotal` from `/proc/meminfo`.
    pub memory_total_bytes: u64,
    /// The CPU frequency governor (several, comma-separated, when CPUs differ);
    /// `None` when the machine has no cpufreq.
    pub governor: Option<String>,
    /// The load average before the run.
    pub load_avg: LoadAvg,
    /// `go version`, when asked for and `go` runs.
    pub go_version: Option<String>,
    /// `rustc --version`, when asked for and `rustc` runs.
    pub rustc_version: Option<String>,
    /// The frameworks measured.
    pub frameworks: Vec<FrameworkVersion>,
    /// The server's CPUs.
    pub server_cpus: Option<CpuSet>,
    /// The generator's CPUs.
    pub generator_cpus: Option<CpuSet>,
    /// What isolation was and was not in force.
    pub enforcement: Vec<Enforcement>,
    /// What qualifies the results.
    pub warnings: Vec<Warning>,
}

impl EnvironmentRecord {
    /// Reads the machine's state. Call it before the load starts: the load average is
    /// read now. Fields the machine does not expose read "unknown"; only the load
    /// average and the CPU lists, which the warnings depend on, are errors.
    pub fn collect(inputs: &RecordInputs) -> Result<Self, EnvError> {
        let load_avg = LoadAvg::read()?;
        let online = online_cpus()?;
        let cpus_allowed = allowed_cpus()?;
        let or_unknown = |value: Option<String>| value.unwrap_or_else(|| "unknown".to_string());
        let isolation = inputs.isolation.as_ref();
        let mut record = Self {
            podium_version: env!("CARGO_PKG_VERSION").to_string(),
            hostname: or_unknown(first_line("/proc/sys/kernel/hostname")),
            os: or_unknown(
                std::fs::read_to_string("/etc/os-release")
                    .ok()
                    .and_then(|t| os_pretty_name(&t)),
            ),
            kernel: or_unknown(first_line("/proc/sys/kernel/osrelease")),
            cpu_model: or_unknown(
                std::fs::read_to_string("/proc/cpuinfo")
                    .ok()
                    .and_then(|t| cpu_model(&t)),
            ),
            cores_online: online.len(),
            cpus_allowed,
            memory_total_bytes: std::fs::read_to_string("/proc/meminfo")
                .ok()
                .and_then(|t| mem_total_bytes(&t))
                .unwrap_or(0),
            governor: governor(Path::new("/sys/devices/system/cpu"), &online),
            load_avg,
            go_version: inputs
                .toolchains
                .go
                .then(|| command_output("go", &["version"]))
                .flatten(),
            rustc_version: inputs
                .toolchains
                .rust
                .then(|| command_output("rustc", &["--version"]))
                .flatten(),
            frameworks: inputs.frameworks.clone(),
            server_cpus: isolation.map(|i| i.server_cpus.clone()),
            generator_cpus: isolation.map(|i| i.generator_cpus.clone()),
            enforcement: isolation.map(|i| i.enforcement.clone()).unwrap_or_default(),
            warnings: Vec::new(),
        };
        for warning in record.derived_warnings() {
            record.add_warning(warning);
        }
        Ok(record)
    }

    /// The warnings that follow from the record's own fields.
    fn derived_warnings(&self) -> Vec<Warning> {
        let mut warnings = Vec::new();
        if self.load_avg.one > BUSY_LOAD_PER_CORE * self.cores_online as f64 {
            warnings.push(Warning::BusyMachine {
                load1: self.load_avg.one,
                cores: self.cores_online,
            });
        }
        match &self.governor {
            None => warnings.push(Warning::GovernorUnknown),
            Some(g) if g.split(',').any(|one| one != "performance") => {
                warnings.push(Warning::GovernorNotPerformance {
                    governor: g.clone(),
                });
            }
            Some(_) => {}
        }
        for e in self.enforcement.iter().filter(|e| !e.enforced) {
            warnings.push(Warning::NotEnforced {
                what: e.what,
                reason: e.detail.clone(),
            });
        }
        if let (Some(server), Some(generator)) = (&self.server_cpus, &self.generator_cpus)
            && let Some(cpus) = server.intersection(generator)
        {
            warnings.push(Warning::SharedCpus { cpus });
        }
        warnings
    }

    /// Adds a warning found by a later stage (generator saturation, missing
    /// repetitions); one already present is not added twice.
    pub fn add_warning(&mut self, warning: Warning) {
        if !self.warnings.contains(&warning) {
            self.warnings.push(warning);
        }
    }

    /// Whether a warning with this code is present.
    pub fn has_warning(&self, code: &str) -> bool {
        self.warnings.iter().any(|w| w.code() == code)
    }
}

fn read_file(path: &str) -> Result<String, EnvError> {
    std::fs::read_to_string(path).map_err(|source| EnvError::Io {
        what: format!("cannot read {path}"),
        source,
    })
}

fn first_line(path: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().next()?.trim();
    (!line.is_empty()).then(|| line.to_string())
}

/// `PRETTY_NAME` of an os-release file, unquoted.
fn os_pretty_name(text: &str) -> Option<String> {
    let value = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("PRETTY_NAME="))?
        .trim();
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(value);
    (!value.is_empty()).then(|| value.to_string())
}

/// The first CPU's model: `model name` on x86, `Hardware`/`Processor`/`cpu model`
/// on other architectures.
fn cpu_model(cpuinfo: &str) -> Option<String> {
    for key in ["model name", "Hardware", "Processor", "cpu model"] {
        let found = cpuinfo.lines().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            (k.trim() == key && !v.trim().is_empty()).then(|| v.trim().to_string())
        });
        if found.is_some() {
            return found;
        }
    }
    None
}

fn mem_total_bytes(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let mut words = line["MemTotal:".len()..].split_whitespace();
    let value: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") => Some(value * 1024),
        None => Some(value),
        Some(_) => None,
    }
}

/// The governors of the online CPUs under `cpu_dir` (`/sys/devices/system/cpu`),
/// distinct and sorted, comma-separated; `None` when no CPU has one.
fn governor(cpu_dir: &Path, online: &CpuSet) -> Option<String> {
    let mut found: Vec<String> = online
        .iter()
        .filter_map(|cpu| {
            let path = cpu_dir.join(format!("cpu{cpu}/cpufreq/scaling_governor"));
            let text = std::fs::read_to_string(path).ok()?;
            let g = text.trim();
            (!g.is_empty()).then(|| g.to_string())
        })
        .collect();
    found.sort();
    found.dedup();
    (!found.is_empty()).then(|| found.join(","))
}

/// The first line of a command's standard output, when it runs and succeeds.
fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().next()?.trim();
    (!line.is_empty()).then(|| line.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> EnvironmentRecord {
        EnvironmentRecord {
            podium_version: "0".into(),
            hostname: "h".into(),
            os: "os".into(),
            kernel: "6.1".into(),
            cpu_model: "cpu".into(),
            cores_online: 4,
            cpus_allowed: CpuSet::parse("0-3").unwrap(),
            memory_total_bytes: 1,
            governor: Some("performance".into()),
            load_avg: LoadAvg {
                one: 0.1,
                five: 0.1,
                fifteen: 0.1,
            },
            go_version: None,
            rustc_version: None,
            frameworks: vec![],
            server_cpus: Some(CpuSet::parse("0-1").unwrap()),
            generator_cpus: Some(CpuSet::parse("2-3").unwrap()),
            enforcement: vec![],
            warnings: vec![],
        }
    }

    #[test]
    fn a_quiet_well_set_machine_has_no_warnings() {
        assert_eq!(record().derived_warnings(), []);
    }

    #[test]
    fn busy_machine_threshold_is_half_a_load_per_core() {
        let mut r = record();
        r.load_avg.one = 2.0; // exactly 0.5 × 4: not above
        assert_eq!(r.derived_warnings(), []);
        r.load_avg.one = 2.01;
        assert_eq!(
            r.derived_warnings(),
            [Warning::BusyMachine {
                load1: 2.01,
                cores: 4
            }]
        );
    }

    #[test]
    fn governor_warnings() {
        let mut r = record();
        r.governor = None;
        assert_eq!(r.derived_warnings(), [Warning::GovernorUnknown]);
        r.governor = Some("performance,powersave".into());
        assert_eq!(
            r.derived_warnings(),
            [Warning::GovernorNotPerformance {
                governor: "performance,powersave".into()
            }]
        );
    }

    #[test]
    fn not_enforced_and_shared_cpus_become_warnings() {
        let mut r = record();
        r.enforcement = vec![
            Enforcement::enforced(Control::CpuPinning, "x"),
            Enforcement::not_enforced(Control::CgroupCpuset, "no v2 cpuset"),
        ];
        r.server_cpus = Some(CpuSet::parse("0").unwrap());
        r.generator_cpus = Some(CpuSet::parse("0").unwrap());
        assert_eq!(
            r.derived_warnings(),
            [
                Warning::NotEnforced {
                    what: Control::CgroupCpuset,
                    reason: "no v2 cpuset".into()
                },
                Warning::SharedCpus {
                    cpus: CpuSet::parse("0").unwrap()
                }
            ]
        );
    }

    #[test]
    fn add_warning_keeps_one_of_each() {
        let mut r = record();
        let w = Warning::FewerRepetitions {
            workload: "json".into(),
            asked: 5,
            done: 3,
        };
        r.add_warning(w.clone());
        r.add_warning(w.clone());
        assert_eq!(r.warnings, [w]);
        assert!(r.has_warning("fewer_repetitions"));
        assert!(!r.has_warning("busy_machine"));
    }

    #[test]
    fn serialized_code_is_the_stable_code() {
        let all = [
            Warning::BusyMachine {
                load1: 1.5,
                cores: 2,
            },
            Warning::GovernorNotPerformance {
                governor: "powersave".into(),
            },
            Warning::GovernorUnknown,
            Warning::GeneratorSaturated {
                workload: "ping".into(),
                reason: "97% CPU".into(),
            },
            Warning::FewerRepetitions {
                workload: "ping".into(),
                asked: 5,
                done: 2,
            },
            Warning::NotEnforced {
                what: Control::NetworkNamespace,
                reason: "not root".into(),
            },
            Warning::SharedCpus {
                cpus: CpuSet::parse("0").unwrap(),
            },
        ];
        for w in all {
            let json: serde_json::Value = serde_json::to_value(&w).unwrap();
            assert_eq!(json["code"], w.code(), "{json}");
            assert_eq!(serde_json::from_value::<Warning>(json).unwrap(), w);
            assert!(!w.to_string().is_empty());
        }
    }

    #[test]
    fn warning_messages() {
        assert_eq!(
            Warning::BusyMachine {
                load1: 1.5,
                cores: 2
            }
            .to_string(),
            "the machine was busy before the run: load average 1.50 on 2 cores (above 1.00); \
             other work competed with the measurement"
        );
        assert_eq!(
            Warning::NotEnforced {
                what: Control::CgroupCpuMax,
                reason: "no cpu controller".into()
            }
            .to_string(),
            "cgroup cpu.max not enforced: no cpu controller"
        );
        assert_eq!(
            Warning::FewerRepetitions {
                workload: "json".into(),
                asked: 5,
                done: 3
            }
            .to_string(),
            "json: 3 of 5 repetitions completed: the confidence interval is wider than planned"
        );
    }

    #[test]
    fn parses_system_files() {
        assert_eq!(
            os_pretty_name("NAME=\"Debian\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"),
            Some("Debian GNU/Linux 12 (bookworm)".into())
        );
        assert_eq!(
            os_pretty_name("PRETTY_NAME=Alpine\n"),
            Some("Alpine".into())
        );
        assert_eq!(os_pretty_name("NAME=x\n"), None);
        assert_eq!(
            cpu_model("processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: fpu\n"),
            Some("AMD EPYC 7B13".into())
        );
        assert_eq!(
            cpu_model("processor\t: 0\nHardware\t: BCM2835\n"),
            Some("BCM2835".into())
        );
        assert_eq!(cpu_model("processor\t: 0\n"), None);
        assert_eq!(
            mem_total_bytes("MemTotal:        8039424 kB\nMemFree: 1 kB\n"),
            Some(8_039_424 * 1024)
        );
        assert_eq!(mem_total_bytes("MemFree: 1 kB\n"), None);
        assert_eq!(
            LoadAvg::parse("0.18 0.35 0.67 1/89 28040\n"),
            Some(LoadAvg {
                one: 0.18,
                five: 0.35,
                fifteen: 0.67
            })
        );
        assert_eq!(LoadAvg::parse("x"), None);
    }

    #[test]
    fn governor_from_a_fake_sysfs() {
        let dir = tempfile::tempdir().unwrap();
        let online = CpuSet::parse("0-2").unwrap();
        assert_eq!(governor(dir.path(), &online), None);
        for (cpu, g) in [(0, "performance"), (1, "powersave"), (2, "performance")] {
            let d = dir.path().join(format!("cpu{cpu}/cpufreq"));
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("scaling_governor"), format!("{g}\n")).unwrap();
        }
        assert_eq!(
            governor(dir.path(), &online),
            Some("performance,powersave".into())
        );
        assert_eq!(
            governor(dir.path(), &CpuSet::parse("0,2").unwrap()),
            Some("performance".into())
        );
    }
}
