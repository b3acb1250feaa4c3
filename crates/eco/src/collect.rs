//! Collects every signal and fact about one module into an [`EcoReport`].
//!
//! Registries are always used live. GitHub and OSV are used unless `offline`; when
//! they cannot be reached (or fail), their figures fall back to the bundled snapshot
//! (GitHub) or are shown as not checked (OSV), each with a note; the command never
//! fails for them.

use crate::decoupling::Coupling;
use crate::doccov::DocCoverage;
use crate::github::GitHub;
use crate::middleware::MiddlewareFinding;
use crate::model::{self, Weights};
use crate::osv::{self, OsvSource};
use crate::registry::{self, CratesIo, Release};
use crate::snapshot::{Snapshot, SnapshotFigure};
use crate::spec::{ModuleSpec, github_repo_of_url};
use crate::time::{date, timestamp};
use crate::{EcoError, http::Http};
use podium_store::Store;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// How to collect.
#[derive(Debug, Clone)]
pub struct Options {
    /// Use only the snapshot and the registries.
    pub offline: bool,
    /// A local OSV database folder instead of the OSV API.
    pub osv_db: Option<PathBuf>,
    /// The model's weights.
    pub weights: Weights,
    /// GitHub API base.
    pub github_api: String,
    /// OSV API base.
    pub osv_api: String,
    /// Where downloaded crates are unpacked.
    pub cache_dir: PathBuf,
    /// Now, Unix milliseconds.
    pub now_ms: i64,
}

/// One signal of the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// The figure as measured (stars, forks, releases per month, 1 − entropy).
    pub raw: Option<f64>,
    /// Normalised to [0, 1] by DESIGN.md's formula.
    pub normalised: Option<f64>,
    /// Its weight in the model.
    pub weight: f64,
    /// Whole 30-day periods since it was observed.
    pub age: Option<u32>,
    /// `normalised · 0.95^age`, what the score uses.
    pub decayed: Option<f64>,
    /// Where it comes from.
    pub source: String,
    /// When it was observed (RFC 3339, UTC).
    pub observed_at: Option<String>,
    /// Why it is missing, or what else to know.
    pub note: Option<String>,
}

/// The four signals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signals {
    /// GitHub stargazers.
    pub stars: Signal,
    /// GitHub forks.
    pub forks: Signal,
    /// Releases per month over the last 6 months.
    pub releases_per_month: Signal,
    /// `1 − coupling entropy` of the module's own import graph.
    pub decoupling: Signal,
}

/// A reported fact that is not scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact<T> {
    /// The value; `None` when it could not be obtained.
    pub value: Option<T>,
    /// Where it comes from.
    pub source: String,
    /// When it was observed (RFC 3339 or a date).
    pub observed_at: Option<String>,
    /// Why it is missing, or how to read it.
    pub note: Option<String>,
}

/// A vulnerability affecting the pinned version of the module or a dependency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    /// OSV id.
    pub id: String,
    /// The affected package (the module or a dependency).
    pub package: String,
    /// Its version in use.
    pub version: String,
    /// Versions that fix it.
    pub fixed: Vec<String>,
}

/// Vulnerabilities found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vulnerabilities {
    /// Records affecting the pinned version of the module itself.
    pub module: Vec<Vulnerability>,
    /// Records affecting the versions of its dependencies.
    pub dependencies: Vec<Vulnerability>,
    /// How many dependencies were checked.
    pub dependencies_checked: usize,
}

/// Days from an OSV record's publication to the first release fixing it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CveResponse {
    /// OSV id.
    pub id: String,
    /// Publication date.
    pub published: String,
    /// The first fixed version (by release date), when one was released.
    pub fixed_version: Option<String>,
    /// Its release date.
    pub fixed_released: Option<String>,
    /// Days from publication to that release (negative: fixed before disclosure).
    pub days: Option<f64>,
}

/// Documentation coverage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocCoverageFact {
    /// Exported identifiers and documented ones.
    #[serde(flatten)]
    pub counts: DocCoverage,
    /// `documented / exported`.
    pub share: Option<f64>,
}

