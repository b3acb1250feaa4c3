//! The JWT and OpenTelemetry middleware catalogue: for each bundled framework, the
//! modules a team would reach for and who maintains them. Whether each exists, its
//! newest version, and whether that version supports the pinned major version of the
//! framework are checked live through the registries (Go: the module's go.mod requires
//! the framework's module path, which names the major version; crates: the newest
//! version's dependency requirement on the framework matches the pinned version).

use crate::spec::ModuleSpec;
use crate::{EcoError, http::Http, registry};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What the middleware is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Verifying JSON Web Tokens.
    Jwt,
    /// OpenTelemetry tracing and metrics.
    Opentelemetry,
}

/// Who maintains it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Maintainer {
    /// The framework's own organisation, in a separate module.
    Framework,
    /// Part of the framework module itself.
    BuiltIn,
    /// OpenTelemetry's contrib repository.
    OpentelemetryContrib,
    /// Someone else.
    ThirdParty,
    /// Nothing known.
    None,
}

struct Candidate {
    purpose: Purpose,
    /// A Go module path, `crate:NAME`, or for built-in ones a file of the framework source.
    target: &'static str,
    maintainer: Maintainer,
    /// A release of a Go module known to exist, checked when the proxy will not resolve
    /// `@latest` (some proxies and mirrors refuse the version list of a module whose
    /// releases they do serve).
    known: Option<&'static str>,
}

const fn c(purpose: Purpose, target: &'static str, maintainer: Maintainer) -> Candidate {
    Candidate {
        purpose,
        target,
        maintainer,
        known: None,
    }
}

/// A candidate with a release known to exist (see [`Candidate::known`]).
const fn k(
    purpose: Purpose,
    target: &'static str,
    maintainer: Maintainer,
    known: &'static str,
) -> Candidate {
    Candidate {
        purpose,
        target,
        maintainer,
        known: Some(known),
    }
}

fn catalogue(framework: &str) -> Vec<Candidate> {
    use Maintainer::*;
    use Purpose::*;
    match framework {
        "github.com/gin-gonic/gin" => vec![
            c(Jwt, "github.com/appleboy/gin-jwt/v2", ThirdParty),
            c(
                Opentelemetry,
                "go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin",
                OpentelemetryContrib,
            ),
        ],
        "github.com/labstack/echo/v5" => vec![
            k(Jwt, "github.com/labstack/echo-jwt/v5", Framework, "v5.0.1"),
            c(Jwt, "github.com/labstack/echo-jwt/v4", Framework),
            // What the echo subject's OTel variant uses (subjects/go/echo/go.mod).
            k(
                Opentelemetry,
                "github.com/labstack/echo-opentelemetry",
                Framework,
                "v0.0.3",
            ),
            c(
                Opentelemetry,
                "go.opentelemetry.io/contrib/instrumentation/github.com/labstack/echo/otelecho",
                OpentelemetryContrib,
            ),
        ],
        "github.com/go-chi/chi/v5" => vec![
            c(Jwt, "github.com/go-chi/jwtauth/v5", Framework),
            c(Opentelemetry, "github.com/riandyrn/otelchi", ThirdParty),
        ],
        "github.com/gofiber/fiber/v3" => vec![
            k(
                Jwt,
                "github.com/gofiber/contrib/v3/jwt",
                Framework,
                "v1.2.1",
            ),
            c(Jwt, "github.com/gofiber/contrib/jwt", Framework),
            // What the fiber subject's OTel variant uses (subjects/go/fiber/go.mod).
            k(
                Opentelemetry,
                "github.com/gofiber/contrib/v3/otel",
                Framework,
                "v1.2.1",
            ),
            c(
                Opentelemetry,
                "github.com/gofiber/contrib/otelfiber/v2",
                Framework,
            ),
        ],
        "github.com/zeromicro/go-zero" => vec![
            c(Jwt, "rest/handler/authhandler.go", BuiltIn),
            c(Opentelemetry, "rest/handler/tracehandler.go", BuiltIn),
        ],
        "net/http" => vec![c(
            Opentelemetry,
            "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
            OpentelemetryContrib,
        )],
        "crate:axum" => vec![
            c(Jwt, "crate:axum-jwt-auth", ThirdParty),
            c(
                Opentelemetry,
                "crate:axum-tracing-opentelemetry",
                ThirdParty,
            ),
        ],
        "crate:actix-web" => vec![
            c(Jwt, "crate:actix-web-httpauth", Framework),
            c(Opentelemetry, "crate:actix-web-opentelemetry", ThirdParty),
        ],
        _ => Vec::new(),
    }
}

