//! The default weighted model of DESIGN.md: four normalised signals, weights from
//! configuration, each signal decayed by its age.
//!
//! - stars: `min(1, stars / 10000)`
//! - forks: `ln(1 + forks) / ln(1 + 5000)` (capped at 1)
//! - releases per month over the last 6 months: `clamp(rate / 4, 0, 1)`
//! - decoupling: `1 − coupling entropy` (see [`crate::decoupling`])
//!
//! **Age and decay.** A signal's age is the number of whole 30-day periods between
//! when it was observed and when the score is computed; its normalised value is
//! multiplied by `0.95^age` (DESIGN.md's decay). Figures observed live have age 0;
//! snapshot figures age as the snapshot does. The score is the weighted mean of the
//! decayed signals that could be obtained: `Σ wᵢ·dᵢ / Σ wᵢ` over the present ones; a
//! missing signal is left out (its weight renormalised away) and the result says so.

use crate::EcoError;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A period of age, in milliseconds (30 days).
pub const AGE_PERIOD_MS: i64 = 30 * crate::time::DAY_MS;

/// The model's weights.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Weights {
    /// Weight of stars.
    pub stars: f64,
    /// Weight of forks.
    pub forks: f64,
    /// Weight of releases per month.
    pub releases: f64,
    /// Weight of decoupling.
    pub decoupling: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            stars: 0.30,
            forks: 0.25,
            releases: 0.25,
            decoupling: 0.20,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeights {
    stars: Option<toml::Spanned<f64>>,
    forks: Option<toml::Spanned<f64>>,
    releases: Option<toml::Spanned<f64>>,
    decoupling: Option<toml::Spanned<f64>>,
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

impl Weights {
    /// Reads a TOML weights file (`stars`, `forks`, `releases`, `decoupling`, each a
    /// non-negative number; a field left out keeps its default). Errors name the file,
    /// line, column and field.
    pub fn load(path: &Path) -> Result<Weights, EcoError> {
        let text = std::fs::read_to_string(path).map_err(|e| EcoError::io(path, e))?;
        Weights::parse(&text, path)
    }

    /// Parses the text of a weights file read from `path`.
    pub fn parse(text: &str, path: &Path) -> Result<Weights, EcoError> {
        let invalid = |span: Option<Range<usize>>, message: String| {
            let (line, column) = line_column(text, span.map_or(0, |s| s.start));
            EcoError::Weights {
                path: PathBuf::from(path),
                line,
                column,
                message,
            }
        };
        let raw: RawWeights =
            toml::from_str(text).map_err(|e| invalid(e.span(), e.message().to_string()))?;
        let mut weights = Weights::default();
        for (field, value, slot) in [
            ("stars", raw.stars, &mut weights.stars),
            ("forks", raw.forks, &mut weights.forks),
            ("releases", raw.releases, &mut weights.releases),
            ("decoupling", raw.decoupling, &mut weights.decoupling),
        ] {
            if let Some(value) = value {
                let v = *value.get_ref();
                if !v.is_finite() || v < 0.0 {
                    return Err(invalid(
                        Some(value.span()),
                        format!("field `{field}` must be a non-negative number, not {v}"),
                    ));
                }
                *slot = v;
            }
        }
        if weights.stars + weights.forks + weights.releases + weights.decoupling <= 0.0 {
            return Err(invalid(
                None,
                "all weights are zero; give at least one a positive weight".into(),
            ));
        }
        Ok(weights)
    }
}

/// `min(1, stars / 10000)`.
pub fn normalise_stars(stars: f64) -> f64 {
    (stars / 10_000.0).clamp(0.0, 1.0)
}

/// `ln(1 + forks) / ln(1 + 5000)`, capped at 1.
pub fn normalise_forks(forks: f64) -> f64 {
    ((1.0 + forks.max(0.0)).ln() / 5001_f64.ln()).min(1.0)
}

/// `clamp(rate / 4, 0, 1)`.
pub fn normalise_releases(per_month: f64) -> f64 {
    (per_month / 4.0).clamp(0.0, 1.0)
}

/// Whole 30-day periods from `observed_at` to `now` (0 when observed later).
pub fn age_periods(observed_at: i64, now: i64) -> u32 {
    u32::try_from(((now - observed_at).max(0)) / AGE_PERIOD_MS).unwrap_or(u32::MAX)
}

/// `0.95^age`.
pub fn decay(age: u32) -> f64 {
    0.95_f64.powi(i32::try_from(age).unwrap_or(i32::MAX))
}

/// A weighted value: (weight, decayed normalised value or `None` when missing).
pub fn weighted_score(parts: &[(f64, Option<f64>)]) -> Option<f64> {
    let (sum, weight) = parts
        .iter()
        .filter_map(|(w, v)| v.map(|v| (w * v, *w)))
        .fold((0.0, 0.0), |(s, t), (x, w)| (s + x, t + w));
    (weight > 0.0).then(|| sum / weight)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisations_follow_design_md() {
        assert_eq!(normalise_stars(5_000.0), 0.5);
        assert_eq!(normalise_stars(80_000.0), 1.0);
        assert!((normalise_forks(5_000.0) - 1.0).abs() < 1e-12);
        assert_eq!(normalise_forks(0.0), 0.0);
        assert_eq!(normalise_releases(2.0), 0.5);
        assert_eq!(normalise_releases(9.0), 1.0);
    }

    #[test]
    fn age_and_decay() {
        let day = crate::time::DAY_MS;
        assert_eq!(age_periods(0, 29 * day), 0);
        assert_eq!(age_periods(0, 61 * day), 2);
        assert_eq!(age_periods(10 * day, 0), 0);
        assert!((decay(2) - 0.9025).abs() < 1e-12);
    }

    #[test]
    fn missing_signals_are_renormalised_away() {
        let score = weighted_score(&[(0.3, Some(1.0)), (0.2, None), (0.2, Some(0.5))])
            .expect("two present");
        assert!(
            (score - 0.8).abs() < 1e-12,
            "(0.3·1 + 0.2·0.5) / 0.5, not {score}"
        );
        assert_eq!(weighted_score(&[(0.3, None)]), None);
    }

    #[test]
    fn weights_files_and_their_errors() {
        let p = Path::new("w.toml");
        let w = Weights::parse("stars = 0.5\ndecoupling = 0.5\n", p).expect("valid");
        assert_eq!((w.stars, w.forks, w.decoupling), (0.5, 0.25, 0.5));
        let e = Weights::parse("stars = 0.5\nforks = -1.0\n", p)
            .expect_err("negative")
            .to_string();
        assert!(e.starts_with("w.toml:2:9:") && e.contains("`forks`"), "{e}");
        let e = Weights::parse("stars = 0.5\nstar = 1.0\n", p)
            .expect_err("unknown")
            .to_string();
        assert!(e.starts_with("w.toml:2:") && e.contains("star"), "{e}");
        let e = Weights::parse("stars = 0\nforks = 0\nreleases = 0\ndecoupling = 0\n", p)
            .expect_err("zero")
            .to_string();
        assert!(e.contains("all weights are zero"), "{e}");
    }
}
