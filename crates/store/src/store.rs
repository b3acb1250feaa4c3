//! The one interface the rest of Podium writes and reads results through.

use crate::{
    Artifact, ArtifactFilter, ArtifactKey, CachedResponse, NewObservation, NewRun, Observation,
    RunEnd, RunId, RunSummary, StoreError, StoredRun, SubjectRecord,
};

/// A place runs are kept. [`crate::SqliteStore`] is the implementation today; the trait is
/// object safe and takes `&self` so that a shared PostgreSQL store can be added later and
/// an `Arc<dyn Store>` handed to every thread of a run.
///
/// Every write is durable when the call returns: a run interrupted afterwards (Ctrl-C, a
/// crash, a power cut) keeps everything recorded before the interruption.
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Where the store lives, for messages ("./podium.db").
    fn location(&self) -> String;

    /// Records the start of a run and returns its number. The run reads back as
    /// incomplete until [`Store::finish_run`] is called.
    fn begin_run(&self, run: &NewRun) -> Result<RunId, StoreError>;

    /// Records one subject's outcome, replacing an earlier record of the same subject in
    /// the same run (its position in the run's subject list is kept).
    fn record_subject(&self, run: RunId, subject: &SubjectRecord) -> Result<(), StoreError>;

    /// Stores an artifact, replacing one stored earlier under the same key. Names in the
    /// key must not be empty (use `None` instead), and the artifact must hold a JSON
    /// document, a blob, or both.
    fn put_artifact(
        &self,
        run: RunId,
        key: &ArtifactKey,
        artifact: &Artifact,
    ) -> Result<(), StoreError>;

    /// One artifact, if it was stored.
    fn artifact(&self, run: RunId, key: &ArtifactKey) -> Result<Option<Artifact>, StoreError>;

    /// The run's artifacts that match the filter, ordered by subject, workload,
    /// repetition and kind (run-level ones, with no subject, first). The order does not
    /// depend on the order they were stored in.
    fn artifacts(
        &self,
        run: RunId,
        filter: &ArtifactFilter,
    ) -> Result<Vec<(ArtifactKey, Artifact)>, StoreError>;

    /// Records how a run ended. Finishing a run again replaces the earlier ending, so a
    /// run left unfinished by a crash can be closed later.
    fn finish_run(&self, run: RunId, end: &RunEnd) -> Result<(), StoreError>;

    /// The history: every run, newest first.
    fn runs(&self) -> Result<Vec<RunSummary>, StoreError>;

    /// Everything about one run except its artifacts.
    fn run(&self, run: RunId) -> Result<StoredRun, StoreError>;

    /// The newest run (by start time), finished or not; `None` in an empty store.
    fn latest_run(&self) -> Result<Option<StoredRun>, StoreError>;

    /// Deletes a run with its subjects and artifacts. Its number is not reused.
    fn delete_run(&self, run: RunId) -> Result<(), StoreError>;

    /// Keeps a result measured outside a run and returns its number. Earlier
    /// observations of the same kind and subject are kept too (history).
    fn put_observation(&self, observation: &NewObservation) -> Result<i64, StoreError>;

    /// The newest observation of `kind` about `subject` (by time observed, then number).
    fn latest_observation(
        &self,
        kind: &str,
        subject: &str,
    ) -> Result<Option<Observation>, StoreError>;

    /// Every observation of `kind`, about `subject` or about anything when `None`,
    /// newest first.
    fn observations(
        &self,
        kind: &str,
        subject: Option<&str>,
    ) -> Result<Vec<Observation>, StoreError>;

    /// The cached answer for `url`, if one was kept.
    fn cached_response(&self, url: &str) -> Result<Option<CachedResponse>, StoreError>;

    /// Keeps (or replaces) the cached answer for `url`.
    fn put_cached_response(&self, url: &str, response: &CachedResponse) -> Result<(), StoreError>;
}
