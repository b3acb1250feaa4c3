#![allow(clippy::unwrap_used)]
//! schemas/report.schema.json against the model: the sample and variants of it (optional
//! parts missing) validate, broken reports do not, and the schema is strict enough that
//! validating a full report proves its field names equal the model's.

mod common;

use podium_report::{Exporter, JsonExporter, RunReport};
use proptest::prelude::*;
use serde_json::{Value, json};

fn schema() -> Value {
    let path = common::repo_root().join("schemas/report.schema.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft202012::new(&schema())
        .unwrap_or_else(|e| panic!("schema does not compile: {e}"))
}

/// Every validation error, with where it is, for assertion messages.
fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn exported(report: &RunReport) -> Value {
    serde_json::from_str(&JsonExporter.render(report).unwrap()).unwrap()
}

#[test]
fn the_schema_is_a_valid_2020_12_schema() {
    let schema = schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    if let Err(e) = jsonschema::draft202012::meta::validate(&schema) {
        panic!("not a valid draft 2020-12 schema: {e}");
    }
}

#[test]
fn the_sample_report_validates_as_exported_and_as_a_full_dump() {
    let v = validator();
    let report = common::sample();
    let json = exported(&report);
    assert_eq!(errors(&v, &json), Vec::<String>::new());
    // The fixture itself keeps the flame graph's SVG (a full dump of the model).
    let full: Value =
        serde_json::from_str(&std::fs::read_to_string(common::sample_path()).unwrap()).unwrap();
    assert!(full.to_string().contains("\"svg\""));
    assert_eq!(errors(&v, &full), Vec::<String>::new());
}

/// Every object type closes itself (`additionalProperties: false`) and requires every
/// field the model always writes. With that, a report that validates has exactly the
/// model's field names: an extra one fails `additionalProperties`, a missing one fails
/// `required`. Only `FlameGraph.svg` may be absent (the model skips it when `None`).
#[test]
fn every_model_object_is_closed_and_requires_all_its_fields() {
    let schema = schema();
    let mut objects = vec![("(root)".to_string(), &schema)];
    objects.extend(
        schema["$defs"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, d)| d.get("properties").is_some())
            .map(|(k, d)| (k.clone(), d)),
    );
    let mut closed = 0;
    for (name, def) in objects {
        if name == "Environment" {
            // podium-env's record, kept as recorded: open to fields a later version adds.
            assert_ne!(def.get("additionalProperties"), Some(&json!(false)));
            continue;
        }
        assert_eq!(
            def["additionalProperties"],
            json!(false),
            "{name} is not closed"
        );
        let mut properties: Vec<&str> = def["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut required: Vec<&str> = def["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        if name == "FlameGraph" {
            properties.retain(|p| *p != "svg");
        }
        properties.sort_unstable();
        required.sort_unstable();
        assert_eq!(properties, required, "{name}");
        closed += 1;
    }
    // 18 + the ecosystem section (Ecosystem, EcoSignal, EcoVulnerabilities, EcoMiddleware,
    // EcoCve) + the hot-reload section (HotReload) + the observability section (3).
    assert_eq!(closed, 27, "one closed object per model struct");
}

#[test]
fn a_report_without_run_is_rejected() {
    let v = validator();
    let mut json = exported(&common::sample());
    json.as_object_mut().unwrap().remove("run");
    let errs = errors(&v, &json);
    assert!(
        errs.iter()
            .any(|e| e.contains("\"run\" is a required property")),
        "{errs:?}"
    );
}

#[test]
fn a_figure_without_ci_low_is_rejected() {
    let v = validator();
    let mut json = exported(&common::sample());
    json["subjects"][0]["workloads"][0]["rps"]
        .as_object_mut()
        .unwrap()
        .remove("ci_low");
    let errs = errors(&v, &json);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("/subjects/0/workloads/0/rps:"),
        "{errs:?}"
    );
    assert!(errs[0].contains("ci_low"), "{errs:?}");
}

/// Breaks a valid report.json in one place.
type Break = fn(&mut Value);

