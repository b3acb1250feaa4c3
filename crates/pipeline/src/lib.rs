//! `podium run`'s pipeline: every subject built, isolated, verified, measured and stopped,
//! each result written to the store as it is made; and the report assembled from the
//! store alone.
//!
//! [`execute`] runs a [`RunPlan`]: the environment record and the run row first, then per
//! subject build → start (pinned, in its cgroup / namespace where possible) → verify (a
//! failing subject is recorded and not measured) → each workload of the suite with its
//! repetitions and probes (podium-measure) → middleware cost → stop → deployment
//! figures. Every workload's measurement is stored the moment it is complete, with its
//! raw HDR histograms, so Ctrl-C or a crash loses nothing measured before it; a subject
//! that dies mid-run is recorded as crashed and the run goes on.
//!
//! [`assemble`] reads one run back from the store and builds the [`RunReport`] every
//! exporter renders, so a report rebuilt later equals the original.

mod assemble;
mod carried;
mod compare;
mod crosscheck;
mod ecosystem;
mod execute;
mod hot_reload;
mod lines;
mod observability;

pub use assemble::{DEFAULT_KNEE_P99_MS, assemble, score_weights, scoring_figures};
pub use carried::{
    CARRIED_KINDS, CarriedObservation, carried_observation, carry_observations, observation_subject,
};
pub use compare::{FigureDelta, compare_runs};
pub use crosscheck::{PeerFigure, PeerTools, THROUGHPUT_TOLERANCE, parse_wrk};
pub use execute::{Event, RunPlan, execute, verify};
pub use lines::source_lines;
pub use observability::{
    axis_value as observability_axis_value, observability, radar_raw as observability_radar_raw,
};
pub use podium_report::RunReport;

/// Artifact kind: one workload of one subject (`podium_measure::WorkloadMeasurement`).
pub const ARTIFACT_WORKLOAD: &str = "workload-measurement";
/// Artifact kind: a subject's middleware cost (`podium_measure::MiddlewareCost`).
pub const ARTIFACT_MIDDLEWARE: &str = "middleware-cost";
/// Artifact kind: a subject's peer-tool cross-checks (`Vec<PeerFigure>`).
pub const ARTIFACT_CROSS_CHECK: &str = "cross-check";
/// Artifact kind: a subject's deployment figures (`podium_deploy::DeploymentFigures`).
pub const ARTIFACT_DEPLOYMENT: &str = "deployment";

/// Why the pipeline stopped or a report could not be assembled.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The store refused a read or write.
    #[error(transparent)]
    Store(#[from] podium_store::StoreError),
    /// The environment could not be read or controlled.
    #[error(transparent)]
    Env(#[from] podium_env::EnvError),
    /// A result could not be serialised or a stored one read back.
    #[error("a stored result is not what this Podium expects: {0}")]
    Json(#[from] serde_json::Error),
    /// The async runtime for the contract checks did not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
    /// A stored artifact is damaged.
    #[error("run {run}: {what}")]
    BadArtifact {
        /// The run.
        run: i64,
        /// What is wrong.
        what: String,
    },
}
