//! Results measured outside a run (`podium eco`, `podium otel`, `podium reload`) carried
//! into a run, so that the run's report is still built from the run alone.
//!
//! Those commands keep each result as a store observation. When a run begins, the
//! newest observation of each kind for each subject is copied into the run as an
//! artifact under the same kind ([`podium_store::kind::ECOSYSTEM`],
//! [`podium_store::kind::OTEL`], [`podium_store::kind::HOT_RELOAD`]), with its age: how
//! many runs were made between the observation and this run. The scorer decays a figure
//! by `0.95^age` (DESIGN.md), and the report shows the date it was observed.

use crate::PipelineError;
use podium_store::{Artifact, ArtifactFilter, ArtifactKey, RunId, Store, kind};
use podium_subjects::SubjectManifest;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The observation kinds a run carries, each keyed by [`observation_subject`].
pub const CARRIED_KINDS: [&str; 3] = [kind::ECOSYSTEM, kind::OTEL, kind::HOT_RELOAD];

/// An observation as a run keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CarriedObservation {
    /// The observation's number in the store.
    pub observation_id: i64,
    /// When it was observed, in Unix milliseconds.
    pub observed_at: i64,
    /// How many earlier runs were started after it was observed (0: observed since the
    /// run before this one).
    pub age_runs: u32,
    /// The result, as the command that made it stored it.
    pub result: Value,
}

/// The name an observation of `kind` about this subject is stored under: the module
/// path for the ecosystem (`github.com/gin-gonic/gin`, or `crate:axum` for a Rust
/// crate; the same module is the same ecosystem whichever subject uses it), the
/// subject's name otherwise.
pub fn observation_subject(kind_name: &str, manifest: &SubjectManifest) -> String {
    if kind_name == kind::ECOSYSTEM {
        if manifest.language == "rust" {
            format!("crate:{}", manifest.module)
        } else {
            manifest.module.clone()
        }
    } else {
        manifest.name.clone()
    }
}

/// Copies the newest observation of each [`CARRIED_KINDS`] kind for `manifest`'s subject
/// into `run`, which started at `run_started_at`. Kinds never observed are skipped.
pub fn carry_observations(
    store: &dyn Store,
    run: RunId,
    run_started_at: i64,
    manifest: &SubjectManifest,
) -> Result<(), PipelineError> {
    for kind_name in CARRIED_KINDS {
        let key = observation_subject(kind_name, manifest);
        let Some(observation) = store.latest_observation(kind_name, &key)? else {
            continue;
        };
        let observed_at = observation.observation.observed_at;
        let age_runs = store
            .runs()?
            .iter()
            .filter(|r| r.id != run && r.started_at > observed_at && r.started_at <= run_started_at)
            .count();
        let carried = CarriedObservation {
            observation_id: observation.id,
            observed_at,
            age_runs: u32::try_from(age_runs).unwrap_or(u32::MAX),
            result: observation.observation.json,
        };
        store.put_artifact(
            run,
            &ArtifactKey::subject_level(&manifest.name, kind_name),
            &Artifact::of_json(serde_json::to_value(&carried)?),
        )?;
    }
    Ok(())
}

/// The observation of `kind_name` that `run` carries for `subject`, if any.
pub fn carried_observation(
    store: &dyn Store,
    run: RunId,
    subject: &str,
    kind_name: &str,
) -> Result<Option<CarriedObservation>, PipelineError> {
    let filter = ArtifactFilter {
        subject: Some(subject.to_string()),
        workload: None,
        kind: Some(kind_name.to_string()),
    };
    let Some(json) = store
        .artifacts(run, &filter)?
        .into_iter()
        .find(|(key, _)| key.workload.is_none())
        .and_then(|(_, artifact)| artifact.json)
    else {
        return Ok(None);
    };
    serde_json::from_value(json)
        .map(Some)
        .map_err(|e| PipelineError::BadArtifact {
            run: run.0,
            what: format!("the {kind_name} result carried for {subject} is damaged: {e}"),
        })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use podium_store::{NewObservation, NewRun, SqliteStore};
    use std::path::Path;

    pub(crate) fn manifest(name: &str, language: &str, module: &str) -> SubjectManifest {
        let text = format!(
            "name = \"{name}\"\nlanguage = \"{language}\"\nframework = \"F\"\n\
             module = \"{module}\"\nversion = \"1.0.0\"\n\
             [build]\ncommand = \"true\"\n[run]\ncommand = [\"server\"]\n"
        );
        SubjectManifest::parse(&text, Path::new("subject.toml")).expect("a valid manifest")
    }

    /// A run started at `started_at` (also used by the ecosystem section's tests).
    pub(crate) fn begin(store: &SqliteStore, started_at: i64) -> RunId {
        store
            .begin_run(&NewRun {
                started_at,
                podium_version: "0".into(),
                command_line: vec![],
                suite_name: None,
                suite_text: None,
                quick: true,
                config: serde_json::json!({}),
                environment: serde_json::json!({}),
            })
            .expect("a run")
    }

    #[test]
    fn a_run_carries_the_newest_observation_with_its_age_in_runs() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let store = SqliteStore::open(dir.path().join("podium.db")).expect("a store");
        let gin = manifest("gin", "go", "github.com/gin-gonic/gin");
        let axum = manifest("axum", "rust", "axum");
        assert_eq!(
            observation_subject(kind::ECOSYSTEM, &gin),
            "github.com/gin-gonic/gin"
        );
        assert_eq!(observation_subject(kind::ECOSYSTEM, &axum), "crate:axum");
        assert_eq!(observation_subject(kind::OTEL, &axum), "axum");
        let observe = |kind_name: &str, subject: &str, at: i64, grade: &str| {
            store
                .put_observation(&NewObservation {
                    kind: kind_name.into(),
                    subject: subject.into(),
                    observed_at: at,
                    json: serde_json::json!({ "grade": grade }),
                })
                .expect("stored")
        };
        observe(kind::HOT_RELOAD, "gin", 1_000, "C");
        let newest = observe(kind::HOT_RELOAD, "gin", 2_000, "B");
        observe(kind::ECOSYSTEM, "github.com/gin-gonic/gin", 2_500, "-");
        begin(&store, 3_000);
        begin(&store, 4_000);
        let run = begin(&store, 5_000);
        carry_observations(&store, run, 5_000, &gin).expect("carried");
        carry_observations(&store, run, 5_000, &axum).expect("carried");

        let reload = carried_observation(&store, run, "gin", kind::HOT_RELOAD)
            .expect("readable")
            .expect("carried");
        assert_eq!(reload.observation_id, newest);
        assert_eq!(reload.result["grade"], "B");
        assert_eq!(reload.age_runs, 2, "two runs started after it");
        let eco = carried_observation(&store, run, "gin", kind::ECOSYSTEM)
            .expect("readable")
            .expect("carried");
        assert_eq!(eco.observed_at, 2_500);
        assert_eq!(
            carried_observation(&store, run, "axum", kind::OTEL).expect("readable"),
            None
        );
    }
}