#[test]
fn wrong_types_nulls_and_unknown_fields_are_rejected() {
    let v = validator();
    let sample = exported(&common::sample());
    let cases: [(&str, Break); 11] = [
        ("p99 as text", |j| {
            j["subjects"][0]["workloads"][0]["latency"]["p99"] = json!("1.6 ms")
        }),
        ("null rps", |j| {
            j["subjects"][0]["workloads"][0]["rps"] = Value::Null
        }),
        ("negative count", |j| {
            j["subjects"][0]["workloads"][0]["requests"] = json!(-1)
        }),
        ("extra field", |j| {
            j["subjects"][0]["scores"]["speed"] = json!(1.0)
        }),
        ("curve point of three", |j| {
            j["subjects"][0]["workloads"][0]["latency_curve"][0] = json!([50.0, 0.6, 1])
        }),
        ("curve percentile above 100", |j| {
            j["subjects"][0]["workloads"][0]["latency_curve"][0] = json!([150.0, 0.6])
        }),
        ("other schema version", |j| j["schema_version"] = json!(2)),
        ("memory as a number", |j| {
            j["subjects"][0]["memory"] = json!(14)
        }),
        ("rank zero", |j| j["subjects"][0]["rank"] = json!(0)),
        ("environment as text", |j| {
            j["environment"] = json!("bench-1")
        }),
        ("enforcement without a reason", |j| {
            j["environment"]["enforcement"][1] = json!({"what": "cgroup cpuset", "enforced": false})
        }),
    ];
    for (what, break_it) in cases {
        let mut json = sample.clone();
        break_it(&mut json);
        assert!(!v.is_valid(&json), "accepted a report with {what}");
    }
}

/// The switches the variants flip, each removing or emptying an optional part.
const SWITCHES: usize = 16;

fn variant(flags: &[bool]) -> RunReport {
    let mut r = common::sample();
    let on = |i: usize| flags[i];
    if on(0) {
        r.run.finished = None;
        r.run.complete = false;
        r.run.note = Some("interrupted by Ctrl-C during ramp-json".into());
    }
    if on(1) {
        r.run.suite = None;
        r.run.quick = true;
    }
    for s in &mut r.subjects {
        if on(2) {
            s.memory = None;
        }
        if on(3) {
            s.middleware_cost = None;
        }
        if on(4) {
            s.deployment = None;
        }
        if on(5) {
            s.flame_graphs.clear();
        }
        for w in &mut s.workloads {
            if on(6) {
                w.latency_curve.clear();
            }
            if on(7) {
                w.knee_rps = None;
                w.knee_p99_bound_ms = None;
            }
            if on(15) {
                w.counter_consistent = None;
                w.cross_checks.iter_mut().for_each(|c| c.p99_ms = None);
            }
        }
        if on(8) {
            s.scores.performance = None;
            s.scores.composite = None;
        }
        if on(9) {
            s.developer_experience.routes = None;
            s.developer_experience.lines = None;
        }
        if let Some(m) = s.memory.as_mut() {
            m.gc_count = None;
        }
    }
    if on(10) {
        r.radar.series.clear();
    }
    if on(11) {
        r.rankings.clear();
    }
    if on(12) {
        r.subjects.truncate(1);
    }
    if on(13) {
        r.notes.clear();
    }
    if on(14) {
        r.environment = if on(0) { Value::Null } else { json!({}) };
    }
    r
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Whatever optional parts a report lacks, its report.json validates and reads back
    /// as the same report; the Markdown and HTML exporters render it.
    #[test]
    fn variants_validate_and_round_trip(flags in prop::collection::vec(any::<bool>(), SWITCHES)) {
        let report = variant(&flags);
        let text = JsonExporter.render(&report).unwrap();
        let json: Value = serde_json::from_str(&text).unwrap();
        let errs = errors(&validator(), &json);
        prop_assert!(errs.is_empty(), "{:?}", errs);
        let back: RunReport = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(JsonExporter.render(&back).unwrap(), text);
        for lang in [podium_report::Lang::En, podium_report::Lang::Zh] {
            let html = podium_report::HtmlExporter { lang }.render(&report).unwrap();
            prop_assert!(html.ends_with("</html>\n"));
            let md = podium_report::MarkdownExporter { lang }.render(&report).unwrap();
            prop_assert!(md.starts_with("# "));
        }
    }
}

#[test]
fn all_switches_at_once_still_validate() {
    let report = variant(&[true; SWITCHES]);
    assert_eq!(
        errors(&validator(), &exported(&report)),
        Vec::<String>::new()
    );
}