/// Support status of the pinned major version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Support {
    /// `supported`, `superseded` (a newer major exists and the pinned line still
    /// receives releases) or `unmaintained` (a newer major exists and the pinned line had
    /// no release in 12 months; for Go itself: two newer releases exist).
    pub status: String,
    /// The pinned major line (`v1`, `0.8`, `go1.26`).
    pub line: String,
    /// The newest release of that line.
    pub newest_in_line: Option<String>,
    /// The newest major line, when newer.
    pub newer_line: Option<String>,
}

/// Everything `podium eco` reports about a module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EcoReport {
    /// The module (`github.com/gin-gonic/gin`, `net/http`, `crate:axum`).
    pub module: String,
    /// The version examined.
    pub version: String,
    /// When collected (RFC 3339, UTC).
    pub observed_at: String,
    /// `live` or `offline`.
    pub mode: String,
    /// The weighted score in [0, 1] over the signals obtained; `None` when none was.
    pub score: Option<f64>,
    /// The signals left out of the score, when any.
    pub score_without: Vec<String>,
    /// The weights used.
    pub weights: Weights,
    /// The model's signals.
    pub signals: Signals,
    /// The module's own import graph.
    pub coupling: Option<Coupling>,
    /// Merged pull requests per month over 12 months.
    pub merged_prs_per_month: Fact<f64>,
    /// Known vulnerabilities (OSV); `None` value: not checked.
    pub vulnerabilities: Fact<Vulnerabilities>,
    /// Support status of the pinned major version.
    pub support: Fact<Support>,
    /// JWT and OpenTelemetry middleware.
    pub middleware: Vec<MiddlewareFinding>,
    /// CVE response times.
    pub cve_response: Fact<Vec<CveResponse>>,
    /// Documentation coverage of the pinned source.
    pub doc_coverage: Fact<DocCoverageFact>,
    /// What could not be done and why.
    pub notes: Vec<String>,
}

struct Source {
    dir: Option<PathBuf>,
    /// Dependencies (name, version in use).
    deps: Vec<(String, String)>,
    /// `owner/repo` named by the crate.
    repository: Option<(String, String)>,
    releases: Vec<Release>,
}

fn missing_signal(weight: f64, source: &str, note: String) -> Signal {
    Signal {
        raw: None,
        normalised: None,
        weight,
        age: None,
        decayed: None,
        source: source.into(),
        observed_at: None,
        note: Some(note),
    }
}

fn signal(
    weight: f64,
    raw: f64,
    normalised: f64,
    observed_at: i64,
    now: i64,
    source: String,
    note: Option<String>,
) -> Signal {
    let age = model::age_periods(observed_at, now);
    Signal {
        raw: Some(raw),
        normalised: Some(normalised),
        weight,
        age: Some(age),
        decayed: Some(normalised * model::decay(age)),
        source,
        observed_at: Some(timestamp(observed_at)),
        note,
    }
}

fn snapshot_signal(
    weight: f64,
    figure: Option<&SnapshotFigure>,
    normalise: fn(f64) -> f64,
    now: i64,
    why: &str,
) -> Signal {
    let dated = figure.and_then(|f| {
        Some((
            f.value?,
            crate::time::parse_rfc3339(f.observed_at.as_deref()?)?,
            f,
        ))
    });
    match dated {
        Some((value, at, f)) => signal(
            weight,
            value,
            normalise(value),
            at,
            now,
            format!("snapshot: {}", f.source),
            Some(why.to_string()),
        ),
        None => missing_signal(
            weight,
            "snapshot",
            format!(
                "{why}; the snapshot has no sourced figure{}",
                figure
                    .map(|f| format!(" ({})", f.source))
                    .unwrap_or_default()
            ),
        ),
    }
}

