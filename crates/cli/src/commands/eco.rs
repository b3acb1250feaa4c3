//! `podium eco MODULE`: ecosystem maturity of one module, stored as an observation; and
//! the collection `podium run` does for its subjects before it starts.

use super::{Context, spinner};
use crate::cli::{EcoArgs, EcoSourceArgs};
use anyhow::Context as _;
use podium_eco::collect::{EcoReport, Fact, Signal};
use podium_eco::middleware::Maintainer;
use podium_eco::{ModuleSpec, Options, Weights};
use podium_store::{NewObservation, SqliteStore, Store, kind};
use podium_subjects::SubjectManifest;
use std::path::Path;

/// Ecosystem results younger than this are reused by `podium run`.
pub const REUSE_FOR_MS: i64 = 24 * 3600 * 1000;

pub fn run(ctx: &Context, args: &EcoArgs) -> anyhow::Result<i32> {
    let (spec, mut version) = ModuleSpec::parse(&args.module)?;
    if version.is_none()
        && let Ok(catalog) = ctx.catalog()
    {
        // The version a bundled subject pins, so the figures match what is benchmarked.
        version = catalog
            .all()
            .iter()
            .map(|s| &s.manifest)
            .find(|m| module_spec(m) == spec)
            .map(|m| m.version.clone());
    }
    let weights = load_weights(args.sources.eco_weights.as_deref())?;
    let store = SqliteStore::open(&args.db.db)?;
    let options = Options {
        offline: args.sources.offline,
        osv_db: args.sources.osv_db.clone(),
        weights,
        github_api: args.github_api.clone(),
        osv_api: args.osv_api.clone(),
        cache_dir: ctx.cache.clone(),
        now_ms: podium_eco::time_now_ms(),
    };
    let report = collect_and_store(&store, &spec, version.as_deref(), &options)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    Ok(0)
}

fn load_weights(path: Option<&Path>) -> anyhow::Result<Weights> {
    Ok(match path {
        Some(p) => Weights::load(p)?,
        None => Weights::default(),
    })
}

/// The ecosystem spec of a subject: its module path, `net/http` for the standard
/// library, `crate:NAME` for a Rust subject (the same key as the run's carried
/// observations).
pub fn module_spec(manifest: &SubjectManifest) -> ModuleSpec {
    let key = podium_pipeline::observation_subject(kind::ECOSYSTEM, manifest);
    match ModuleSpec::parse(&key) {
        Ok((spec, _)) => spec,
        Err(_) => ModuleSpec::Go(key),
    }
}

fn collect_and_store(
    store: &dyn Store,
    spec: &ModuleSpec,
    version: Option<&str>,
    options: &Options,
) -> anyhow::Result<EcoReport> {
    let bar = spinner(format!("{spec}: ecosystem"));
    let result = podium_eco::collect(spec, version, options, Some(store), &|step| {
        bar.set_message(format!("{spec}: {step}"));
    });
    bar.finish_and_clear();
    let report = result.with_context(|| format!("cannot assess the ecosystem of {spec}"))?;
    store
        .put_observation(&NewObservation {
            kind: kind::ECOSYSTEM.into(),
            subject: spec.key(),
            observed_at: options.now_ms,
            json: serde_json::to_value(&report)?,
        })
        .context("cannot store the ecosystem result")?;
    Ok(report)
}

/// Before a run: the ecosystem of each subject, reusing stored results younger than
/// [`REUSE_FOR_MS`], so that the run carries them. Failures are returned as notes; they
/// never stop the run (only a bad weights file does, before anything runs). Stops
/// between subjects once `stopped` says so (Ctrl-C).
pub fn collect_for_run(
    ctx: &Context,
    store: &dyn Store,
    subjects: &[SubjectManifest],
    sources: &EcoSourceArgs,
    stopped: &dyn Fn() -> bool,
) -> anyhow::Result<Vec<String>> {
    let mut notes = Vec::new();
    let now = podium_eco::time_now_ms();
    let options = Options {
        offline: sources.offline,
        osv_db: sources.osv_db.clone(),
        weights: load_weights(sources.eco_weights.as_deref())?,
        github_api: podium_eco::github::default_base(),
        osv_api: podium_eco::osv::default_base(),
        cache_dir: ctx.cache.clone(),
        now_ms: now,
    };
    for manifest in subjects {
        if stopped() {
            break;
        }
        let spec = module_spec(manifest);
        match store.latest_observation(kind::ECOSYSTEM, &spec.key()) {
            Ok(Some(o)) if now - o.observation.observed_at < REUSE_FOR_MS => continue,
            Ok(_) => {}
            Err(e) => {
                notes.push(format!("ecosystem of {spec}: {e}"));
                continue;
            }
        }
        if let Err(e) = collect_and_store(store, &spec, Some(&manifest.version), &options) {
            notes.push(format!(
                "ecosystem of {} not collected: {e:#}",
                manifest.name
            ));
        }
    }
    Ok(notes)
}

