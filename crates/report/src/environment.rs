//! Reading the environment record for the report.
//!
//! The model keeps the environment as the JSON podium-env wrote (`RunReport::environment`
//! is a `serde_json::Value`), so that the report crate does not depend on podium-env and
//! an older record still renders. This view reads the fields it knows, tolerates missing
//! or differently-typed ones ("unknown"), and hands back every field it does not know so
//! the report can still show it.

use crate::format;
use crate::lang::{Lang, Text};
use serde_json::{Map, Value};

/// The fields this view renders itself; anything else is listed as "other".
const KNOWN: &[&str] = &[
    "podium_version",
    "hostname",
    "os",
    "kernel",
    "cpu_model",
    "cores_online",
    "cpus_allowed",
    "memory_total_bytes",
    "governor",
    "load_avg",
    "go_version",
    "rustc_version",
    "frameworks",
    "server_cpus",
    "generator_cpus",
    "enforcement",
    "warnings",
];

/// The environment record, read leniently.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EnvView<'a> {
    fields: Option<&'a Map<String, Value>>,
}

/// One means of isolation and whether it was in force.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EnforcementView {
    /// podium-env's name of the control (`cgroup cpuset`, …).
    pub what: String,
    /// `None` when the record does not say.
    pub enforced: Option<bool>,
    /// The values applied, or why it was not in force.
    pub detail: String,
}

/// A framework as the record lists it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FrameworkView {
    pub subject: String,
    pub framework: String,
    pub version: String,
}

impl<'a> EnvView<'a> {
    pub(crate) fn new(environment: &'a Value) -> Self {
        Self {
            fields: environment.as_object().filter(|m| !m.is_empty()),
        }
    }

    /// Whether the run recorded an environment at all.
    pub(crate) fn is_present(&self) -> bool {
        self.fields.is_some()
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.fields?.get(key).filter(|v| !v.is_null())
    }

    /// A field as text: strings as they are, numbers and booleans printed, anything
    /// else as compact JSON.
    pub(crate) fn text(&self, key: &str) -> Option<String> {
        self.get(key).map(value_text)
    }

    /// The label and display value of each general field, in reading order.
    pub(crate) fn rows(&self, lang: Lang) -> Vec<(&'static str, String)> {
        let unknown = || lang.s(Text::Unknown).to_string();
        let text = |key: &str| self.text(key).unwrap_or_else(unknown);
        let memory = self
            .get("memory_total_bytes")
            .and_then(Value::as_u64)
            .filter(|&b| b > 0)
            .map_or_else(unknown, format::bytes);
        let load = self
            .get("load_avg")
            .and_then(|l| {
                let one = l.get("one")?.as_f64()?;
                let five = l.get("five")?.as_f64()?;
                let fifteen = l.get("fifteen")?.as_f64()?;
                Some(format!(
                    "{}, {}, {}",
                    format::num(one, 2),
                    format::num(five, 2),
                    format::num(fifteen, 2)
                ))
            })
            .unwrap_or_else(unknown);
        let cpu = match (self.text("cpu_model"), self.text("cpus_allowed")) {
            (Some(model), Some(allowed)) => format!("{model} ({allowed})"),
            (Some(model), None) => model,
            (None, _) => unknown(),
        };
        vec![
            (lang.s(Text::Host), text("hostname")),
            (lang.s(Text::Os), text("os")),
            (lang.s(Text::Kernel), text("kernel")),
            (lang.s(Text::Cpu), cpu),
            (lang.s(Text::Cores), text("cores_online")),
            (lang.s(Text::MemoryTotal), memory),
            (lang.s(Text::Governor), text("governor")),
            (lang.s(Text::LoadAvg), load),
            (lang.s(Text::GoToolchain), text("go_version")),
            (lang.s(Text::RustToolchain), text("rustc_version")),
            (lang.s(Text::ServerCpus), text("server_cpus")),
            (lang.s(Text::GeneratorCpus), text("generator_cpus")),
            (lang.s(Text::PodiumVersion), text("podium_version")),
        ]
    }