/// What was found for one purpose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MiddlewareFinding {
    /// JWT or OpenTelemetry.
    pub purpose: Purpose,
    /// The module checked, `None` when the catalogue knows none.
    pub module: Option<String>,
    /// Who maintains it (`none` when nothing usable was found).
    pub maintainer: Maintainer,
    /// Its newest version, when it exists.
    pub latest: Option<String>,
    /// Whether that version supports the pinned major version (`None`: not checked).
    pub supports_pinned: Option<bool>,
    /// What the check found, in words.
    pub detail: String,
    /// Where the facts come from.
    pub source: String,
}

/// Checks the catalogue's candidates for `framework` pinned at `version` (whose source
/// is in `source_dir`). For each purpose the first candidate that exists and supports
/// the pinned major version is reported; otherwise the first one that exists, else a
/// `none` finding listing what was tried.
pub fn check(
    http: &Http,
    crates: &registry::CratesIo,
    framework: &ModuleSpec,
    version: &str,
    source_dir: Option<&Path>,
) -> Vec<MiddlewareFinding> {
    let key = framework.key();
    let candidates = catalogue(&key);
    let mut findings = Vec::new();
    for purpose in [Purpose::Jwt, Purpose::Opentelemetry] {
        let mut tried = Vec::new();
        let mut fallback = None;
        let mut chosen = None;
        for candidate in candidates.iter().filter(|c| c.purpose == purpose) {
            let finding = check_one(http, crates, framework, version, source_dir, candidate);
            tried.push(format!("{} ({})", candidate.target, finding.detail));
            if finding.supports_pinned == Some(true) {
                chosen = Some(finding);
                break;
            }
            if finding.latest.is_some() && fallback.is_none() {
                fallback = Some(finding);
            }
        }
        findings.push(chosen.or(fallback).unwrap_or_else(|| MiddlewareFinding {
            purpose,
            module: None,
            maintainer: Maintainer::None,
            latest: None,
            supports_pinned: None,
            detail: if tried.is_empty() {
                "none known to Podium's catalogue".into()
            } else {
                format!("none found: {}", tried.join("; "))
            },
            source: "Podium's middleware catalogue (crates/eco/src/middleware.rs) checked against the registries".into(),
        }));
    }
    findings
}

fn check_one(
    http: &Http,
    crates: &registry::CratesIo,
    framework: &ModuleSpec,
    version: &str,
    source_dir: Option<&Path>,
    candidate: &Candidate,
) -> MiddlewareFinding {
    let mut finding = MiddlewareFinding {
        purpose: candidate.purpose,
        module: Some(candidate.target.to_string()),
        maintainer: candidate.maintainer,
        latest: None,
        supports_pinned: None,
        detail: String::new(),
        source: String::new(),
    };
    if candidate.maintainer == Maintainer::BuiltIn {
        finding.source = format!("the {framework} {version} source");
        let present = source_dir.is_some_and(|d| d.join(candidate.target).is_file());
        finding.latest = present.then(|| version.to_string());
        finding.supports_pinned = source_dir.map(|_| present);
        finding.detail = match (source_dir, present) {
            (None, _) => "source not available, not checked".into(),
            (_, true) => format!("part of {framework} {version} ({})", candidate.target),
            (_, false) => format!("{} is not in {framework} {version}", candidate.target),
        };
        return finding;
    }
    let result = match candidate.target.strip_prefix("crate:") {
        Some(name) => check_crate(http, crates, framework, version, name, &mut finding),
        None => check_go(framework, candidate.target, candidate.known, &mut finding),
    };
    if let Err(e) = result {
        finding.detail = match e {
            EcoError::NotFound(_) => "does not exist in the registry".into(),
            other => format!("not checked: {other}"),
        };
    }
    finding
}

