//! The contract verifier.
//!
//! `podium verify` runs every check of `subjects/CONTRACT.md` against a running subject
//! and reports, per check, what was expected and what came back. A subject that fails a
//! check is not ranked. Checks are grouped by route ([`checks`]); the ones that need
//! control of the process (quiet logs, graceful SIGTERM, leftover processes) are in
//! [`lifecycle`] and run only on subjects Podium started itself.

pub mod checks;
mod http;
pub mod lifecycle;

pub use http::Probe;
use serde::Serialize;

/// The result of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The subject answered as the contract says.
    Pass,
    /// It did not.
    Fail,
    /// The check does not apply (e.g. pprof on a Rust subject); the reason is in `actual`.
    Skip,
}

/// One check's outcome, with evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckOutcome {
    /// Stable id, `group.name` (as in CONTRACT.md).
    pub id: String,
    /// Pass, fail or skip.
    pub status: Status,
    /// What the contract requires.
    pub expected: String,
    /// What came back.
    pub actual: String,
}

/// What the verifier knows about the subject under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    /// A Go program: pprof and the Go runtime collector are required.
    Go,
    /// A Rust program: `process_threads` is required instead.
    Rust,
    /// Unknown (a user's URL): runtime-specific checks are skipped, and say so.
    Unknown,
}

/// Settings for a contract run.
#[derive(Debug, Clone)]
pub struct ContractOptions {
    /// The subject's runtime.
    pub runtime: Runtime,
    /// The JWT secret the subject was started with.
    pub jwt_secret: String,
}

impl Default for ContractOptions {
    fn default() -> Self {
        Self {
            runtime: Runtime::Unknown,
            jwt_secret: podium_token::DEFAULT_SECRET.to_string(),
        }
    }
}

/// Collects outcomes in order.
#[derive(Debug, Default)]
pub struct Outcomes(pub Vec<CheckOutcome>);

impl Outcomes {
    /// Records a check that passes when `pass` is true.
    pub fn record(
        &mut self,
        id: &str,
        pass: bool,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) {
        // Evidence is printed one line per check: keep it on one line.
        let actual = actual.into().trim_end().replace('\n', "\\n");
        self.0.push(CheckOutcome {
            id: id.to_string(),
            status: if pass { Status::Pass } else { Status::Fail },
            expected: expected.into(),
            actual,
        });
    }

    /// Records a check that does not apply, with the reason.
    pub fn skip(&mut self, id: &str, expected: impl Into<String>, reason: impl Into<String>) {
        self.0.push(CheckOutcome {
            id: id.to_string(),
            status: Status::Skip,
            expected: expected.into(),
            actual: reason.into(),
        });
    }
}

/// Runs every HTTP-level contract check against `base_url` (e.g. `http://127.0.0.1:8080`).
pub async fn check_contract(base_url: &str, opts: &ContractOptions) -> Vec<CheckOutcome> {
    let probe = Probe::new(base_url);
    let mut out = Outcomes::default();
    checks::rest::run(&probe, &mut out).await;
    checks::users::run(&probe, &mut out).await;
    checks::mw::run(&probe, opts, &mut out).await;
    checks::rpc::run(&probe, &mut out).await;
    checks::ws::run(&probe, &mut out).await;
    checks::metrics::run(&probe, opts.runtime, &mut out).await;
    checks::pprof::run(&probe, opts.runtime, &mut out).await;
    out.0
}

/// Counts outcomes by status: (passed, failed, skipped).
pub fn tally(outcomes: &[CheckOutcome]) -> (usize, usize, usize) {
    outcomes
        .iter()
        .fold((0, 0, 0), |(p, f, s), o| match o.status {
            Status::Pass => (p + 1, f, s),
            Status::Fail => (p, f + 1, s),
            Status::Skip => (p, f, s + 1),
        })
}
