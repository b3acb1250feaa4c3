//! Two stored runs side by side: per subject and workload, the throughput and p99
//! change with a significance verdict.

use crate::{ARTIFACT_WORKLOAD, PipelineError};
use podium_measure::WorkloadMeasurement;
use podium_stats::{CompareConfig, FigureKind, compare};
use podium_store::{ArtifactFilter, RunId, Store};
use serde::{Deserialize, Serialize};

/// Reads one figure off a repetition's load report.
type ReportFigure = dyn Fn(&podium_load::LoadReport) -> f64;

/// One figure of one subject's workload in two runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FigureDelta {
    /// Subject.
    pub subject: String,
    /// Workload.
    pub workload: String,
    /// `rps` or `p99_ms`.
    pub figure: String,
    /// Median in run A.
    pub a: f64,
    /// Median in run B.
    pub b: f64,
    /// (b − a) / a.
    pub relative_change: f64,
    /// B relative to A: "faster", "slower" or "within noise".
    pub verdict: String,
    /// How it was decided, in words.
    pub explanation: String,
}

fn measurements(
    store: &dyn Store,
    run: RunId,
) -> Result<Vec<(String, WorkloadMeasurement)>, PipelineError> {
    store
        .artifacts(
            run,
            &ArtifactFilter {
                subject: None,
                workload: None,
                kind: Some(ARTIFACT_WORKLOAD.into()),
            },
        )?
        .into_iter()
        .filter_map(|(key, a)| Some((key.subject?, a.json?)))
        .map(|(subject, json)| Ok((subject, serde_json::from_value(json)?)))
        .collect()
}

/// Every figure measured in both runs, B against A.
pub fn compare_runs(
    store: &dyn Store,
    a: RunId,
    b: RunId,
) -> Result<Vec<FigureDelta>, PipelineError> {
    store.run(a)?;
    store.run(b)?;
    let (ma, mb) = (measurements(store, a)?, measurements(store, b)?);
    let mut out = Vec::new();
    for (subject, wa) in &ma {
        let Some((_, wb)) = mb
            .iter()
            .find(|(s, w)| s == subject && w.workload == wa.workload)
        else {
            continue;
        };
        let values = |w: &WorkloadMeasurement, f: &dyn Fn(&podium_load::LoadReport) -> f64| {
            w.repetitions
                .iter()
                .filter(|r| !r.report.interrupted)
                .map(|r| f(&r.report))
                .collect::<Vec<f64>>()
        };
        let figures: [(&str, FigureKind, &ReportFigure); 2] = [
            ("rps", FigureKind::Throughput, &|r| r.rps),
            ("p99_ms", FigureKind::Latency, &|r| r.latency_ms.p99),
        ];
        for (name, kind, f) in figures {
            let (va, vb) = (values(wa, f), values(wb, f));
            let Ok(c) = compare(&vb, &va, kind.direction(), &CompareConfig::default()) else {
                continue;
            };
            let (ma, mb) = (c.summary_b.median, c.summary_a.median);
            out.push(FigureDelta {
                subject: subject.clone(),
                workload: wa.workload.clone(),
                figure: name.into(),
                a: ma,
                b: mb,
                relative_change: if ma == 0.0 { 0.0 } else { (mb - ma) / ma },
                verdict: c.verdict.label(kind).to_string(),
                explanation: c.explain(if name == "rps" { "req/s" } else { "ms" }),
            });
        }
    }
    Ok(out)
}