    pub(crate) fn frameworks(&self) -> Vec<FrameworkView> {
        let Some(list) = self.get("frameworks").and_then(Value::as_array) else {
            return Vec::new();
        };
        list.iter()
            .map(|f| FrameworkView {
                subject: field_text(f, "subject"),
                framework: field_text(f, "framework"),
                version: field_text(f, "version"),
            })
            .collect()
    }

    pub(crate) fn enforcement(&self) -> Vec<EnforcementView> {
        let Some(list) = self.get("enforcement").and_then(Value::as_array) else {
            return Vec::new();
        };
        list.iter()
            .map(|e| EnforcementView {
                what: field_text(e, "what"),
                enforced: e.get("enforced").and_then(Value::as_bool),
                detail: field_text(e, "detail"),
            })
            .collect()
    }

    /// The warnings, each in words in `lang`.
    pub(crate) fn warnings(&self, lang: Lang) -> Vec<String> {
        let Some(list) = self.get("warnings").and_then(Value::as_array) else {
            return Vec::new();
        };
        list.iter().map(|w| warning_text(w, lang)).collect()
    }

    /// Fields this view does not know, as `(name, compact JSON or text)`.
    pub(crate) fn other_fields(&self) -> Vec<(String, String)> {
        let Some(fields) = self.fields else {
            return Vec::new();
        };
        fields
            .iter()
            .filter(|(k, v)| !KNOWN.contains(&k.as_str()) && !v.is_null())
            .map(|(k, v)| (k.clone(), value_text(v)))
            .collect()
    }
}

