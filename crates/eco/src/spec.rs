//! What `podium eco` is asked about: a Go module path, a standard-library package
//! (`net/http`), or `crate:NAME`, each optionally pinned with `@VERSION`.

use crate::EcoError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which registry and ecosystem a module belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
pub enum ModuleSpec {
    /// A Go module fetched through the module proxy (`github.com/gin-gonic/gin`).
    Go(String),
    /// A package of the Go standard library (`net/http`): released with Go itself.
    GoStd(String),
    /// A Rust crate on crates.io (`crate:axum`).
    Crate(String),
}

impl ModuleSpec {
    /// Parses `MODULE[@VERSION]`; returns the spec and the version if one was given.
    pub fn parse(text: &str) -> Result<(ModuleSpec, Option<String>), EcoError> {
        let bad = |problem: &str| EcoError::Spec {
            spec: text.to_string(),
            problem: problem.to_string(),
        };
        let (name, version) = match text.rsplit_once('@') {
            Some((name, version)) if !version.is_empty() => (name, Some(version.to_string())),
            Some(_) => return Err(bad("the version after @ is empty")),
            None => (text, None),
        };
        if name.is_empty() {
            return Err(bad("it is empty"));
        }
        if name.chars().any(|c| c.is_whitespace() || c == '\\') {
            return Err(bad("it contains spaces or backslashes"));
        }
        if let Some(krate) = name.strip_prefix("crate:") {
            let valid = !krate.is_empty()
                && krate
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid {
                return Err(bad("a crate name has only letters, digits, - and _"));
            }
            return Ok((ModuleSpec::Crate(krate.to_string()), version));
        }
        if name.starts_with('/') || name.ends_with('/') || name.contains("//") {
            return Err(bad("a module path has no empty elements"));
        }
        let first = name.split('/').next().unwrap_or_default();
        if first.contains('.') {
            Ok((ModuleSpec::Go(name.to_string()), version))
        } else {
            Ok((ModuleSpec::GoStd(name.to_string()), version))
        }
    }

    /// The name as it is stored and shown (`github.com/gin-gonic/gin`, `net/http`,
    /// `crate:axum`): the observation subject of the ecosystem kind.
    pub fn key(&self) -> String {
        self.to_string()
    }

    /// The OSV ecosystem and package name its vulnerabilities are filed under.
    pub fn osv_package(&self) -> (&'static str, String) {
        match self {
            ModuleSpec::Go(path) => ("Go", path.clone()),
            ModuleSpec::GoStd(_) => ("Go", "stdlib".to_string()),
            ModuleSpec::Crate(name) => ("crates.io", name.clone()),
        }
    }

    /// The GitHub `owner/repo` the module is developed in, when its path says so
    /// (crates name theirs in their Cargo.toml, see the registry module).
    pub fn github_repo(&self) -> Option<(String, String)> {
        match self {
            ModuleSpec::Go(path) => {
                let mut parts = path.split('/');
                if parts.next()? != "github.com" {
                    return None;
                }
                Some((parts.next()?.to_string(), parts.next()?.to_string()))
            }
            ModuleSpec::GoStd(_) => Some(("golang".into(), "go".into())),
            ModuleSpec::Crate(_) => None,
        }
    }
}

impl fmt::Display for ModuleSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModuleSpec::Go(p) | ModuleSpec::GoStd(p) => f.write_str(p),
            ModuleSpec::Crate(n) => write!(f, "crate:{n}"),
        }
    }
}

/// `owner/repo` of a `https://github.com/owner/repo[.git][/...]` address.
pub fn github_repo_of_url(url: &str) -> Option<(String, String)> {
    let rest = url
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .strip_prefix("github.com/")?;
    let mut parts = rest.split('/');
    let owner = parts.next().filter(|s| !s.is_empty())?;
    let repo = parts.next().filter(|s| !s.is_empty())?;
    Some((owner.to_string(), repo.trim_end_matches(".git").to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_kinds() {
        assert_eq!(
            ModuleSpec::parse("github.com/gin-gonic/gin@v1.12.0").expect("valid"),
            (
                ModuleSpec::Go("github.com/gin-gonic/gin".into()),
                Some("v1.12.0".into())
            )
        );
        assert_eq!(
            ModuleSpec::parse("net/http").expect("valid").0,
            ModuleSpec::GoStd("net/http".into())
        );
        let (krate, _) = ModuleSpec::parse("crate:actix-web").expect("valid");
        assert_eq!(krate.key(), "crate:actix-web");
        assert_eq!(krate.osv_package(), ("crates.io", "actix-web".to_string()));
    }

    #[test]
    fn rejects_bad_specs_with_a_reason() {
        for bad in ["", "crate:", "crate:a b", "x@", "/abs/path", "a//b"] {
            let err = ModuleSpec::parse(bad).expect_err(bad).to_string();
            assert!(err.contains("is not a module"), "{err}");
        }
    }

    #[test]
    fn finds_the_github_repository() {
        let (spec, _) = ModuleSpec::parse("github.com/go-chi/chi/v5").expect("valid");
        assert_eq!(spec.github_repo(), Some(("go-chi".into(), "chi".into())));
        assert_eq!(
            github_repo_of_url("https://github.com/tokio-rs/axum.git"),
            Some(("tokio-rs".into(), "axum".into()))
        );
        assert_eq!(github_repo_of_url("https://gitlab.com/a/b"), None);
    }
}
