//! The hot-reload grade a run carries for a subject (from `podium reload`), as the
//! report shows it and as the Hot reload axis scores it.

use crate::PipelineError;
use crate::carried::carried_observation;
use podium_reload::ReloadResult;
use podium_report::HotReload;
use podium_store::{RunId, Store, kind, rfc3339_utc};

/// The report's hot-reload figures of `subject` in `run`, when the run carries a grade.
pub(crate) fn hot_reload_of(
    store: &dyn Store,
    run: RunId,
    subject: &str,
) -> Result<Option<HotReload>, PipelineError> {
    let Some(carried) = carried_observation(store, run, subject, kind::HOT_RELOAD)? else {
        return Ok(None);
    };
    let r: ReloadResult =
        serde_json::from_value(carried.result).map_err(|e| PipelineError::BadArtifact {
            run: run.0,
            what: format!(
                "the hot-reload result carried for {subject} (observation {}) is not a podium reload result: {e}",
                carried.observation_id
            ),
        })?;
    Ok(Some(HotReload {
        tool: r.tool,
        tool_version: r.tool_version,
        grade: r.grade.letter().to_string(),
        reload_p50_ms: r.reload_ms.map(|p| p.p50),
        reload_p90_ms: r.reload_ms.map(|p| p.p90),
        reload_max_ms: r.reload_ms.map(|p| p.max),
        edits: r.edits.into(),
        missed: r.missed.into(),
        spurious_rebuilds: r.spurious_rebuilds.into(),
        config_applied: r.config_applied,
        recovered_from_error: r.recovered_from_error,
        leftover_processes: r.leftover_processes.into(),
        port_rebind_failures: r.port_rebind_failures.into(),
        goroutine_growth: r.growth.goroutines,
        thread_growth: r.growth.threads,
        fd_growth: r.growth.fds,
        observed_at: rfc3339_utc(carried.observed_at),
        age_runs: carried.age_runs,
    }))
}

/// The Hot reload axis value of a grade letter: A = 4, B = 3, C = 2, D = 1.
pub(crate) fn grade_points(grade: &str) -> Option<f64> {
    podium_reload::Grade::from_letter(grade).map(podium_reload::Grade::points)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::carried::tests::{begin, manifest};
    use crate::carry_observations;
    use podium_reload::{Grade, Growth, ReloadMs};
    use podium_store::{NewObservation, SqliteStore};
    use podium_subjects::SubjectManifest;

    fn result(grade: Grade) -> ReloadResult {
        ReloadResult {
            subject: "gin".into(),
            tool: "air".into(),
            tool_version: Some("v1.67.4".into()),
            command: "air -c .podium-air.toml".into(),
            grade,
            reasons: Vec::new(),
            edits: 3,
            reload_ms: ReloadMs::of(&[900.0, 1000.0, 1400.0]),
            reload_samples_ms: vec![900.0, 1000.0, 1400.0],
            missed: 0,
            ignored_edits: 3,
            spurious_rebuilds: 1,
            config_applied: Some(true),
            recovered_from_error: true,
            leftover_processes: 0,
            leftover_commands: Vec::new(),
            port_rebind_failures: 0,
            growth: Growth {
                reloads: 5,
                goroutines: Some(24),
                threads: Some(0),
                fds: None,
                samples: Vec::new(),
            },
            scenario_s: 20.0,
            observed_at_ms: 1_000,
        }
    }

    fn gin() -> SubjectManifest {
        manifest("gin", "go", "m")
    }

    fn observe(store: &SqliteStore, json: serde_json::Value) {
        store
            .put_observation(&NewObservation {
                kind: kind::HOT_RELOAD.into(),
                subject: "gin".into(),
                observed_at: 1_000,
                json,
            })
            .expect("stored");
    }

    #[test]
    fn a_carried_reload_result_becomes_the_report_section_with_its_age() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let store = SqliteStore::open(dir.path().join("podium.db")).expect("a store");
        let gin = gin();
        let empty = begin(&store, 500);
        carry_observations(&store, empty, 500, &gin).expect("carried");
        assert_eq!(hot_reload_of(&store, empty, "gin").expect("readable"), None);

        observe(
            &store,
            serde_json::to_value(result(Grade::C)).expect("json"),
        );
        begin(&store, 2_000);
        let run = begin(&store, 3_000);
        carry_observations(&store, run, 3_000, &gin).expect("carried");
        let h = hot_reload_of(&store, run, "gin")
            .expect("readable")
            .expect("carried");
        assert_eq!(h.grade, "C");
        assert_eq!(h.age_runs, 1);
        assert_eq!(
            (h.reload_p50_ms, h.reload_p90_ms, h.reload_max_ms),
            (Some(1000.0), Some(1400.0), Some(1400.0))
        );
        assert_eq!(
            (h.spurious_rebuilds, h.goroutine_growth, h.fd_growth),
            (1, Some(24), None)
        );
        assert_eq!(h.observed_at, "1970-01-01T00:00:01Z");
        assert_eq!(grade_points(&h.grade), Some(2.0));
        assert_eq!(grade_points("E"), None);
    }

    #[test]
    fn a_damaged_carried_result_is_named_and_left_out_of_the_report() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let store = SqliteStore::open(dir.path().join("podium.db")).expect("a store");
        observe(&store, serde_json::json!({ "grade": "B" }));
        let run = begin(&store, 2_000);
        carry_observations(&store, run, 2_000, &gin()).expect("carried");
        let err = hot_reload_of(&store, run, "gin").expect_err("damaged");
        assert!(
            err.to_string().contains("not a podium reload result"),
            "{err}"
        );
        // The report of the run is still made: the section is left out with a note.
        store
            .record_subject(
                run,
                &podium_store::SubjectRecord {
                    name: "gin".into(),
                    language: "go".into(),
                    framework: "gin".into(),
                    version: "v1".into(),
                    status: podium_store::SubjectStatus::Skipped,
                    reason: Some("not measured in this test".into()),
                    details: serde_json::json!({}),
                },
            )
            .expect("recorded");
        let report = crate::assemble(&store, run).expect("a report despite the damage");
        assert_eq!(report.subjects.len(), 1);
        assert_eq!(report.subjects[0].hot_reload, None);
        let note = report
            .notes
            .iter()
            .find(|n| n.contains("not a podium reload result"))
            .unwrap_or_else(|| panic!("no note names the damage: {:?}", report.notes));
        assert!(note.contains("`podium reload gin`"), "{note}");
    }
}
