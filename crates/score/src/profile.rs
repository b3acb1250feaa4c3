//! Recommendation profiles: named weightings of the axes and of extra figures, read
//! from TOML (the bundled `profiles.toml` or a team's own file).

use crate::axis::Axis;
use crate::engine::{Component, Source};
use crate::error::ScoreError;
use crate::weights::{Weights, check_weight};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The bundled profiles file, embedded at build time.
pub const BUNDLED_PROFILES: &str = include_str!("../profiles.toml");

/// The path bundled profiles report in messages and in [`Profile::source`].
pub const BUNDLED_SOURCE: &str = "bundled profiles.toml";

/// Which direction of an extra figure is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    /// Larger values are better (requests/s): normalised as `value / max`.
    Higher,
    /// Smaller values are better (bytes, seconds, lines): normalised as `min / value`,
    /// and a value of 0 counts as the best possible (1.0).
    Lower,
}

/// A figure beside the radar's axes that a profile weighs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtraWeight {
    /// The key in [`crate::SubjectFigures::extras`], e.g. `binary_bytes`.
    pub figure: String,
    /// Its weight (finite, ≥ 0), on the same scale as the axis weights.
    pub weight: f64,
    /// Whether higher or lower values are better.
    pub better: Better,
}

/// A named weighting for `podium recommend`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// The name given to `--profile`.
    pub name: String,
    /// What the profile favours, for the report.
    pub description: String,
    /// The axis weights (all may be 0 when extras carry the weight).
    pub weights: Weights,
    /// Extra figures and their weights.
    pub extras: Vec<ExtraWeight>,
    /// Where the profile was defined: [`BUNDLED_SOURCE`] or the file's path.
    pub source: String,
}

impl Profile {
    /// A profile that weighs only the axes, like the plain composite.
    pub fn from_weights(name: impl Into<String>, weights: Weights) -> Self {
        Profile {
            name: name.into(),
            description: "the radar's axes with the given weights".to_string(),
            weights,
            extras: Vec::new(),
            source: "weights".to_string(),
        }
    }

    /// Checks the weights (finite, ≥ 0, not all 0 across axes and extras) and the
    /// extras (named, not after an axis, each figure once).
    pub fn validate(&self) -> Result<(), ScoreError> {
        for axis in Axis::ALL {
            check_weight(axis.key(), self.weights.get(axis))?;
        }
        let mut seen = BTreeSet::new();
        for extra in &self.extras {
            if let Some(problem) = extra_name_problem(&extra.figure) {
                return Err(ScoreError::InvalidExtra {
                    figure: extra.figure.clone(),
                    problem: problem.to_string(),
                });
            }
            if !seen.insert(extra.figure.as_str()) {
                return Err(ScoreError::InvalidExtra {
                    figure: extra.figure.clone(),
                    problem: "is listed twice; list each figure once".to_string(),
                });
            }
            check_weight(&extra.figure, extra.weight)?;
        }
        if self.components().iter().all(|c| c.weight == 0.0) {
            return Err(ScoreError::AllWeightsZero);
        }
        Ok(())
    }

    /// The axes, then the extras in profile order, with their weights as given.
    pub(crate) fn components(&self) -> Vec<Component> {
        let mut components = crate::scoreboard::axis_components(&self.weights);
        components.extend(self.extras.iter().map(|extra| Component {
            source: Source::Extra {
                figure: extra.figure.clone(),
                better: extra.better,
            },
            weight: extra.weight,
        }));
        components
    }
}

fn extra_name_problem(figure: &str) -> Option<&'static str> {
    if figure.trim().is_empty() {
        Some("is empty; name a figure such as \"binary_bytes\"")
    } else if Axis::from_key(figure).is_some() {
        Some("is the name of a radar axis; weigh the axis under `weights` instead")
    } else {
        None
    }
}

/// A set of profiles and, optionally, the default composite's weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profiles {
    /// The file's top-level `[weights]` table, if it has one.
    pub weights: Option<Weights>,
    /// The profiles by name.
    pub profiles: BTreeMap<String, Profile>,
}

/// Why a profiles file cannot be used. Messages start with `file:line:column`.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The file could not be read.
    #[error("cannot read weights file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Malformed TOML, an unknown field, or a value of the wrong type (the parser's
    /// message names the field).
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's explanation.
        message: String,
    },
    /// A field parsed but its value is not acceptable.
    #[error("{path}:{line}:{column}: field `{field}` {problem}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The dotted field, e.g. `profile.throughput.weights.performance`.
        field: String,
        /// What is wrong and what to write instead.
        problem: String,
    },
    /// `--profile NAME` names no profile.
    #[error("no profile named {name:?}; the profiles are: {available}")]
    UnknownProfile {
        /// The name asked for.
        name: String,
        /// The known names, comma-separated.
        available: String,
    },
}

