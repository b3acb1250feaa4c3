//! The records the store keeps: a small typed skeleton (runs, subjects, artifact keys)
//! around JSON documents and raw blobs whose shape belongs to other crates.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A run's number in its store. Numbers are never reused, even after a run is deleted,
/// so a report that cites run 12 cannot later point at another run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(pub i64);

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for RunId {
    type Err = std::num::ParseIntError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.trim().parse().map(RunId)
    }
}

/// Milliseconds since the Unix epoch, the unit of every timestamp in the store. A clock
/// set before 1970 reads as 0 rather than failing.
pub fn unix_millis_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Unix milliseconds as RFC 3339 UTC, to the second (`2026-11-25T12:00:00Z`), for run
/// times in reports and listings.
pub fn rfc3339_utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod time_tests {
    use super::rfc3339_utc;

    #[test]
    fn rfc3339_matches_known_instants() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        // `date -u -d @1795608000` → Wed Nov 25 12:00:00 UTC 2026
        assert_eq!(rfc3339_utc(1_795_608_000_000), "2026-11-25T12:00:00Z");
        assert_eq!(rfc3339_utc(951_782_400_999), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_utc(-1000), "1969-12-31T23:59:59Z");
    }
}

/// What is known when a run starts. Everything a report needs besides the measurements
/// is here, so that the report can be rebuilt from the store alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewRun {
    /// When the run started, in Unix milliseconds.
    pub started_at: i64,
    /// The Podium version that ran it.
    pub podium_version: String,
    /// The command line, one argument per element.
    pub command_line: Vec<String>,
    /// The suite's name; `None` for a run built from command-line flags alone.
    pub suite_name: Option<String>,
    /// The suite file's full text, so the run can be understood after the file changed.
    pub suite_text: Option<String>,
    /// Whether this was a quick (shortened, indicative only) run.
    pub quick: bool,
    /// Scoring weights and run options, as the caller serializes them.
    pub config: Value,
    /// The environment record (machine, kernel, governor, toolchains, ...).
    pub environment: Value,
}

/// How a subject's part of a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectStatus {
    /// Built, verified and measured.
    Measured,
    /// Its build failed.
    BuildFailed,
    /// It built but failed the contract verification.
    VerifyFailed,
    /// It stopped (or stopped answering) during measurement.
    Crashed,
    /// It was left out on purpose (filtered, unsupported on this machine, ...).
    Skipped,
    /// The run was interrupted before this subject finished.
    Interrupted,
}

impl SubjectStatus {
    /// Every status, in declaration order.
    pub const ALL: [SubjectStatus; 6] = [
        SubjectStatus::Measured,
        SubjectStatus::BuildFailed,
        SubjectStatus::VerifyFailed,
        SubjectStatus::Crashed,
        SubjectStatus::Skipped,
        SubjectStatus::Interrupted,
    ];

    /// The name stored in the database and shown to users.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectStatus::Measured => "measured",
            SubjectStatus::BuildFailed => "build_failed",
            SubjectStatus::VerifyFailed => "verify_failed",
            SubjectStatus::Crashed => "crashed",
            SubjectStatus::Skipped => "skipped",
            SubjectStatus::Interrupted => "interrupted",
        }
    }
}

