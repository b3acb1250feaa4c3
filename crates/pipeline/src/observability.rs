//! The Observability part of a run's report: the `podium otel` observation the run
//! carries for a subject, turned into the report model and the axis value.

use crate::PipelineError;
use crate::carried::carried_observation;
use podium_otel::{Checks, OtelObservation, Verdict};
use podium_report::{MatrixEntry, Observability, Ratio};
use podium_store::{RunId, Store, kind};

fn verdict(v: Option<Verdict>) -> Option<String> {
    v.map(|v| v.as_str().to_string())
}

fn failed_items(checks: &Checks) -> Vec<String> {
    [
        ("tracer", &checks.tracer),
        ("propagator", &checks.propagator),
        ("metrics", &checks.metrics),
    ]
    .iter()
    .flat_map(|(name, outcome)| {
        outcome.evidence.iter().filter(|e| !e.ok).map(move |e| {
            format!(
                "{name}: {}: expected {}; arrived {}",
                e.item, e.expected, e.arrived
            )
        })
    })
    .collect()
}

/// The subject's OpenTelemetry observation as the run carries it, or `None`.
pub fn observability(
    store: &dyn Store,
    run: RunId,
    subject: &str,
) -> Result<Option<Observability>, PipelineError> {
    let Some(carried) = carried_observation(store, run, subject, kind::OTEL)? else {
        return Ok(None);
    };
    let o: OtelObservation =
        serde_json::from_value(carried.result).map_err(|e| PipelineError::BadArtifact {
            run: run.0,
            what: format!("the OpenTelemetry result carried for {subject} is damaged: {e}"),
        })?;
    let pinned = o.checks.as_ref();
    let ratio = |r: &podium_stats::RatioSummary| Ratio {
        value: r.ratio,
        ci_low: r.ci_low,
        ci_high: r.ci_high,
        n: r.n_num.min(r.n_den),
    };
    Ok(Some(Observability {
        observed_at: podium_store::rfc3339_utc(carried.observed_at),
        age_runs: carried.age_runs,
        protocol: o.protocol.clone(),
        instrumentation: o.instrumentation.clone(),
        maintainer: o.maintainer.clone(),
        sdk: o.sdk.clone(),
        tracer: verdict(pinned.map(|c| c.tracer.verdict)),
        propagator: verdict(pinned.map(|c| c.propagator.verdict)),
        metrics: verdict(pinned.map(|c| c.metrics.verdict)),
        error: o.error.clone(),
        failed_items: pinned.map(failed_items).unwrap_or_default(),
        lines_added: o.lines_added.as_ref().map(|l| l.total),
        throughput_ratio: o.cost.as_ref().map(|c| ratio(&c.throughput_ratio)),
        p99_ratio: o.cost.as_ref().map(|c| ratio(&c.p99_ratio)),
        cost_load: o.cost.as_ref().map(|c| c.load.clone()),
        spans_under_load: o
            .cost
            .as_ref()
            .and_then(|c| c.spans_received.map(|spans| (spans, c.otel_requests))),
        matrix: o
            .matrix
            .iter()
            .map(|row| {
                let [tracer, propagator, metrics] = row.verdicts();
                MatrixEntry {
                    sdk: row.sdk.clone(),
                    pinned: row.pinned,
                    tracer: verdict(tracer),
                    propagator: verdict(propagator),
                    metrics: verdict(metrics),
                    error: row
                        .error
                        .as_deref()
                        .map(|e| e.lines().next().unwrap_or_default().to_string()),
                }
            })
            .collect(),
    }))
}

/// The Observability axis value (0 to 1): pass = 1, partial = 0.5, fail = 0, summed over
/// the three checks and divided by 3; `None` when the checks did not run.
pub fn axis_value(o: &Observability) -> Option<f64> {
    let points = |v: &Option<String>| match v.as_deref() {
        Some("pass") => Some(1.0),
        Some("partial") => Some(0.5),
        Some("fail") => Some(0.0),
        _ => None,
    };
    Some((points(&o.tracer)? + points(&o.propagator)? + points(&o.metrics)?) / 3.0)
}

/// The radar's raw figure: the three verdicts, their points and the observation's date.
pub fn radar_raw(s: &podium_report::SubjectReport) -> Option<String> {
    let o = s.observability.as_ref()?;
    let value = axis_value(o)?;
    let v = |x: &Option<String>| x.clone().unwrap_or_default();
    Some(format!(
        "tracer {}, propagator {}, metrics {} ({:.1} of 3; observed {})",
        v(&o.tracer),
        v(&o.propagator),
        v(&o.metrics),
        value * 3.0,
        o.observed_at
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_value_sums_the_three_verdicts() {
        let mut o = Observability {
            observed_at: String::new(),
            age_runs: 0,
            protocol: "grpc".into(),
            instrumentation: String::new(),
            maintainer: "framework".into(),
            sdk: String::new(),
            tracer: Some("pass".into()),
            propagator: Some("partial".into()),
            metrics: Some("fail".into()),
            error: None,
            failed_items: vec![],
            lines_added: None,
            throughput_ratio: None,
            p99_ratio: None,
            cost_load: None,
            spans_under_load: None,
            matrix: vec![],
        };
        assert_eq!(axis_value(&o), Some(0.5));
        let raw = radar_raw(&podium_report::SubjectReport {
            name: "s".into(),
            language: "go".into(),
            framework: "F".into(),
            version: "1".into(),
            verified: true,
            status: "measured".into(),
            reason: None,
            failed_checks: vec![],
            rank: None,
            workloads: vec![],
            memory: None,
            middleware_cost: None,
            deployment: None,
            observability: Some(o.clone()),
            ecosystem: None,
            hot_reload: None,
            scores: podium_report::Scores {
                performance: None,
                ecosystem: None,
                observability: None,
                hot_reload: None,
                composite: None,
            },
            developer_experience: podium_report::DeveloperExperience {
                routes: None,
                middleware: None,
                errors: None,
                lines: None,
            },
            flame_graphs: vec![],
        });
        assert_eq!(
            raw.as_deref(),
            Some("tracer pass, propagator partial, metrics fail (1.5 of 3; observed )")
        );
        o.metrics = None;
        assert_eq!(axis_value(&o), None);
    }
}