fn check_go(
    framework: &ModuleSpec,
    module: &str,
    known: Option<&str>,
    finding: &mut MiddlewareFinding,
) -> Result<(), EcoError> {
    finding.source = format!("Go module proxy ({module}@latest and its go.mod)");
    // Which release is checked, and a note when it is not the proxy's `@latest`.
    let (latest, caveat) = match (registry::go_latest(module), known) {
        (Ok(latest), _) => (latest, String::new()),
        (Err(e), Some(known)) => {
            let release = registry::go_release_times(module, &[known.to_string()])?
                .pop()
                // Neither the newest nor the known release: the module is not there.
                .ok_or(e)?;
            finding.source =
                format!("Go module proxy ({module}@{known} and its go.mod; no version list)");
            (
                release,
                "; the proxy would not list its versions, so this is a release Podium knows, \
                 perhaps not the newest"
                    .to_string(),
            )
        }
        (Err(e), None) => return Err(e),
    };
    let download = registry::go_download(module, &latest.version)?;
    let go_mod =
        std::fs::read_to_string(&download.go_mod).map_err(|e| EcoError::io(&download.go_mod, e))?;
    let requires = registry::go_mod_requires(&go_mod);
    finding.latest = Some(latest.version.clone());
    let released = crate::time::date(latest.published_at);
    let ModuleSpec::Go(path) = framework else {
        finding.supports_pinned = Some(true);
        finding.detail = format!(
            "{} ({released}) wraps the standard library{caveat}",
            latest.version
        );
        return Ok(());
    };
    let base = major_base(path);
    if let Some((_, v)) = requires.iter().find(|(p, _)| p == path) {
        finding.supports_pinned = Some(true);
        finding.detail = format!("{} ({released}) requires {path} {v}", latest.version);
    } else {
        finding.supports_pinned = Some(false);
        let other = requires.iter().find(|(p, _)| major_base(p) == base);
        finding.detail = match other {
            Some((p, v)) => format!(
                "{} ({released}) requires {p} {v}, another major version",
                latest.version
            ),
            None => format!("{} ({released}) does not require {path}", latest.version),
        };
    }
    finding.detail.push_str(&caveat);
    Ok(())
}

/// A Go module path without its `/vN` major suffix.
fn major_base(path: &str) -> &str {
    match path.rsplit_once('/') {
        Some((base, last))
            if last.len() > 1
                && last.starts_with('v')
                && last[1..].bytes().all(|b| b.is_ascii_digit()) =>
        {
            base
        }
        _ => path,
    }
}

fn check_crate(
    http: &Http,
    crates: &registry::CratesIo,
    framework: &ModuleSpec,
    version: &str,
    name: &str,
    finding: &mut MiddlewareFinding,
) -> Result<(), EcoError> {
    finding.source = format!("crates.io index ({name})");
    let versions = crates.versions(http, name)?;
    let latest = versions
        .iter()
        .filter(|v| !v.yanked)
        .filter_map(|v| Some((semver::Version::parse(&v.vers).ok()?, v)))
        .filter(|(s, _)| s.pre.is_empty())
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, v)| v)
        .ok_or_else(|| EcoError::NotFound(format!("{name} has no release")))?;
    finding.latest = Some(latest.vers.clone());
    let ModuleSpec::Crate(framework_name) = framework else {
        return Ok(());
    };
    let pinned = semver::Version::parse(version).ok();
    let dep = latest
        .deps
        .iter()
        .find(|d| d.crate_name() == framework_name && d.kind.as_deref() != Some("dev"));
    match (dep, pinned) {
        (Some(dep), Some(pinned)) => {
            let matches = semver::VersionReq::parse(&dep.req).is_ok_and(|r| r.matches(&pinned));
            finding.supports_pinned = Some(matches);
            finding.detail = format!(
                "{} requires {framework_name} {}{}",
                latest.vers,
                dep.req,
                if matches {
                    ""
                } else {
                    ", not the pinned version"
                }
            );
        }
        (None, _) => {
            finding.supports_pinned = Some(false);
            finding.detail = format!("{} does not depend on {framework_name}", latest.vers);
        }
        (Some(dep), None) => {
            finding.detail = format!("{} requires {framework_name} {}", latest.vers, dep.req);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn major_suffixes() {
        assert_eq!(
            major_base("github.com/labstack/echo/v5"),
            "github.com/labstack/echo"
        );
        assert_eq!(
            major_base("github.com/gin-gonic/gin"),
            "github.com/gin-gonic/gin"
        );
        assert_eq!(major_base("github.com/x/vendor"), "github.com/x/vendor");
    }

    #[test]
    fn every_bundled_framework_is_catalogued() {
        for key in [
            "github.com/gin-gonic/gin",
            "github.com/labstack/echo/v5",
            "github.com/go-chi/chi/v5",
            "github.com/gofiber/fiber/v3",
            "github.com/zeromicro/go-zero",
            "net/http",
            "crate:axum",
            "crate:actix-web",
        ] {
            assert!(!catalogue(key).is_empty(), "{key}");
        }
    }
}