/// Collects the report for `spec` at `version` (the newest release when `None`).
pub fn collect(
    spec: &ModuleSpec,
    version: Option<&str>,
    options: &Options,
    store: Option<&dyn Store>,
    progress: &dyn Fn(&str),
) -> Result<EcoReport, EcoError> {
    let http = Http::new();
    let crates = CratesIo::default();
    let now = options.now_ms;
    let mut notes = Vec::new();
    let weights = options.weights;

    progress("registry: releases");
    let source = fetch_source(&http, &crates, spec, version, options, &mut notes)?;
    let version = source_version(spec, version, &source.releases)?;
    let registry_name = match spec {
        ModuleSpec::Go(_) => "Go module proxy",
        ModuleSpec::GoStd(_) => "Go module proxy (golang.org/toolchain releases)",
        ModuleSpec::Crate(_) => "crates.io index",
    };

    let (count, rate) = registry::releases_per_month(&source.releases, now, 6);
    let releases_signal = signal(
        weights.releases,
        rate,
        model::normalise_releases(rate),
        now,
        now,
        format!(
            "{registry_name}: {count} releases in the 6 months (180 days) before {}",
            date(now)
        ),
        None,
    );

    progress("decoupling: import graph");
    let coupling = match (&source.dir, spec) {
        (Some(dir), ModuleSpec::Go(path)) => crate::decoupling::go_module(dir, path),
        (Some(dir), ModuleSpec::GoStd(pkg)) => {
            let src = dir
                .ancestors()
                .nth(pkg.split('/').count())
                .map(PathBuf::from)
                .unwrap_or_else(|| dir.clone());
            crate::decoupling::go_graph(&src, pkg, &format!("{pkg}/..."))
                .map(|g| Coupling::of_graph(&g))
        }
        (Some(dir), ModuleSpec::Crate(_)) => crate::decoupling::rust_crate(dir),
        (None, _) => Err(EcoError::NotFound("no source to read".into())),
    };
    let (coupling, decoupling_signal) = match coupling {
        Ok(c) => {
            let s = signal(
                weights.decoupling,
                c.decoupling(),
                c.decoupling(),
                now,
                now,
                format!(
                    "import graph of {spec} {version}: {} packages, {} edges, entropy {:.4}",
                    c.packages, c.edges, c.entropy
                ),
                None,
            );
            (Some(c), s)
        }
        Err(e) => {
            notes.push(format!("decoupling not measured: {e}"));
            (
                None,
                missing_signal(weights.decoupling, "import graph", e.to_string()),
            )
        }
    };

    progress("documentation coverage");
    let doc_source = format!("exported identifiers in the {spec} {version} source");
    let doc_coverage = match (&source.dir, spec) {
        (Some(dir), ModuleSpec::Crate(_)) => crate::doccov::rust_source(dir),
        (Some(dir), _) => crate::doccov::go_source(dir),
        (None, _) => Err(EcoError::NotFound("no source to read".into())),
    };
    let doc_coverage = match doc_coverage {
        Ok(counts) => Fact {
            value: Some(DocCoverageFact {
                share: counts.share(),
                counts,
            }),
            source: doc_source,
            observed_at: Some(timestamp(now)),
            note: None,
        },
        Err(e) => Fact {
            value: None,
            source: doc_source,
            observed_at: None,
            note: Some(e.to_string()),
        },
    };

    let support = support_status(spec, &version, &source.releases, now);

    // GitHub.
    progress("GitHub: stars, forks, merged pull requests");
    let snapshot = Snapshot::bundled()?;
    let snap = snapshot.module(&spec.key());
    let repo = spec
        .github_repo()
        .or(source.repository.clone())
        .or_else(|| {
            snap.and_then(|s| s.repository.as_deref()).and_then(|r| {
                let (o, n) = r.split_once('/')?;
                Some((o.to_string(), n.to_string()))
            })
        });
    let (stars, forks, merged) = github_signals(
        &http,
        store,
        options,
        repo.as_ref(),
        snap,
        &snapshot.taken,
        &mut notes,
    );

    // OSV.
    progress("OSV: vulnerabilities");
    let mut osv_source = match (&options.osv_db, options.offline) {
        (Some(dir), _) => Some(OsvSource::dir(dir)),
        (None, false) => Some(OsvSource::Api {
            http: &http,
            base: options.osv_api.clone(),
        }),
        (None, true) => None,
    };
    // OSV's Go records are the Go vulnerability database's, which the module proxy (a
    // registry) serves: a Go module is checked against it when offline or when the OSV
    // API does not answer.
    if options.osv_db.is_none() && matches!(spec, ModuleSpec::Go(_) | ModuleSpec::GoStd(_)) {
        let (ecosystem, package) = spec.osv_package();
        let why = match &osv_source {
            Some(api) => api
                .records(ecosystem, &package)
                .err()
                .map(|e| e.to_string()),
            None => Some("offline".to_string()),
        };
        if let Some(why) = why {
            progress("OSV: the Go vulnerability database from the module proxy");
            match OsvSource::go_vulndb() {
                Ok(db) => {
                    notes.push(format!(
                        "vulnerabilities from the {} instead of the OSV API ({why})",
                        db.describe()
                    ));
                    osv_source = Some(db);
                }
                Err(e) => notes.push(format!(
                    "the Go vulnerability database could not be read from the module proxy either: {e}"
                )),
            }
        }
    }
    let (vulnerabilities, cve_response) = osv_facts(
        spec,
        &version,
        &source,
        osv_source.as_ref(),
        &http,
        &crates,
        now,
        &mut notes,
    );

    progress("middleware: JWT and OpenTelemetry");
    let middleware =
        crate::middleware::check(&http, &crates, spec, &version, source.dir.as_deref());

    let signals = Signals {
        stars,
        forks,
        releases_per_month: releases_signal,
        decoupling: decoupling_signal,
    };
    let parts = [
        ("stars", &signals.stars),
        ("forks", &signals.forks),
        ("releases_per_month", &signals.releases_per_month),
        ("decoupling", &signals.decoupling),
    ];
    let score = model::weighted_score(
        &parts
            .iter()
            .map(|(_, s)| (s.weight, s.decayed))
            .collect::<Vec<_>>(),
    );
    let score_without = parts
        .iter()
        .filter(|(_, s)| s.decayed.is_none())
        .map(|(n, _)| n.to_string())
        .collect();
    Ok(EcoReport {
        module: spec.key(),
        version,
        observed_at: timestamp(now),
        mode: if options.offline { "offline" } else { "live" }.into(),
        score,
        score_without,
        weights,
        signals,
        coupling,
        merged_prs_per_month: merged,
        vulnerabilities,
        support,
        middleware,
        cve_response,
        doc_coverage,
        notes,
    })
}

