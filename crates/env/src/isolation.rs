//! Isolating the server from the load generator, and recording what was enforced.

use crate::EnvError;
use crate::cgroup::{CgroupLimits, CgroupV2, CpuMax, ServerCgroup};
use crate::cpuset::{CpuSet, allowed_cpus, pin_process};
use crate::netns::NetnsPair;
use crate::placement::Placement;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Mutex;

/// One means of isolation a run can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Control {
    /// Server and generator on disjoint CPU sets (`sched_setaffinity`).
    #[serde(rename = "cpu pinning")]
    CpuPinning,
    /// The server's cgroup restricted to its CPUs.
    #[serde(rename = "cgroup cpuset")]
    CgroupCpuset,
    /// A CPU-time quota on the server's cgroup.
    #[serde(rename = "cgroup cpu.max")]
    CgroupCpuMax,
    /// A memory limit on the server's cgroup.
    #[serde(rename = "cgroup memory.max")]
    CgroupMemoryMax,
    /// The server in its own network namespace behind a veth pair.
    #[serde(rename = "network namespace")]
    NetworkNamespace,
}

impl fmt::Display for Control {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Control::CpuPinning => "cpu pinning",
            Control::CgroupCpuset => "cgroup cpuset",
            Control::CgroupCpuMax => "cgroup cpu.max",
            Control::CgroupMemoryMax => "cgroup memory.max",
            Control::NetworkNamespace => "network namespace",
        })
    }
}

/// Whether one means of isolation is in force for a run, and how or why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enforcement {
    /// What.
    pub what: Control,
    /// Whether it is in force.
    pub enforced: bool,
    /// The values applied, or the reason it is not in force.
    pub detail: String,
}

impl Enforcement {
    /// An entry for something in force.
    pub fn enforced(what: Control, detail: impl Into<String>) -> Self {
        Self {
            what,
            enforced: true,
            detail: detail.into(),
        }
    }

    /// An entry for something not in force, with the reason.
    pub fn not_enforced(what: Control, reason: impl Into<String>) -> Self {
        Self {
            what,
            enforced: false,
            detail: reason.into(),
        }
    }
}

/// What a run asks for. The default pins server and generator apart on the CPUs this
/// process may use, tries a cgroup, and stays in the host's network namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsolationRequest {
    /// The server's CPUs; by default from [`split_cpus`] (or the allowed CPUs not given
    /// to the generator).
    pub server_cpus: Option<CpuSet>,
    /// The generator's CPUs; by default from [`split_cpus`] (or the allowed CPUs not
    /// given to the server).
    pub generator_cpus: Option<CpuSet>,
    /// Try to put the server in its own cgroup v2.
    pub cgroup: bool,
    /// `cpu.max` as (quota, period) in microseconds; by default the server's CPU count
    /// in full CPUs, so the quota matches the CPU set (and still limits the server
    /// where the cpuset controller is missing but the cpu controller is not).
    pub cpu_max: Option<(u64, u64)>,
    /// `memory.max` in bytes; no limit by default.
    pub memory_max: Option<u64>,
    /// Put the server in its own network namespace.
    pub netns: bool,
}

impl Default for IsolationRequest {
    fn default() -> Self {
        Self {
            server_cpus: None,
            generator_cpus: None,
            cgroup: true,
            cpu_max: None,
            memory_max: None,
            netns: false,
        }
    }
}

/// The default split of the CPUs this process may use, as (server, generator,
/// shared). One CPU: both share it (`shared` is true). Otherwise the server gets the
/// lower half (rounded down) and the generator the rest: two CPUs give the server the
/// first and the generator the second; three give the server one and the generator
/// two. The generator gets the larger half because a saturated generator makes the
/// whole measurement wrong, while a server with fewer CPUs is still measured
/// correctly (and the record says how many it had).
pub fn split_cpus(allowed: &CpuSet) -> (CpuSet, CpuSet, bool) {
    let cpus: Vec<usize> = allowed.iter().collect();
    if cpus.len() < 2 {
        return (allowed.clone(), allowed.clone(), true);
    }
    let half = cpus.len() / 2;
    match (
        CpuSet::from_cpus(cpus[..half].iter().copied()),
        CpuSet::from_cpus(cpus[half..].iter().copied()),
    ) {
        (Some(server), Some(generator)) => (server, generator, false),
        // Unreachable with two or more CPUs; sharing is the safe answer anyway.
        _ => (allowed.clone(), allowed.clone(), true),
    }
}

