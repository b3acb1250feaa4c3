//! The dated snapshot shipped with Podium (`data/ecosystem-snapshot.json`): for the
//! bundled frameworks' modules, the figures only GitHub has (stars, forks, merged pull
//! requests per month), each with its source and the date it was observed. A figure no
//! verifiable source gave is `null` and stays missing.

use crate::EcoError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const BUNDLED: &str = include_str!("../../../data/ecosystem-snapshot.json");

/// One sourced figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotFigure {
    /// The figure, `null` when no verifiable source was found.
    pub value: Option<f64>,
    /// Where it comes from (a page address and the date of the copy read).
    pub source: String,
    /// When it was observed (`YYYY-MM-DD`); `null` with a missing value.
    pub observed_at: Option<String>,
}

/// A module's snapshot entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotModule {
    /// `owner/repo` on GitHub.
    pub repository: Option<String>,
    /// Stargazers.
    pub stars: SnapshotFigure,
    /// Forks.
    pub forks: SnapshotFigure,
    /// Merged pull requests per month over 12 months.
    pub merged_prs_per_month: SnapshotFigure,
}

/// The snapshot file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// When the snapshot was assembled (`YYYY-MM-DD`).
    pub taken: String,
    /// How it was assembled.
    pub note: String,
    /// Entries by module key (`github.com/gin-gonic/gin`, `crate:axum`, `net/http`).
    pub modules: BTreeMap<String, SnapshotModule>,
}

impl Snapshot {
    /// The snapshot built into Podium.
    pub fn bundled() -> Result<Snapshot, EcoError> {
        Snapshot::parse(BUNDLED, "data/ecosystem-snapshot.json")
    }

    /// Parses a snapshot file's text.
    pub fn parse(text: &str, origin: &str) -> Result<Snapshot, EcoError> {
        let snapshot: Snapshot =
            serde_json::from_str(text).map_err(|e| EcoError::malformed(origin, e))?;
        for (module, entry) in &snapshot.modules {
            for (name, figure) in [
                ("stars", &entry.stars),
                ("forks", &entry.forks),
                ("merged_prs_per_month", &entry.merged_prs_per_month),
            ] {
                let dated = figure
                    .observed_at
                    .as_deref()
                    .and_then(crate::time::parse_rfc3339)
                    .is_some();
                if figure.value.is_some() && (!dated || figure.source.trim().is_empty()) {
                    return Err(EcoError::malformed(
                        origin,
                        format!("{module}.{name} has a value without a source and a date"),
                    ));
                }
            }
        }
        Ok(snapshot)
    }

    /// The entry of a module.
    pub fn module(&self, key: &str) -> Option<&SnapshotModule> {
        self.modules.get(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_snapshot_covers_the_bundled_frameworks() {
        let s = Snapshot::bundled().expect("valid snapshot");
        for key in [
            "net/http",
            "github.com/gin-gonic/gin",
            "github.com/labstack/echo/v5",
            "github.com/go-chi/chi/v5",
            "github.com/gofiber/fiber/v3",
            "github.com/zeromicro/go-zero",
            "crate:axum",
            "crate:actix-web",
        ] {
            assert!(s.module(key).is_some(), "{key} missing from the snapshot");
        }
    }

    #[test]
    fn a_value_needs_a_source_and_a_date() {
        let text = r#"{"taken":"2026-01-01","note":"","modules":{"m":{"repository":null,
            "stars":{"value":5,"source":"","observed_at":"2026-01-01"},
            "forks":{"value":null,"source":"","observed_at":null},
            "merged_prs_per_month":{"value":null,"source":"","observed_at":null}}}}"#;
        let e = Snapshot::parse(text, "s.json")
            .expect_err("unsourced")
            .to_string();
        assert!(e.contains("m.stars has a value without a source"), "{e}");
    }
}