fn source_version(
    spec: &ModuleSpec,
    version: Option<&str>,
    releases: &[Release],
) -> Result<String, EcoError> {
    if let Some(v) = version {
        return Ok(v.to_string());
    }
    let newest = releases
        .iter()
        .filter(|r| match spec {
            ModuleSpec::GoStd(_) => !r.version.contains("rc") && !r.version.contains("beta"),
            _ => semver::Version::parse(r.version.trim_start_matches('v'))
                .is_ok_and(|v| v.pre.is_empty()),
        })
        .max_by_key(|r| r.published_at);
    newest
        .map(|r| r.version.clone())
        .ok_or_else(|| EcoError::NotFound(format!("the registry lists no release of {spec}")))
}

fn fetch_source(
    http: &Http,
    crates: &CratesIo,
    spec: &ModuleSpec,
    version: Option<&str>,
    options: &Options,
    notes: &mut Vec<String>,
) -> Result<Source, EcoError> {
    match spec {
        ModuleSpec::Go(path) => {
            let mut releases = registry::go_releases(path)?;
            let version = match version {
                Some(v) => v.to_string(),
                None => registry::go_latest(path)?.version,
            };
            if !releases.iter().any(|r| r.version == version) {
                // The proxy's version list can lag behind its .info files.
                releases.extend(registry::go_release_times(
                    path,
                    std::slice::from_ref(&version),
                )?);
                notes.push(format!(
                    "the Go module proxy's version list of {path} does not include {version}; its release date was read from its .info and counted"
                ));
            }
            let download = registry::go_download(path, &version)?;
            let go_mod = std::fs::read_to_string(&download.go_mod)
                .map_err(|e| EcoError::io(&download.go_mod, e))?;
            Ok(Source {
                dir: Some(download.dir),
                deps: registry::go_mod_requires(&go_mod),
                repository: None,
                releases,
            })
        }
        ModuleSpec::GoStd(pkg) => {
            let releases = registry::go_toolchain_releases()?;
            let (dir, local) = registry::go_std_source(pkg)?;
            if let Some(v) = version
                && v != local
            {
                notes.push(format!(
                    "the source read is the local Go toolchain's ({local}), not {v}: install {v} to read that one"
                ));
            }
            Ok(Source {
                dir: Some(dir),
                deps: Vec::new(),
                repository: None,
                releases,
            })
        }
        ModuleSpec::Crate(name) => {
            let versions = crates.versions(http, name)?;
            let releases = registry::crate_releases(&versions);
            let pinned = match version {
                Some(v) => v.to_string(),
                None => source_version(spec, None, &releases)?,
            };
            let entry = versions.iter().find(|v| v.vers == pinned).ok_or_else(|| {
                EcoError::NotFound(format!("crates.io has no version {pinned} of {name}"))
            })?;
            let deps = entry
                .deps
                .iter()
                .filter(|d| d.kind.as_deref().is_none_or(|k| k == "normal"))
                .map(|d| (d.crate_name().to_string(), d.req.clone()))
                .collect();
            let dir = match crates.source(http, &options.cache_dir, name, &pinned) {
                Ok(dir) => Some(dir),
                Err(e) => {
                    notes.push(format!(
                        "the {name} {pinned} source could not be downloaded: {e}"
                    ));
                    None
                }
            };
            let repository = dir
                .as_deref()
                .and_then(registry::crate_repository)
                .and_then(|u| github_repo_of_url(&u));
            Ok(Source {
                dir,
                deps,
                repository,
                releases,
            })
        }
    }
}