/// A control's name in `lang` (podium-env's names are English identifiers).
pub(crate) fn control_label(what: &str, lang: Lang) -> String {
    let text = match what {
        "cpu pinning" => Text::CtlCpuPinning,
        "cgroup cpuset" => Text::CtlCgroupCpuset,
        "cgroup cpu.max" => Text::CtlCgroupCpuMax,
        "cgroup memory.max" => Text::CtlCgroupMemoryMax,
        "network namespace" => Text::CtlNetworkNamespace,
        _ => return what.to_string(),
    };
    lang.s(text).to_string()
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

fn field_text(object: &Value, key: &str) -> String {
    object
        .get(key)
        .filter(|v| !v.is_null())
        .map(value_text)
        .unwrap_or_default()
}

/// One warning (`{"code": …, fields…}` as podium-env serialises it) in words. A code
/// this version does not know is shown as its code and fields rather than dropped.
fn warning_text(warning: &Value, lang: Lang) -> String {
    let code = warning.get("code").and_then(Value::as_str).unwrap_or("");
    let f = |key: &str| field_text(warning, key);
    match code {
        "busy_machine" => {
            let load1 = warning
                .get("load1")
                .and_then(Value::as_f64)
                .map_or_else(|| f("load1"), |l| format::num(l, 2));
            lang.fill(Text::WarnBusy, &[("load1", &load1), ("cores", &f("cores"))])
        }
        "governor_not_performance" => {
            lang.fill(Text::WarnGovernor, &[("governor", &f("governor"))])
        }
        "governor_unknown" => lang.s(Text::WarnGovernorUnknown).to_string(),
        "generator_saturated" => lang.fill(
            Text::WarnSaturated,
            &[("workload", &f("workload")), ("reason", &f("reason"))],
        ),
        "fewer_repetitions" => lang.fill(
            Text::WarnFewerReps,
            &[
                ("workload", &f("workload")),
                ("done", &f("done")),
                ("asked", &f("asked")),
            ],
        ),
        "not_enforced" => lang.fill(
            Text::WarnNotEnforced,
            &[
                ("what", &control_label(&f("what"), lang)),
                ("reason", &f("reason")),
            ],
        ),
        "shared_cpus" => lang.fill(Text::WarnSharedCpus, &[("cpus", &f("cpus"))]),
        _ => {
            let fields: Vec<String> = warning
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, _)| k.as_str() != "code")
                .map(|(k, v)| format!("{k}={}", value_text(v)))
                .collect();
            let code = if code.is_empty() {
                value_text(warning)
            } else {
                code.to_string()
            };
            if fields.is_empty() {
                code
            } else {
                format!("{code}: {}", fields.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record() -> Value {
        json!({
            "podium_version": "0.1.0",
            "hostname": "bench-1",
            "os": "Debian GNU/Linux 12 (bookworm)",
            "kernel": "6.1.0-18-amd64",
            "cpu_model": "AMD EPYC 7B13",
            "cores_online": 2,
            "cpus_allowed": "0-1",
            "memory_total_bytes": 8_589_934_592u64,
            "governor": null,
            "load_avg": {"one": 0.12, "five": 0.2, "fifteen": 0.31},
            "go_version": "go version go1.23.4 linux/amd64",
            "rustc_version": null,
            "frameworks": [{"subject": "gin", "framework": "Gin", "version": "v1.10.0"}],
            "server_cpus": "0",
            "generator_cpus": "1",
            "enforcement": [
                {"what": "cpu pinning", "enforced": true, "detail": "server 0, generator 1"},
                {"what": "cgroup cpuset", "enforced": false, "detail": "cgroup v2 is read-only"}
            ],
            "warnings": [
                {"code": "governor_unknown"},
                {"code": "not_enforced", "what": "cgroup cpuset", "reason": "cgroup v2 is read-only"},
                {"code": "busy_machine", "load1": 1.5, "cores": 2},
                {"code": "future_warning", "level": 3}
            ],
            "numa_nodes": 1
        })
    }

    #[test]
    fn reads_the_known_fields() {
        let env = record();
        let view = EnvView::new(&env);
        assert!(view.is_present());
        let rows = view.rows(Lang::En);
        let get = |label: &str| {
            rows.iter()
                .find(|(l, _)| *l == label)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(get("CPU").as_deref(), Some("AMD EPYC 7B13 (0-1)"));
        assert_eq!(get("Memory").as_deref(), Some("8.0 GiB"));
        assert_eq!(get("CPU frequency governor").as_deref(), Some("unknown"));
        assert_eq!(get("Rust toolchain").as_deref(), Some("unknown"));
        assert_eq!(
            get("Load average (1, 5, 15 min)").as_deref(),
            Some("0.12, 0.20, 0.31")
        );
        assert_eq!(
            view.frameworks(),
            [FrameworkView {
                subject: "gin".into(),
                framework: "Gin".into(),
                version: "v1.10.0".into()
            }]
        );
        let enforcement = view.enforcement();
        assert_eq!(enforcement.len(), 2);
        assert_eq!(enforcement[1].enforced, Some(false));
        assert_eq!(enforcement[1].detail, "cgroup v2 is read-only");
        assert_eq!(
            view.other_fields(),
            [("numa_nodes".to_string(), "1".to_string())]
        );
    }

    #[test]
    fn warnings_read_as_sentences_and_unknown_codes_survive() {
        let env = record();
        let warnings = EnvView::new(&env).warnings(Lang::En);
        assert_eq!(warnings.len(), 4);
        assert!(warnings[0].starts_with("The CPU frequency governor is unknown"));
        assert_eq!(
            warnings[1],
            "cgroup cpuset not enforced: cgroup v2 is read-only"
        );
        assert!(warnings[2].contains("load average 1.50 on 2 cores"));
        assert_eq!(warnings[3], "future_warning: level=3");
        let zh = EnvView::new(&env).warnings(Lang::Zh);
        assert_eq!(
            zh[1],
            "cgroup cpuset（CPU 集） 未生效：cgroup v2 is read-only"
        );
    }

    #[test]
    fn a_missing_or_odd_record_is_not_an_error() {
        for env in [Value::Null, json!({}), json!([1, 2])] {
            let view = EnvView::new(&env);
            assert!(!view.is_present());
            assert!(view.warnings(Lang::En).is_empty());
            assert!(view.enforcement().is_empty());
            assert!(view.rows(Lang::En).iter().all(|(_, v)| v == "unknown"));
        }
        let odd = json!({"cores_online": "two", "load_avg": "high", "warnings": "none"});
        let view = EnvView::new(&odd);
        let rows = view.rows(Lang::En);
        assert!(rows.contains(&("Cores online", "two".to_string())));
        assert!(rows.contains(&("Load average (1, 5, 15 min)", "unknown".to_string())));
        assert!(view.warnings(Lang::En).is_empty());
    }
}
