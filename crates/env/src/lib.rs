//! Environment control and record: CPU pinning, cgroup v2 limits, network namespaces,
//! and the record of what a run could and could not enforce.
//!
//! A benchmark run asks for an [`IsolationRequest`]; [`IsolationPlan::prepare`] turns it
//! into disjoint CPU sets for the server and the load generator, the server's own
//! cgroup (where cgroup v2 is writable) and, optionally, a network namespace joined to
//! the host by a veth pair. The plan hands out a [`Placement`] that the subject's
//! launcher applies between `fork` and `exec`, the environment that sizes the server's
//! thread pools to its CPUs, and a pin for the generator's own threads. Whatever could
//! not be enforced on this machine is not an error: it is listed, with the reason, in
//! [`IsolationPlan::enforcement`] and ends up in the run's [`EnvironmentRecord`] as a
//! [`Warning`].
//!
//! The order of use matters: prepare the plan, collect the record (the load average
//! must be read before the run), launch the server with the placement, pin the
//! generator, run the load; stop the server before dropping the plan, whose drop
//! removes the cgroup and the network namespace and restores the generator's CPUs.

mod cgroup;
mod cpuset;
mod isolation;
mod netns;
mod placement;
mod record;

pub use cgroup::{CgroupLimits, CgroupOutcome, CgroupUnavailable, CgroupV2, CpuMax, ServerCgroup};
pub use cpuset::{
    CpuSet, CpuSetError, MAX_CPUS, affinity_of, allowed_cpus, online_cpus, pin_current_thread,
    pin_process,
};
pub use isolation::{
    Control, Enforcement, IsolationPlan, IsolationRequest, IsolationSummary, split_cpus,
};
pub use netns::{NetnsPair, SUBNET};
pub use placement::Placement;
pub use record::{
    BUSY_LOAD_PER_CORE, EnvironmentRecord, FrameworkVersion, LoadAvg, RecordInputs, Toolchains,
    Warning,
};

/// What went wrong while reading or changing the environment.
#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    /// A CPU list that does not parse.
    #[error(transparent)]
    CpuList(#[from] CpuSetError),
    /// A system file could not be read.
    #[error("{what}: {source}")]
    Io {
        /// What Podium was doing.
        what: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Reading or setting a CPU affinity failed.
    #[error("{what}: {source}")]
    Affinity {
        /// What Podium was doing.
        what: String,
        /// The system error.
        source: std::io::Error,
    },
    /// A requested CPU set includes CPUs this process may not use.
    #[error(
        "the {role} CPUs {cpus} are not all available to this process: it may only run on CPUs {allowed}"
    )]
    CpusNotAllowed {
        /// "server" or "generator".
        role: &'static str,
        /// The requested set.
        cpus: CpuSet,
        /// The CPUs this process may use.
        allowed: CpuSet,
    },
    /// The server and generator sets share CPUs.
    #[error(
        "the server CPUs {server} and the generator CPUs {generator} overlap on {overlap}: give them disjoint sets"
    )]
    CpusOverlap {
        /// The server's set.
        server: CpuSet,
        /// The generator's set.
        generator: CpuSet,
        /// The CPUs in both.
        overlap: CpuSet,
    },
    /// One side's set takes every allowed CPU, so the other side has none left.
    #[error(
        "no CPU is left for the {role}: the {other} takes every CPU this process may use ({allowed}); \
         leave at least one free, or give both sets explicitly"
    )]
    NoCpuLeft {
        /// The side that would get nothing.
        role: &'static str,
        /// The side that takes everything.
        other: &'static str,
        /// The CPUs this process may use.
        allowed: CpuSet,
    },
    /// A cgroup limit that is out of range or asked for without a cgroup.
    #[error("{0}")]
    InvalidLimit(String),
    /// Setting up the network namespace failed.
    #[error("cannot set up the network namespace: {step}: {detail}")]
    Netns {
        /// The step that failed (usually the `ip` command).
        step: String,
        /// Its error output, with a hint when one applies.
        detail: String,
    },
}