/// The server and generator sets for a request, as (server, generator, shared).
fn resolve_cpus(
    server: Option<&CpuSet>,
    generator: Option<&CpuSet>,
    allowed: &CpuSet,
) -> Result<(CpuSet, CpuSet, bool), EnvError> {
    for (role, set) in [("server", server), ("generator", generator)] {
        if let Some(set) = set.filter(|s| !s.is_subset(allowed)) {
            return Err(EnvError::CpusNotAllowed {
                role,
                cpus: set.clone(),
                allowed: allowed.clone(),
            });
        }
    }
    let (server, generator) = match (server, generator) {
        (None, None) => return Ok(split_cpus(allowed)),
        (Some(s), Some(g)) => (s.clone(), g.clone()),
        (Some(s), None) => {
            let g = allowed.difference(s).ok_or(EnvError::NoCpuLeft {
                role: "generator",
                other: "server",
                allowed: allowed.clone(),
            })?;
            (s.clone(), g)
        }
        (None, Some(g)) => {
            let s = allowed.difference(g).ok_or(EnvError::NoCpuLeft {
                role: "server",
                other: "generator",
                allowed: allowed.clone(),
            })?;
            (s, g.clone())
        }
    };
    if let Some(overlap) = server.intersection(&generator) {
        return Err(EnvError::CpusOverlap {
            server,
            generator,
            overlap,
        });
    }
    Ok((server, generator, false))
}

/// The isolation of a run, as far as this machine allows it. Dropping it removes the
/// server's cgroup and network namespace (stop the server first) and gives the
/// generator back the CPUs it had before [`pin_generator`](Self::pin_generator).
#[derive(Debug)]
pub struct IsolationPlan {
    server_cpus: CpuSet,
    generator_cpus: CpuSet,
    cgroup: Option<ServerCgroup>,
    netns: Option<NetnsPair>,
    enforcement: Vec<Enforcement>,
    /// This process's CPUs before the generator was pinned.
    generator_previous: Mutex<Option<CpuSet>>,
}

/// What a plan amounts to, for the run's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IsolationSummary {
    /// The server's CPUs.
    pub server_cpus: CpuSet,
    /// The generator's CPUs.
    pub generator_cpus: CpuSet,
    /// Where the server listens.
    pub server_host: IpAddr,
    /// What was and was not enforced.
    pub enforcement: Vec<Enforcement>,
}

impl IsolationPlan {
    /// Resolves the CPU sets, creates the cgroup and the network namespace where
    /// asked and possible. Errors are reserved for requests that cannot be right on
    /// this machine (CPUs it may not use, overlapping sets, limits out of range);
    /// what the machine cannot provide is recorded in [`enforcement`](Self::enforcement).
    pub fn prepare(request: &IsolationRequest) -> Result<Self, EnvError> {
        let allowed = allowed_cpus()?;
        let cpu_max = match request.cpu_max {
            Some((quota_us, period_us)) => {
                let cpu_max = CpuMax {
                    quota_us,
                    period_us,
                };
                cpu_max.validate().map_err(EnvError::InvalidLimit)?;
                Some(cpu_max)
            }
            None => None,
        };
        if request.memory_max == Some(0) {
            return Err(EnvError::InvalidLimit(
                "memory.max must be more than 0 bytes".into(),
            ));
        }
        if !request.cgroup && (cpu_max.is_some() || request.memory_max.is_some()) {
            return Err(EnvError::InvalidLimit(
                "cpu.max and memory.max are cgroup limits: they cannot be set with the cgroup turned off".into(),
            ));
        }
        let (server_cpus, generator_cpus, shared) = resolve_cpus(
            request.server_cpus.as_ref(),
            request.generator_cpus.as_ref(),
            &allowed,
        )?;

        let mut enforcement = vec![if shared {
            Enforcement::not_enforced(
                Control::CpuPinning,
                format!(
                    "this process may only run on one CPU ({allowed}): the server and the load generator share it"
                ),
            )
        } else {
            Enforcement::enforced(
                Control::CpuPinning,
                format!("server on CPUs {server_cpus}, generator on CPUs {generator_cpus}"),
            )
        }];

        let cgroup = if request.cgroup {
            let limits = CgroupLimits {
                cpus: Some(server_cpus.clone()),
                cpu_max: Some(cpu_max.unwrap_or(CpuMax::full_cpus(server_cpus.len()))),
                memory_max: request.memory_max,
            };
            match CgroupV2::discover() {
                Ok(v2) => {
                    let outcome = ServerCgroup::create(&v2, &limits);
                    enforcement.extend(outcome.enforcement);
                    outcome.cgroup
                }
                Err(unavailable) => {
                    enforcement.push(Enforcement::not_enforced(
                        Control::CgroupCpuset,
                        unavailable.reason.clone(),
                    ));
                    enforcement.push(Enforcement::not_enforced(
                        Control::CgroupCpuMax,
                        unavailable.reason.clone(),
                    ));
                    if limits.memory_max.is_some() {
                        enforcement.push(Enforcement::not_enforced(
                            Control::CgroupMemoryMax,
                            unavailable.reason,
                        ));
                    }
                    None
                }
            }
        } else {
            enforcement.push(Enforcement::not_enforced(
                Control::CgroupCpuset,
                "the cgroup was turned off for this run",
            ));
            None
        };

        let netns = if request.netns {
            match NetnsPair::create() {
                Ok(pair) => {
                    enforcement.push(Enforcement::enforced(
                        Control::NetworkNamespace,
                        format!(
                            "server in namespace {} at {} ({}), generator in the host namespace at {} ({})",
                            pair.name(),
                            pair.server_addr(),
                            pair.namespace_interface(),
                            pair.host_addr(),
                            pair.host_interface()
                        ),
                    ));
                    Some(pair)
                }
                Err(e) => {
                    enforcement.push(Enforcement::not_enforced(
                        Control::NetworkNamespace,
                        e.to_string(),
                    ));
                    None
                }
            }
        } else {
            None
        };

        Ok(Self {
            server_cpus,
            generator_cpus,
            cgroup,
            netns,
            enforcement,
            generator_previous: Mutex::new(None),
        })
    }