fn major_line(spec: &ModuleSpec, version: &str) -> String {
    match spec {
        ModuleSpec::GoStd(_) => {
            let v = version.trim_start_matches("go");
            let mut parts = v.split('.');
            format!(
                "go{}.{}",
                parts.next().unwrap_or("1"),
                parts
                    .next()
                    .unwrap_or("0")
                    .split(|c: char| !c.is_ascii_digit())
                    .next()
                    .unwrap_or("0")
            )
        }
        _ => match semver::Version::parse(version.trim_start_matches('v')) {
            Ok(v) if v.major > 0 => format!(
                "{}{}",
                if matches!(spec, ModuleSpec::Go(_)) {
                    "v"
                } else {
                    ""
                },
                v.major
            ),
            Ok(v) => format!(
                "{}0.{}",
                if matches!(spec, ModuleSpec::Go(_)) {
                    "v"
                } else {
                    ""
                },
                v.minor
            ),
            Err(_) => version.to_string(),
        },
    }
}

fn support_status(
    spec: &ModuleSpec,
    version: &str,
    releases: &[Release],
    now: i64,
) -> Fact<Support> {
    let line = major_line(spec, version);
    let stable: Vec<&Release> = releases
        .iter()
        .filter(|r| {
            !r.version.contains("rc") && !r.version.contains("beta") && !r.version.contains('-')
        })
        .collect();
    let in_line = stable
        .iter()
        .filter(|r| major_line(spec, &r.version) == line)
        .max_by_key(|r| r.published_at);
    let mut lines: Vec<String> = stable
        .iter()
        .map(|r| major_line(spec, &r.version))
        .collect();
    lines.sort_by_key(|l| {
        l.trim_start_matches(['v', 'g', 'o'])
            .split('.')
            .map(|p| p.parse::<u64>().unwrap_or(0))
            .collect::<Vec<_>>()
    });
    lines.dedup();
    let newer: Vec<&String> = lines.iter().skip_while(|l| **l != line).skip(1).collect();
    let (status, source, note) = match spec {
        ModuleSpec::GoStd(_) => (
            if newer.len() >= 2 {
                "unmaintained"
            } else {
                "supported"
            },
            "Go release policy (each release is supported until two newer major releases exist) applied to golang.org/toolchain versions",
            None,
        ),
        ModuleSpec::Go(_) => (
            match (newer.is_empty(), in_line) {
                (true, _) => "supported",
                (false, Some(r)) if now - r.published_at < 365 * crate::time::DAY_MS => {
                    "superseded"
                }
                _ => "unmaintained",
            },
            "Go module proxy releases of this module path (a new major version of a Go module is a new path, /vN, not listed here)",
            Some("a newer major version has another module path; it is not looked up".to_string()),
        ),
        ModuleSpec::Crate(_) => (
            match (newer.is_empty(), in_line) {
                (true, _) => "supported",
                (false, Some(r)) if now - r.published_at < 365 * crate::time::DAY_MS => {
                    "superseded"
                }
                _ => "unmaintained",
            },
            "crates.io index releases",
            None,
        ),
    };
    Fact {
        value: Some(Support {
            status: status.into(),
            line,
            newest_in_line: in_line.map(|r| format!("{} ({})", r.version, date(r.published_at))),
            newer_line: newer.last().map(|l| l.to_string()),
        }),
        source: source.into(),
        observed_at: Some(timestamp(now)),
        note,
    }
}