/// `before VALUE after`, or nothing when there is no value.
fn around(value: Option<&str>, before: &str, after: &str) -> String {
    value
        .map(|v| format!("{before}{v}{after}"))
        .unwrap_or_default()
}

fn figure(value: Option<f64>) -> String {
    match value {
        Some(v) if v.fract() == 0.0 && v.abs() >= 1.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.3}"),
        None => "missing".into(),
    }
}

fn print_signal(name: &str, s: &Signal) {
    println!(
        "  {name:<20} {:>10} {:>10} {:>6.2} {:>5}  {}{}",
        figure(s.raw),
        s.normalised.map_or("-".into(), |v| format!("{v:.3}")),
        s.weight,
        s.age.map_or("-".into(), |a| a.to_string()),
        s.source,
        around(s.note.as_deref(), " (", ")")
    );
}

fn fact_line<T>(name: &str, fact: &Fact<T>, show: impl Fn(&T) -> String) {
    let value = match &fact.value {
        Some(v) => show(v),
        None => "missing".into(),
    };
    println!(
        "  {name:<22} {value}  [{}{}]{}",
        fact.source,
        around(fact.observed_at.as_deref(), ", ", ""),
        around(fact.note.as_deref(), " (", ")")
    );
}

fn print_report(r: &EcoReport) {
    println!(
        "{} {}: ecosystem score {}  ({}, {}{})",
        r.module,
        r.version,
        r.score
            .map_or("not computed (no signal obtained)".into(), |s| format!(
                "{s:.3}"
            )),
        r.mode,
        r.observed_at,
        if r.score_without.is_empty() {
            String::new()
        } else {
            format!("; computed without {}", r.score_without.join(", "))
        }
    );
    println!(
        "  {:<20} {:>10} {:>10} {:>6} {:>5}  source",
        "signal", "raw", "normalised", "weight", "age"
    );
    print_signal("stars", &r.signals.stars);
    print_signal("forks", &r.signals.forks);
    print_signal("releases/month (6m)", &r.signals.releases_per_month);
    print_signal("decoupling", &r.signals.decoupling);
    println!("  (age: whole 30-day periods since observed; each signal counts × 0.95^age)");
    fact_line("merged PRs/month (12m)", &r.merged_prs_per_month, |v| {
        format!("{v:.1}")
    });
    fact_line("vulnerabilities", &r.vulnerabilities, |v| {
        let ids = |l: &[podium_eco::collect::Vulnerability]| {
            l.iter()
                .map(|x| format!("{} ({} {})", x.id, x.package, x.version))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "{} in the module{}; {} in {} dependencies checked{}",
            v.module.len(),
            if v.module.is_empty() {
                String::new()
            } else {
                format!(": {}", ids(&v.module))
            },
            v.dependencies.len(),
            v.dependencies_checked,
            if v.dependencies.is_empty() {
                String::new()
            } else {
                format!(": {}", ids(&v.dependencies))
            },
        )
    });
    fact_line("support", &r.support, |s| {
        format!(
            "{} ({}{}{})",
            s.status,
            s.line,
            around(s.newest_in_line.as_deref(), ", newest ", ""),
            around(s.newer_line.as_deref(), ", newer line ", "")
        )
    });
    fact_line("CVE response (days)", &r.cve_response, |list| {
        if list.is_empty() {
            return "no OSV record for the module".into();
        }
        list.iter()
            .map(|c| {
                format!(
                    "{} {}",
                    c.id,
                    c.days
                        .map_or("no fixed release found".into(), |d| format!("{d:.0}"))
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    });
    fact_line("documentation", &r.doc_coverage, |d| {
        format!(
            "{} of {} exported identifiers documented{}",
            d.counts.documented,
            d.counts.exported,
            d.share
                .map(|s| format!(" ({:.1}%)", s * 100.0))
                .unwrap_or_default()
        )
    });
    if let Some(c) = &r.coupling {
        println!(
            "  {:<22} {} packages, {} edges, entropy {:.4} = edges / (n·(n−1))",
            "import graph", c.packages, c.edges, c.entropy
        );
    }
    for m in &r.middleware {
        println!(
            "  {:<22} {} — {}: {}  [{}]",
            format!("{:?} middleware", m.purpose).to_lowercase(),
            m.module.as_deref().unwrap_or("none"),
            maintainer(m.maintainer),
            m.detail,
            m.source
        );
    }
    for n in &r.notes {
        println!("  note: {n}");
    }
}

fn maintainer(m: Maintainer) -> &'static str {
    match m {
        Maintainer::Framework => "the framework's organisation",
        Maintainer::BuiltIn => "built into the framework",
        Maintainer::OpentelemetryContrib => "OpenTelemetry contrib",
        Maintainer::ThirdParty => "third party",
        Maintainer::None => "none",
    }
}