    /// The server's CPUs.
    pub fn server_cpus(&self) -> &CpuSet {
        &self.server_cpus
    }

    /// The generator's CPUs.
    pub fn generator_cpus(&self) -> &CpuSet {
        &self.generator_cpus
    }

    /// Whether server and generator share CPUs (only on a one-CPU machine).
    pub fn shares_cpus(&self) -> bool {
        self.server_cpus
            .intersection(&self.generator_cpus)
            .is_some()
    }

    /// Where and how to start the server.
    pub fn server_placement(&self) -> Placement {
        Placement {
            cpus: Some(self.server_cpus.clone()),
            cgroup_procs: self.cgroup.as_ref().map(ServerCgroup::procs_path),
            netns: self.netns.as_ref().map(NetnsPair::path),
            listen_host: self.server_host(),
        }
    }

    /// The server's environment: `GOMAXPROCS` (Go subjects) and `WORKERS` (Rust
    /// subjects) set to its CPU count, so its thread pools match its CPUs.
    pub fn server_env(&self) -> Vec<(String, String)> {
        let n = self.server_cpus.len().to_string();
        vec![("GOMAXPROCS".into(), n.clone()), ("WORKERS".into(), n)]
    }

    /// How many worker threads the generator should run: one per CPU it has.
    pub fn generator_threads(&self) -> usize {
        self.generator_cpus.len()
    }

    /// Pins every thread of this process to the generator's CPUs; threads started
    /// afterwards (the load engine's workers) inherit the mask. Returns how many
    /// threads were pinned. The plan's drop restores the CPUs this process had.
    pub fn pin_generator(&self) -> Result<usize, EnvError> {
        {
            let mut previous = self
                .generator_previous
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if previous.is_none() {
                *previous = Some(allowed_cpus()?);
            }
        }
        pin_process(std::process::id(), &self.generator_cpus)
    }

    /// The address the server listens on and the generator connects to: 127.0.0.1,
    /// or the namespace side of the veth pair.
    pub fn server_host(&self) -> IpAddr {
        self.netns
            .as_ref()
            .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |pair| {
                IpAddr::V4(pair.server_addr())
            })
    }

    /// What was and was not enforced, with the values or the reasons.
    pub fn enforcement(&self) -> &[Enforcement] {
        &self.enforcement
    }

    /// The server's cgroup folder, when it has one.
    pub fn cgroup_dir(&self) -> Option<&std::path::Path> {
        self.cgroup.as_ref().map(ServerCgroup::dir)
    }

    /// The network namespace, when the server has one.
    pub fn netns(&self) -> Option<&NetnsPair> {
        self.netns.as_ref()
    }

    /// The plan for the run's record.
    pub fn summary(&self) -> IsolationSummary {
        IsolationSummary {
            server_cpus: self.server_cpus.clone(),
            generator_cpus: self.generator_cpus.clone(),
            server_host: self.server_host(),
            enforcement: self.enforcement.clone(),
        }
    }
}