#[allow(clippy::too_many_arguments)]
fn github_signals(
    http: &Http,
    store: Option<&dyn Store>,
    options: &Options,
    repo: Option<&(String, String)>,
    snap: Option<&crate::snapshot::SnapshotModule>,
    taken: &str,
    notes: &mut Vec<String>,
) -> (Signal, Signal, Fact<f64>) {
    let w = options.weights;
    let now = options.now_ms;
    let snapshot_all = |why: String, notes: &mut Vec<String>| {
        notes.push(format!(
            "{why}: stars, forks and merged pull requests from the snapshot of {taken}"
        ));
        let merged = snap.map(|s| &s.merged_prs_per_month);
        (
            snapshot_signal(
                w.stars,
                snap.map(|s| &s.stars),
                model::normalise_stars,
                now,
                &why,
            ),
            snapshot_signal(
                w.forks,
                snap.map(|s| &s.forks),
                model::normalise_forks,
                now,
                &why,
            ),
            Fact {
                value: merged.and_then(|m| m.value),
                source: merged
                    .map(|m| format!("snapshot: {}", m.source))
                    .unwrap_or_else(|| "snapshot".into()),
                observed_at: merged.and_then(|m| m.observed_at.clone()),
                note: Some(why.clone()),
            },
        )
    };
    // When GitHub cannot answer, its last answer kept in the store (ETag cache) is newer
    // than the snapshot: stars and forks come from it, dated when it was fetched.
    let cached = repo.zip(store).and_then(|((owner, name), store)| {
        let url = format!(
            "{}/repos/{owner}/{name}",
            options.github_api.trim_end_matches('/')
        );
        let kept = store.cached_response(&url).ok()??;
        let value: serde_json::Value = serde_json::from_slice(&kept.body).ok()?;
        Some((
            value.get("stargazers_count")?.as_u64()?,
            value.get("forks_count")?.as_u64()?,
            kept.fetched_at,
            url,
        ))
    });
    let fallback = |why: String, notes: &mut Vec<String>| {
        let (mut stars, mut forks, merged) = snapshot_all(why.clone(), notes);
        if let Some((s, f, at, url)) = &cached {
            notes.pop();
            notes.push(format!(
                "{why}: stars and forks from GitHub's answer kept in the store ({}), merged pull requests from the snapshot of {taken}",
                date(*at)
            ));
            let source = format!(
                "GitHub API answer kept in the store ({url}, fetched {})",
                timestamp(*at)
            );
            stars = signal(
                w.stars,
                *s as f64,
                model::normalise_stars(*s as f64),
                *at,
                now,
                source.clone(),
                Some(why.clone()),
            );
            forks = signal(
                w.forks,
                *f as f64,
                model::normalise_forks(*f as f64),
                *at,
                now,
                source,
                Some(why),
            );
        }
        (stars, forks, merged)
    };
    if options.offline {
        return snapshot_all("offline".into(), notes);
    }
    let Some((owner, name)) = repo else {
        return snapshot_all(
            "no GitHub repository is known for this module".into(),
            notes,
        );
    };
    let github = GitHub::new(http, &options.github_api, store);
    let stats = match github.repo(owner, name) {
        Ok(s) => s,
        Err(e) if e.is_unreachable() => {
            return fallback(
                format!("GitHub API unreachable ({})", options.github_api),
                notes,
            );
        }
        Err(e) => return fallback(format!("GitHub API failed: {e}"), notes),
    };
    let source = format!("GitHub API {}/repos/{owner}/{name}", options.github_api);
    let stars = signal(
        w.stars,
        stats.stars as f64,
        model::normalise_stars(stats.stars as f64),
        now,
        now,
        source.clone(),
        None,
    );
    let forks = signal(
        w.forks,
        stats.forks as f64,
        model::normalise_forks(stats.forks as f64),
        now,
        now,
        source,
        None,
    );
    let merged = match github.merged_prs(owner, name, now, 12) {
        Ok(m) => Fact {
            value: Some(m.per_month()),
            source: format!(
                "GitHub API {}/repos/{owner}/{name}/pulls ({} merged in 12 × 30 days, {} pages{})",
                options.github_api,
                m.count,
                m.pages,
                if m.searched {
                    ", the last one the search API's total_count"
                } else {
                    ""
                }
            ),
            observed_at: Some(timestamp(now)),
            note: None,
        },
        Err(e) => {
            notes.push(format!("merged pull requests not counted: {e}"));
            Fact {
                value: None,
                source: "GitHub API".into(),
                observed_at: None,
                note: Some(e.to_string()),
            }
        }
    };
    (stars, forks, merged)
}