// ---- raw file shape -------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    weights: Option<Spanned<RawWeights>>,
    #[serde(default)]
    profile: BTreeMap<String, Spanned<RawProfile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeights {
    performance: Option<Spanned<f64>>,
    ecosystem: Option<Spanned<f64>>,
    observability: Option<Spanned<f64>>,
    hot_reload: Option<Spanned<f64>>,
}

impl RawWeights {
    fn get(&self, axis: Axis) -> Option<&Spanned<f64>> {
        match axis {
            Axis::Performance => self.performance.as_ref(),
            Axis::Ecosystem => self.ecosystem.as_ref(),
            Axis::Observability => self.observability.as_ref(),
            Axis::HotReload => self.hot_reload.as_ref(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    description: Option<String>,
    weights: Option<Spanned<RawWeights>>,
    #[serde(default)]
    extras: Vec<Spanned<RawExtra>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExtra {
    figure: Spanned<String>,
    weight: Spanned<f64>,
    better: Better,
}

// ---- loading and validation -----------------------------------------------------------

/// Where errors point.
struct Checker<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Checker<'_> {
    fn invalid(&self, span: Range<usize>, field: &str, problem: impl Into<String>) -> ProfileError {
        let (line, column) = line_column(self.text, span.start);
        ProfileError::Invalid {
            path: self.path.to_path_buf(),
            line,
            column,
            field: field.to_string(),
            problem: problem.into(),
        }
    }

    fn weight(&self, value: &Spanned<f64>, field: &str) -> Result<f64, ProfileError> {
        let v = *value.get_ref();
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(self.invalid(
                value.span(),
                field,
                format!("is {v}; weights must be finite and ≥ 0 (0 leaves the figure out)"),
            ))
        }
    }

    fn weights(&self, raw: &RawWeights, prefix: &str) -> Result<Weights, ProfileError> {
        let mut weights = Weights::from_per_axis(Default::default());
        for axis in Axis::ALL {
            if let Some(value) = raw.get(axis) {
                let w = self.weight(value, &format!("{prefix}.{}", axis.key()))?;
                match axis {
                    Axis::Performance => weights.performance = w,
                    Axis::Ecosystem => weights.ecosystem = w,
                    Axis::Observability => weights.observability = w,
                    Axis::HotReload => weights.hot_reload = w,
                }
            }
        }
        Ok(weights)
    }

    fn profile(
        &self,
        name: &str,
        raw: &Spanned<RawProfile>,
        source: &str,
    ) -> Result<Profile, ProfileError> {
        let prefix = format!("profile.{name}");
        let name_ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !name_ok {
            return Err(self.invalid(
                raw.span(),
                &prefix,
                format!(
                    "has the name {name:?}; use letters, digits, '-' and '_' so that it can be given to --profile"
                ),
            ));
        }
        let body = raw.get_ref();
        let weights = match &body.weights {
            Some(w) => self.weights(w.get_ref(), &format!("{prefix}.weights"))?,
            None => Weights::from_per_axis(Default::default()),
        };
        let mut extras: Vec<ExtraWeight> = Vec::with_capacity(body.extras.len());
        for (i, spanned) in body.extras.iter().enumerate() {
            let extra = spanned.get_ref();
            let field = format!("{prefix}.extras[{i}]");
            let figure = extra.figure.get_ref();
            if let Some(problem) = extra_name_problem(figure) {
                return Err(self.invalid(
                    extra.figure.span(),
                    &format!("{field}.figure"),
                    format!("is {figure:?}: {problem}"),
                ));
            }
            if let Some(k) = extras.iter().position(|e| &e.figure == figure) {
                return Err(self.invalid(
                    extra.figure.span(),
                    &format!("{field}.figure"),
                    format!("repeats {figure:?} from extras[{k}]; list each figure once"),
                ));
            }
            let weight = self.weight(&extra.weight, &format!("{field}.weight"))?;
            extras.push(ExtraWeight {
                figure: figure.clone(),
                weight,
                better: extra.better,
            });
        }
        let axes_zero = Axis::ALL.into_iter().all(|axis| weights.get(axis) == 0.0);
        if axes_zero && extras.iter().all(|e| e.weight == 0.0) {
            let (span, field) = match &body.weights {
                Some(w) => (w.span(), format!("{prefix}.weights")),
                None => (raw.span(), prefix.clone()),
            };
            return Err(self.invalid(
                span,
                &field,
                "gives every axis and extra a weight of 0; give at least one a positive weight, e.g. weights = { performance = 1.0 }",
            ));
        }
        Ok(Profile {
            name: name.to_string(),
            description: body.description.clone().unwrap_or_default(),
            weights,
            extras,
            source: source.to_string(),
        })
    }
}

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

impl Profiles {
    /// The profiles bundled with Podium: `throughput`, `small-binary`, `productivity`
    /// and `observability`, and the default weights. The embedded file is checked by
    /// this crate's tests, so this does not fail in a released build.
    pub fn bundled() -> Result<Profiles, ProfileError> {
        Self::parse_with_source(BUNDLED_PROFILES, Path::new(BUNDLED_SOURCE), BUNDLED_SOURCE)
    }

    /// Reads a team's weights file (same format as the bundled one).
    pub fn load(path: &Path) -> Result<Profiles, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses and validates profiles text; `path` is used in messages and as each
    /// profile's [`Profile::source`].
    pub fn parse(text: &str, path: &Path) -> Result<Profiles, ProfileError> {
        Self::parse_with_source(text, path, &path.display().to_string())
    }

    fn parse_with_source(text: &str, path: &Path, source: &str) -> Result<Profiles, ProfileError> {
        let raw: RawFile = toml::from_str(text).map_err(|err| {
            let (line, column) = err
                .span()
                .map(|span| line_column(text, span.start))
                .unwrap_or((1, 1));
            ProfileError::Syntax {
                path: path.to_path_buf(),
                line,
                column,
                message: err.message().trim().to_string(),
            }
        })?;
        let checker = Checker { path, text };
        let weights = match &raw.weights {
            Some(spanned) => {
                let weights = checker.weights(spanned.get_ref(), "weights")?;
                if Axis::ALL.into_iter().all(|axis| weights.get(axis) == 0.0) {
                    return Err(checker.invalid(
                        spanned.span(),
                        "weights",
                        "gives every axis a weight of 0; give at least one axis a positive weight",
                    ));
                }
                Some(weights)
            }
            None => None,
        };
        let mut profiles = BTreeMap::new();
        for (name, spanned) in &raw.profile {
            profiles.insert(name.clone(), checker.profile(name, spanned, source)?);
        }
        if weights.is_none() && profiles.is_empty() {
            return Err(checker.invalid(
                0..0,
                "profile",
                "is missing: the file defines neither [weights] nor any [profile.NAME] table; see Podium's bundled profiles.toml for the format",
            ));
        }
        Ok(Profiles { weights, profiles })
    }

    /// The profile called `name`.
    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    /// The profile called `name`, or an error listing the known names.
    pub fn profile(&self, name: &str) -> Result<&Profile, ProfileError> {
        self.get(name).ok_or_else(|| ProfileError::UnknownProfile {
            name: name.to_string(),
            available: self.names().collect::<Vec<_>>().join(", "),
        })
    }

    /// The profile names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }

    /// The weights of the default composite: the file's `[weights]`, else
    /// [`crate::DEFAULT_WEIGHTS`].
    pub fn default_weights(&self) -> Weights {
        self.weights.unwrap_or_default()
    }

    /// These profiles with `overrides` laid over them: a profile of the same name is
    /// replaced, new ones are added, and the overrides' `[weights]` (if any) becomes
    /// the default. Used to apply a team's file on top of the bundled one.
    pub fn merge(mut self, overrides: Profiles) -> Profiles {
        if overrides.weights.is_some() {
            self.weights = overrides.weights;
        }
        self.profiles.extend(overrides.profiles);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Profiles, ProfileError> {
        Profiles::parse(text, Path::new("team.toml"))
    }

    /// The error's (line, field) for `Invalid`, or (line, message) for `Syntax`.
    fn located(err: &ProfileError) -> (usize, String) {
        match err {
            ProfileError::Invalid { line, field, .. } => (*line, field.clone()),
            ProfileError::Syntax { line, message, .. } => (*line, message.clone()),
            other => panic!("unexpected error {other}"),
        }
    }

    #[test]
    fn bundled_profiles_parse_and_validate() {
        let bundled = Profiles::bundled().unwrap();
        assert_eq!(
            bundled.names().collect::<Vec<_>>(),
            [
                "observability",
                "productivity",
                "small-binary",
                "throughput"
            ]
        );
        assert_eq!(bundled.default_weights(), Weights::default());
        for profile in bundled.profiles.values() {
            profile.validate().unwrap();
            assert!(!profile.description.is_empty(), "{}", profile.name);
            assert_eq!(profile.source, BUNDLED_SOURCE);
            let total: f64 = profile.components().iter().map(|c| c.weight).sum();
            assert!(
                (total - 1.0).abs() < 1e-9,
                "{} sums to {total}",
                profile.name
            );
        }
        let small = bundled.profile("small-binary").unwrap();
        assert_eq!(small.extras[0].figure, "binary_bytes");
        assert_eq!(small.extras[0].better, Better::Lower);
        assert!(bundled.get("throughput").unwrap().weights.performance >= 0.8);
    }

    #[test]
    fn integers_and_missing_axes_are_accepted() {
        let profiles = parse(
            "[profile.speed]\nweights = { performance = 1 }\n\n[weights]\nperformance = 3\necosystem = 1\n",
        )
        .unwrap();
        let speed = profiles.get("speed").unwrap();
        assert_eq!(speed.weights.performance, 1.0);
        assert_eq!(speed.weights.hot_reload, 0.0);
        assert_eq!(speed.description, "");
        assert_eq!(speed.source, "team.toml");
        let default = profiles.default_weights();
        assert_eq!((default.performance, default.ecosystem), (3.0, 1.0));
        assert_eq!(default.observability, 0.0);
    }

    #[test]
    fn extras_only_profile_is_accepted() {
        let profiles =
            parse("[profile.tiny]\nextras = [ { figure = \"binary_bytes\", weight = 1, better = \"lower\" } ]\n")
                .unwrap();
        let tiny = profiles.get("tiny").unwrap();
        assert_eq!(tiny.weights, Weights::from_per_axis(Default::default()));
        tiny.validate().unwrap();
    }

    #[test]
    fn unknown_field_names_line_and_field() {
        let text = "[profile.speed]\ndescription = \"fast\"\nweights = { performance = 0.8, perfomance = 0.2 }\n";
        let err = parse(text).unwrap_err();
        let (line, message) = located(&err);
        assert_eq!(line, 3, "{err}");
        assert!(message.contains("perfomance"), "{err}");
        assert!(err.to_string().starts_with("team.toml:3:"), "{err}");

        let err = parse("[weights]\nperformance = 1\nspeed = 2\n").unwrap_err();
        assert_eq!(located(&err).0, 3, "{err}");
        assert!(err.to_string().contains("speed"), "{err}");

        let err =
            parse("[profile.x]\nweights = { performance = 1 }\ncolour = \"red\"\n").unwrap_err();
        assert_eq!(located(&err).0, 3, "{err}");
        assert!(err.to_string().contains("colour"), "{err}");
    }

    #[test]
    fn negative_weight_names_line_and_field() {
        let text = "[profile.a]\nweights = { performance = 1 }\n\n[profile.b]\nweights = { performance = 0.5, hot_reload = -0.5 }\n";
        let err = parse(text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "team.toml:5:45: field `profile.b.weights.hot_reload` is -0.5; weights must be finite and ≥ 0 (0 leaves the figure out)"
        );

        let err = parse("[weights]\nperformance = nan\n").unwrap_err();
        assert_eq!(
            located(&err),
            (2, "weights.performance".to_string()),
            "{err}"
        );

        let text = "[profile.a]\nextras = [\n  { figure = \"lines\", weight = 1, better = \"lower\" },\n  { figure = \"deps\", weight = -1, better = \"lower\" },\n]\n";
        let err = parse(text).unwrap_err();
        assert_eq!(
            located(&err),
            (4, "profile.a.extras[1].weight".to_string()),
            "{err}"
        );
    }

    #[test]
    fn all_zero_weights_name_line_and_field() {
        let text = "# team weights\n[profile.none]\ndescription = \"nothing\"\nweights = { performance = 0, ecosystem = 0.0 }\n";
        let err = parse(text).unwrap_err();
        assert_eq!(
            located(&err),
            (4, "profile.none.weights".to_string()),
            "{err}"
        );
        assert!(err.to_string().contains("weight of 0"), "{err}");

        let text = "[profile.a]\nweights = { performance = 1 }\n\n[profile.none]\nextras = [ { figure = \"lines\", weight = 0, better = \"lower\" } ]\n";
        let err = parse(text).unwrap_err();
        assert_eq!(located(&err), (4, "profile.none".to_string()), "{err}");

        let text = "\n\n[weights]\nperformance = 0\nhot_reload = 0\n";
        let err = parse(text).unwrap_err();
        assert_eq!(located(&err), (3, "weights".to_string()), "{err}");
    }

    #[test]
    fn bad_extras_are_rejected_with_their_field() {
        let err = parse(
            "[profile.a]\nextras = [ { figure = \"size\", weight = 1, better = \"smaller\" } ]\n",
        )
        .unwrap_err();
        let (line, message) = located(&err);
        assert_eq!(line, 2);
        assert!(
            message.contains("smaller") && message.contains("lower"),
            "{err}"
        );

        let err =
            parse("[profile.a]\nextras = [ { figure = \"size\", weight = 1 } ]\n").unwrap_err();
        assert!(err.to_string().contains("better"), "{err}");

        let text = "[profile.a]\nextras = [\n { figure = \"lines\", weight = 1, better = \"lower\" },\n { figure = \"lines\", weight = 1, better = \"higher\" },\n]\n";
        let err = parse(text).unwrap_err();
        assert_eq!(
            located(&err),
            (4, "profile.a.extras[1].figure".to_string()),
            "{err}"
        );

        let err = parse("[profile.a]\nextras = [ { figure = \"performance\", weight = 1, better = \"higher\" } ]\n")
            .unwrap_err();
        assert!(err.to_string().contains("radar axis"), "{err}");

        let err =
            parse("[profile.a]\nextras = [ { figure = \"\", weight = 1, better = \"higher\" } ]\n")
                .unwrap_err();
        assert!(err.to_string().contains("is empty"), "{err}");
    }

    #[test]
    fn bad_profile_name_and_empty_file_are_rejected() {
        let err =
            parse("# ours\n[profile.\"my profile\"]\nweights = { performance = 1 }\n").unwrap_err();
        assert_eq!(
            located(&err),
            (2, "profile.my profile".to_string()),
            "{err}"
        );
        assert!(err.to_string().contains("--profile"), "{err}");

        let err = parse("# nothing here\n").unwrap_err();
        assert_eq!(located(&err), (1, "profile".to_string()), "{err}");
    }

    #[test]
    fn malformed_toml_and_wrong_types_give_line_and_column() {
        let err = parse("[profile.a]\nweights = { performance = \"high\" }\n").unwrap_err();
        assert_eq!(located(&err).0, 2, "{err}");
        let err = parse("[profile.a\n").unwrap_err();
        assert!(matches!(err, ProfileError::Syntax { line: 1, .. }), "{err}");
    }

    #[test]
    fn load_names_the_missing_file() {
        let err = Profiles::load(Path::new("/nonexistent/podium/weights.toml")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot read weights file /nonexistent/podium/weights.toml"),
            "{err}"
        );
    }

    #[test]
    fn unknown_profile_lists_the_known_ones() {
        let bundled = Profiles::bundled().unwrap();
        let err = bundled.profile("cheap").unwrap_err();
        assert_eq!(
            err.to_string(),
            "no profile named \"cheap\"; the profiles are: observability, productivity, small-binary, throughput"
        );
    }

    #[test]
    fn merge_replaces_by_name_and_takes_the_default_weights() {
        let team = parse(
            "[weights]\nperformance = 1\n\n[profile.throughput]\ndescription = \"ours\"\nweights = { performance = 1 }\n\n[profile.cheap]\nweights = { ecosystem = 1 }\n",
        )
        .unwrap();
        let merged = Profiles::bundled().unwrap().merge(team);
        assert_eq!(merged.get("throughput").unwrap().description, "ours");
        assert_eq!(merged.get("throughput").unwrap().source, "team.toml");
        assert!(merged.get("cheap").is_some());
        assert!(merged.get("small-binary").is_some());
        assert_eq!(merged.default_weights().performance, 1.0);
        assert_eq!(merged.default_weights().ecosystem, 0.0);
    }

    #[test]
    fn programmatic_profiles_are_validated() {
        let mut profile = Profile::from_weights("p", Weights::default());
        profile.validate().unwrap();
        profile.extras.push(ExtraWeight {
            figure: "lines".into(),
            weight: f64::INFINITY,
            better: Better::Lower,
        });
        assert!(matches!(
            profile.validate(),
            Err(ScoreError::InvalidWeight { ref weight, .. }) if weight == "lines"
        ));
        profile.extras[0].weight = 1.0;
        profile.extras.push(profile.extras[0].clone());
        assert!(matches!(
            profile.validate(),
            Err(ScoreError::InvalidExtra { .. })
        ));
        profile.extras.pop();
        profile.weights = Weights::from_per_axis(Default::default());
        profile.extras[0].weight = 0.0;
        assert_eq!(profile.validate(), Err(ScoreError::AllWeightsZero));
    }
}