impl Drop for IsolationPlan {
    fn drop(&mut self) {
        let previous = self
            .generator_previous
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(previous) = previous {
            // Best effort: a failure leaves this process on the generator's CPUs,
            // which is where it ran during the measurement anyway.
            let _ = pin_process(std::process::id(), &previous);
        }
        // The cgroup and the namespace are removed by their own drops.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str) -> CpuSet {
        CpuSet::parse(text).unwrap()
    }

    #[test]
    fn default_split_by_cpu_count() {
        assert_eq!(split_cpus(&set("0")), (set("0"), set("0"), true));
        assert_eq!(split_cpus(&set("0-1")), (set("0"), set("1"), false));
        assert_eq!(split_cpus(&set("0-2")), (set("0"), set("1-2"), false));
        assert_eq!(split_cpus(&set("0-7")), (set("0-3"), set("4-7"), false));
        // Follows the allowed CPUs, not the numbering.
        assert_eq!(split_cpus(&set("2,5")), (set("2"), set("5"), false));
    }

    #[test]
    fn one_side_given_takes_the_rest_for_the_other() {
        let allowed = set("0-3");
        assert_eq!(
            resolve_cpus(Some(&set("0")), None, &allowed).unwrap(),
            (set("0"), set("1-3"), false)
        );
        assert_eq!(
            resolve_cpus(None, Some(&set("3")), &allowed).unwrap(),
            (set("0-2"), set("3"), false)
        );
        assert_eq!(
            resolve_cpus(Some(&set("1")), Some(&set("2")), &allowed).unwrap(),
            (set("1"), set("2"), false)
        );
    }

    #[test]
    fn bad_requests_are_explained() {
        let allowed = set("0-1");
        let err = resolve_cpus(Some(&set("0-2")), None, &allowed)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "the server CPUs 0-2 are not all available to this process: it may only run on CPUs 0-1"
        );
        let err = resolve_cpus(Some(&set("0-1")), Some(&set("1")), &allowed)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "the server CPUs 0-1 and the generator CPUs 1 overlap on 1: give them disjoint sets"
        );
        let err = resolve_cpus(None, Some(&set("0-1")), &allowed)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("no CPU is left for the server"), "{err}");
        // A one-CPU machine shares only by default, never when asked for explicitly.
        assert!(resolve_cpus(Some(&set("0")), Some(&set("0")), &set("0")).is_err());
    }

    #[test]
    fn limits_are_validated_before_anything_is_created() {
        let too_short = IsolationRequest {
            cpu_max: Some((50_000, 10)),
            ..IsolationRequest::default()
        };
        let err = IsolationPlan::prepare(&too_short).unwrap_err().to_string();
        assert!(
            err.contains("period must be between 1000 and 1000000"),
            "{err}"
        );
        let without_cgroup = IsolationRequest {
            cgroup: false,
            memory_max: Some(1 << 30),
            ..IsolationRequest::default()
        };
        let err = IsolationPlan::prepare(&without_cgroup)
            .unwrap_err()
            .to_string();
        assert!(err.contains("cgroup turned off"), "{err}");
    }

    #[test]
    fn control_serializes_as_its_name() {
        for control in [
            Control::CpuPinning,
            Control::CgroupCpuset,
            Control::CgroupCpuMax,
            Control::CgroupMemoryMax,
            Control::NetworkNamespace,
        ] {
            let json = serde_json::to_string(&control).unwrap();
            assert_eq!(json, format!("\"{control}\""));
            assert_eq!(serde_json::from_str::<Control>(&json).unwrap(), control);
        }
    }

    #[test]
    fn server_env_matches_the_server_cpus() {
        let plan = IsolationPlan::prepare(&IsolationRequest {
            cgroup: false,
            ..IsolationRequest::default()
        })
        .unwrap();
        let n = plan.server_cpus().len().to_string();
        assert_eq!(
            plan.server_env(),
            [
                ("GOMAXPROCS".to_string(), n.clone()),
                ("WORKERS".to_string(), n)
            ]
        );
        assert_eq!(plan.generator_threads(), plan.generator_cpus().len());
        assert_eq!(plan.server_host(), IpAddr::V4(Ipv4Addr::LOCALHOST));
        let placement = plan.server_placement();
        assert_eq!(placement.cpus.as_ref(), Some(plan.server_cpus()));
        assert!(placement.cgroup_procs.is_none() && placement.netns.is_none());
        let cgroup = plan
            .enforcement()
            .iter()
            .find(|e| e.what == Control::CgroupCpuset)
            .unwrap();
        assert!(!cgroup.enforced);
        assert_eq!(cgroup.detail, "the cgroup was turned off for this run");
    }
}