impl fmt::Display for SubjectStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status name that is not one of [`SubjectStatus::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown subject status {0:?} (known: measured, build_failed, verify_failed, crashed, skipped, interrupted)"
)]
pub struct UnknownStatus(pub String);

impl FromStr for SubjectStatus {
    type Err = UnknownStatus;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        SubjectStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
            .ok_or_else(|| UnknownStatus(text.to_owned()))
    }
}

/// One subject's outcome in a run. Recording the same subject again replaces it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectRecord {
    /// The subject's name (unique within a run).
    pub name: String,
    /// Its language ("go", "rust").
    pub language: String,
    /// Its framework ("gin", "axum", ...).
    pub framework: String,
    /// The framework's version.
    pub version: String,
    /// How its part of the run ended.
    pub status: SubjectStatus,
    /// Why, when it did not end as [`SubjectStatus::Measured`].
    pub reason: Option<String>,
    /// Verification outcomes, deployment figures and anything else the caller keeps.
    pub details: Value,
}

/// Where an artifact belongs within a run. `None` parts mean "not specific to one":
/// a run-level environment warning has no subject, workload or repetition.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ArtifactKey {
    /// The subject it is about.
    pub subject: Option<String>,
    /// The workload it is about.
    pub workload: Option<String>,
    /// The repetition (0-based or 1-based, as the caller counts) it is about.
    pub repetition: Option<u32>,
    /// What it is; see [`crate::kind`] for the names Podium uses.
    pub kind: String,
}

impl ArtifactKey {
    /// A run-level artifact (no subject, workload or repetition).
    pub fn run_level(kind: &str) -> ArtifactKey {
        ArtifactKey {
            subject: None,
            workload: None,
            repetition: None,
            kind: kind.to_owned(),
        }
    }

    /// An artifact about one subject as a whole (no workload or repetition).
    pub fn subject_level(subject: &str, kind: &str) -> ArtifactKey {
        ArtifactKey {
            subject: Some(subject.to_owned()),
            workload: None,
            repetition: None,
            kind: kind.to_owned(),
        }
    }

    /// An artifact about one repetition of one workload on one subject.
    pub fn measurement(subject: &str, workload: &str, repetition: u32, kind: &str) -> ArtifactKey {
        ArtifactKey {
            subject: Some(subject.to_owned()),
            workload: Some(workload.to_owned()),
            repetition: Some(repetition),
            kind: kind.to_owned(),
        }
    }
}

/// An artifact's content: a JSON document, a raw blob (an HDR histogram log, an SVG), or
/// both (a blob with a JSON summary beside it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Artifact {
    /// The JSON document, if any.
    pub json: Option<Value>,
    /// The raw bytes, if any.
    pub blob: Option<Vec<u8>>,
    /// The blob's media type ("image/svg+xml", ...), if the caller knows it.
    pub content_type: Option<String>,
}

impl Artifact {
    /// An artifact holding only a JSON document.
    pub fn of_json(json: Value) -> Artifact {
        Artifact {
            json: Some(json),
            blob: None,
            content_type: None,
        }
    }

    /// An artifact holding only raw bytes of the given media type.
    pub fn of_blob(blob: Vec<u8>, content_type: &str) -> Artifact {
        Artifact {
            json: None,
            blob: Some(blob),
            content_type: Some(content_type.to_owned()),
        }
    }
}

/// Which artifacts to read back. A `None` part matches anything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactFilter {
    /// Only artifacts about this subject.
    pub subject: Option<String>,
    /// Only artifacts about this workload.
    pub workload: Option<String>,
    /// Only artifacts of this kind.
    pub kind: Option<String>,
}

impl ArtifactFilter {
    /// Every artifact of the run.
    pub fn all() -> ArtifactFilter {
        ArtifactFilter::default()
    }

    /// Every artifact of one kind.
    pub fn of_kind(kind: &str) -> ArtifactFilter {
        ArtifactFilter {
            kind: Some(kind.to_owned()),
            ..ArtifactFilter::default()
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunEnd {
    /// When it ended, in Unix milliseconds.
    pub finished_at: i64,
    /// Whether every planned measurement was taken.
    pub complete: bool,
    /// Why it is incomplete, or anything else worth showing in the history.
    pub note: Option<String>,
}

/// One line of the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunSummary {
    /// The run's number.
    pub id: RunId,
    /// When it started, in Unix milliseconds.
    pub started_at: i64,
    /// When it ended; `None` for a run that never finished (crash, Ctrl-C) or is still
    /// going.
    pub finished_at: Option<i64>,
    /// Whether it was finished as complete. A run never finished reads back as `false`.
    pub complete: bool,
    /// The note given when it was finished.
    pub note: Option<String>,
    /// Whether it was a quick run.
    pub quick: bool,
    /// The suite's name.
    pub suite_name: Option<String>,
    /// How many subjects were recorded.
    pub subjects: u32,
}

/// Everything the store holds about a run except its artifacts, which are read
/// separately ([`crate::Store::artifacts`]) because they can be large.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredRun {
    /// The history line.
    pub summary: RunSummary,
    /// The Podium version that ran it.
    pub podium_version: String,
    /// The command line, one argument per element.
    pub command_line: Vec<String>,
    /// The suite file's text.
    pub suite_text: Option<String>,
    /// Scoring weights and run options.
    pub config: Value,
    /// The environment record.
    pub environment: Value,
    /// The subjects, in the order they were first recorded.
    pub subjects: Vec<SubjectRecord>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_reads_back_from_its_name_and_its_serde_form() {
        for status in SubjectStatus::ALL {
            assert_eq!(status.as_str().parse::<SubjectStatus>(), Ok(status));
            let json = serde_json::to_value(status).expect("a status serializes");
            assert_eq!(json, Value::String(status.as_str().to_owned()));
        }
        let unknown = "melted".parse::<SubjectStatus>().expect_err("not a status");
        assert!(unknown.to_string().contains("melted"), "{unknown}");
    }

    #[test]
    fn run_ids_parse_from_user_text() {
        assert_eq!(" 12 ".parse::<RunId>(), Ok(RunId(12)));
        assert!("twelve".parse::<RunId>().is_err());
        assert_eq!(RunId(7).to_string(), "7");
    }

    #[test]
    fn the_clock_reads_after_2020() {
        // 2020-01-01T00:00:00Z; catches a unit mistake (seconds instead of milliseconds).
        assert!(unix_millis_now() > 1_577_836_800_000);
    }
}

/// A result measured outside a run, about one subject or module: `podium eco`,
/// `podium otel` and `podium reload` keep theirs as observations, and `podium run` copies
/// the newest of each kind into the run it makes (see [`crate::kind`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewObservation {
    /// What was observed ([`crate::kind::ECOSYSTEM`], [`crate::kind::OTEL`],
    /// [`crate::kind::HOT_RELOAD`], ...); not empty.
    pub kind: String,
    /// The subject's name or the module's path; not empty.
    pub subject: String,
    /// When it was observed, in Unix milliseconds.
    pub observed_at: i64,
    /// The result, as the crate that made it serialises it.
    pub json: Value,
}

/// An observation as stored, with its number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// Its number in the store (increasing with each observation stored).
    pub id: i64,
    /// What was observed, who about, when, and the result.
    #[serde(flatten)]
    pub observation: NewObservation,
}

/// A remote answer kept for conditional requests (`If-None-Match`) and offline use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedResponse {
    /// The `ETag` the server sent with the body, if any.
    pub etag: Option<String>,
    /// When the body was fetched (or last confirmed unchanged), in Unix milliseconds.
    pub fetched_at: i64,
    /// The body, as received.
    pub body: Vec<u8>,
}
