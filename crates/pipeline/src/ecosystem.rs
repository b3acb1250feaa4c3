//! The ecosystem result a run carries for a subject, as the report shows it.

use crate::PipelineError;
use crate::carried::carried_observation;
use podium_eco::EcoReport;
use podium_report::{EcoCve, EcoMiddleware, EcoSignal, EcoVulnerabilities, Ecosystem};
use podium_store::{RunId, Store, kind};

/// The report's ecosystem section for `subject` in `run`, `None` when the run carries
/// no ecosystem observation. A result that cannot be read is shown with no score and a
/// note saying why (the run's other figures are unaffected).
pub fn ecosystem_of(
    store: &dyn Store,
    run: RunId,
    subject: &str,
) -> Result<Option<Ecosystem>, PipelineError> {
    let Some(carried) = carried_observation(store, run, subject, kind::ECOSYSTEM)? else {
        return Ok(None);
    };
    let observed_at = podium_eco::time::timestamp(carried.observed_at);
    let report: EcoReport = match serde_json::from_value(carried.result) {
        Ok(r) => r,
        Err(e) => {
            return Ok(Some(Ecosystem {
                module: subject.to_string(),
                version: String::new(),
                observed_at,
                age_runs: carried.age_runs,
                mode: String::new(),
                score: None,
                score_without: Vec::new(),
                signals: Vec::new(),
                merged_prs_per_month: None,
                vulnerabilities: None,
                support: None,
                middleware: Vec::new(),
                cve_response: None,
                doc_coverage: None,
                notes: vec![format!(
                    "the stored ecosystem result cannot be read ({e}); run `podium eco` again"
                )],
            }));
        }
    };
    let s = &report.signals;
    let signals = [
        ("stars", &s.stars),
        ("forks", &s.forks),
        ("releases_per_month", &s.releases_per_month),
        ("decoupling", &s.decoupling),
    ]
    .into_iter()
    .map(|(name, x)| EcoSignal {
        name: name.to_string(),
        raw: x.raw,
        normalised: x.normalised,
        weight: x.weight,
        age: x.age,
        // A missing signal's note says why it is missing.
        source: match (&x.raw, &x.note) {
            (None, Some(note)) => format!("{} ({note})", x.source),
            _ => x.source.clone(),
        },
        observed_at: x.observed_at.clone(),
    })
    .collect();
    let describe =
        |v: &podium_eco::collect::Vulnerability| format!("{} ({} {})", v.id, v.package, v.version);
    Ok(Some(Ecosystem {
        module: report.module,
        version: report.version,
        observed_at,
        age_runs: carried.age_runs,
        mode: report.mode,
        score: report.score,
        score_without: report.score_without,
        signals,
        merged_prs_per_month: report.merged_prs_per_month.value,
        vulnerabilities: report.vulnerabilities.value.map(|v| EcoVulnerabilities {
            module: v.module.iter().map(|x| x.id.clone()).collect(),
            dependencies: v.dependencies.iter().map(describe).collect(),
            dependencies_checked: v.dependencies_checked as u64,
        }),
        support: report
            .support
            .value
            .map(|s| format!("{} ({})", s.status, s.line)),
        middleware: report
            .middleware
            .iter()
            .map(|m| EcoMiddleware {
                purpose: serde_json::to_value(m.purpose)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                module: m.module.clone(),
                maintainer: serde_json::to_value(m.maintainer)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                detail: m.detail.clone(),
            })
            .collect(),
        cve_response: report.cve_response.value.map(|l| {
            l.into_iter()
                .map(|c| EcoCve {
                    id: c.id,
                    days: c.days,
                })
                .collect()
        }),
        doc_coverage: report.doc_coverage.value.and_then(|d| d.share),
        notes: report.notes,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::carried::carry_observations;
    use podium_store::{NewObservation, SqliteStore};
    use podium_subjects::SubjectManifest;
    use std::path::Path;

    /// `podium eco github.com/gin-gonic/gin --offline --json`, as it printed it.
    const GIN: &str = include_str!("../tests/fixtures/eco-gin-offline.json");

    fn run_with(json: serde_json::Value) -> (tempfile::TempDir, SqliteStore, RunId) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let store = SqliteStore::open(dir.path().join("podium.db")).expect("a store");
        store
            .put_observation(&NewObservation {
                kind: kind::ECOSYSTEM.into(),
                subject: "github.com/gin-gonic/gin".into(),
                observed_at: 1_000,
                json,
            })
            .expect("stored");
        let run = crate::carried::tests::begin(&store, 2_000);
        let manifest = SubjectManifest::parse(
            "name = \"gin\"\nlanguage = \"go\"\nframework = \"Gin\"\n\
             module = \"github.com/gin-gonic/gin\"\nversion = \"v1.12.0\"\n\
             [build]\ncommand = \"true\"\n[run]\ncommand = [\"server\"]\n",
            Path::new("subject.toml"),
        )
        .expect("a manifest");
        carry_observations(&store, run, 2_000, &manifest).expect("carried");
        (dir, store, run)
    }

    #[test]
    fn a_carried_result_becomes_the_report_section() {
        let json: serde_json::Value = serde_json::from_str(GIN).expect("JSON");
        let (_dir, store, run) = run_with(json.clone());
        let eco = ecosystem_of(&store, run, "gin")
            .expect("readable")
            .expect("carried");
        assert_eq!(eco.module, "github.com/gin-gonic/gin");
        assert_eq!(eco.score, json["score"].as_f64());
        assert_eq!(eco.age_runs, 0);
        assert_eq!(eco.score_without, ["stars", "forks"]);
        let names: Vec<&str> = eco.signals.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            ["stars", "forks", "releases_per_month", "decoupling"]
        );
        assert!(eco.signals[0].raw.is_none() && eco.signals[0].source.contains("offline"));
        assert!(eco.signals[3].normalised.is_some_and(|v| v > 0.0));
        assert_eq!(
            eco.vulnerabilities, None,
            "offline without --osv-db: not checked"
        );
        assert_eq!(eco.middleware.len(), 2);
        assert_eq!(ecosystem_of(&store, run, "echo").expect("readable"), None);
    }

    #[test]
    fn a_damaged_result_has_no_score_and_says_why() {
        let (_dir, store, run) = run_with(serde_json::json!({"score": "high"}));
        let eco = ecosystem_of(&store, run, "gin")
            .expect("readable")
            .expect("carried");
        assert_eq!(eco.score, None);
        assert!(eco.notes[0].contains("cannot be read"), "{:?}", eco.notes);
    }
}