#[allow(clippy::too_many_arguments)]
fn osv_facts(
    spec: &ModuleSpec,
    version: &str,
    source: &Source,
    osv: Option<&OsvSource<'_>>,
    http: &Http,
    crates: &CratesIo,
    now: i64,
    notes: &mut Vec<String>,
) -> (Fact<Vulnerabilities>, Fact<Vec<CveResponse>>) {
    let not_checked = |why: String| {
        (
            Fact {
                value: None,
                source: "OSV".into(),
                observed_at: None,
                note: Some(format!("not checked: {why}")),
            },
            Fact {
                value: None,
                source: "OSV and the registry".into(),
                observed_at: None,
                note: Some(format!("not checked: {why}")),
            },
        )
    };
    let Some(osv) = osv else {
        return not_checked(
            "offline without --osv-db (and, for a Go module, without the Go vulnerability database)"
                .into(),
        );
    };
    let (ecosystem, package) = spec.osv_package();
    let records = match osv.records(ecosystem, &package) {
        Ok(r) => r,
        Err(e) => {
            notes.push(format!("vulnerabilities not checked: {e}"));
            return not_checked(e.to_string());
        }
    };
    let module: Vec<Vulnerability> = records
        .iter()
        .filter(|r| osv::affects(r, ecosystem, &package, version))
        .map(|r| Vulnerability {
            id: osv::id_of(r),
            package: package.clone(),
            version: version.to_string(),
            fixed: osv::fixed_versions(r, ecosystem, &package),
        })
        .collect();
    let mut dependencies = Vec::new();
    let mut checked = 0;
    let mut dep_error = None;
    for (dep, requirement) in &source.deps {
        let dep_version = match spec {
            ModuleSpec::Crate(_) => match resolve_crate(http, crates, dep, requirement) {
                Some(v) => v,
                None => continue,
            },
            _ => requirement.clone(),
        };
        match osv.records(ecosystem, dep) {
            Ok(rs) => {
                checked += 1;
                dependencies.extend(
                    rs.iter()
                        .filter(|r| osv::affects(r, ecosystem, dep, &dep_version))
                        .map(|r| Vulnerability {
                            id: osv::id_of(r),
                            package: dep.clone(),
                            version: dep_version.clone(),
                            fixed: osv::fixed_versions(r, ecosystem, dep),
                        }),
                );
            }
            Err(e) => {
                dep_error = Some(e.to_string());
                break;
            }
        }
    }
    let mut note = None;
    if let Some(e) = dep_error {
        note = Some(format!(
            "only {checked} of {} dependencies checked: {e}",
            source.deps.len()
        ));
        notes.push(format!("dependency vulnerabilities incomplete: {e}"));
    }
    if matches!(spec, ModuleSpec::Crate(_)) {
        let n = note.take().map(|n| format!("{n}; ")).unwrap_or_default();
        note = Some(format!(
            "{n}dependency versions are the newest matching each requirement, as a fresh resolve picks"
        ));
    }
    let vulns = Fact {
        value: Some(Vulnerabilities {
            module: module.clone(),
            dependencies,
            dependencies_checked: checked,
        }),
        source: osv.describe(),
        observed_at: Some(timestamp(now)),
        note,
    };
    // CVE response: every record of the module, not only those affecting the pin.
    let mut responses = Vec::new();
    let mut undated = 0;
    for record in &records {
        // The Go vulnerability database writes 0001-01-01 where it has no date.
        let Some(published) = record
            .get("published")
            .and_then(|p| p.as_str())
            .and_then(crate::time::parse_rfc3339)
            .filter(|&t| t > 0)
        else {
            undated += 1;
            continue;
        };
        let fixed = osv::fixed_versions(record, ecosystem, &package);
        let dated: Vec<(String, i64)> = fixed
            .iter()
            .filter_map(|f| {
                let wanted = match spec {
                    ModuleSpec::Go(_) => format!("v{}", f.trim_start_matches('v')),
                    ModuleSpec::GoStd(_) => format!("go{}", f.trim_start_matches('v')),
                    ModuleSpec::Crate(_) => f.clone(),
                };
                let found = source
                    .releases
                    .iter()
                    .find(|r| r.version == wanted)
                    .map(|r| r.published_at);
                let found = match (found, spec) {
                    (None, ModuleSpec::Go(path)) => {
                        registry::go_release_times(path, std::slice::from_ref(&wanted))
                            .ok()
                            .and_then(|mut r| r.pop())
                            .map(|r| r.published_at)
                    }
                    (found, _) => found,
                };
                Some((wanted, found?))
            })
            .collect();
        let first = dated.iter().min_by_key(|(_, t)| *t);
        responses.push(CveResponse {
            id: osv::id_of(record),
            published: date(published),
            fixed_version: first.map(|(v, _)| v.clone()),
            fixed_released: first.map(|(_, t)| date(*t)),
            days: first.map(|(_, t)| {
                ((*t - published) as f64 / crate::time::DAY_MS as f64 * 10.0).round() / 10.0
            }),
        });
    }
    let cve = Fact {
        value: Some(responses),
        source: format!(
            "{} (published) and the registry (release dates of fixed versions)",
            osv.describe()
        ),
        observed_at: Some(timestamp(now)),
        note: {
            let mut parts = Vec::new();
            if undated > 0 {
                parts.push(format!(
                    "{undated} record(s) without a publication date are not timed"
                ));
            }
            if matches!(spec, ModuleSpec::GoStd(_)) {
                parts.push(format!(
                    "only Go's newest {} releases are dated; a record fixed in an older one has no response time",
                    registry::DATED_RELEASES
                ));
            }
            (!parts.is_empty()).then(|| parts.join("; "))
        },
    };
    (vulns, cve)
}

/// The newest non-yanked version of `name` matching `requirement`.
fn resolve_crate(http: &Http, crates: &CratesIo, name: &str, requirement: &str) -> Option<String> {
    let req = semver::VersionReq::parse(requirement).ok()?;
    crates
        .versions(http, name)
        .ok()?
        .into_iter()
        .filter(|v| !v.yanked)
        .filter_map(|v| semver::Version::parse(&v.vers).ok())
        .filter(|v| req.matches(v))
        .max()
        .map(|v| v.to_string())
}
