//! Folded stacks: one line per distinct call stack, root first, with how much was spent
//! in it. The common form both profilers are reduced to before drawing.

use crate::error::ProfileError;
use crate::pprof::{Profile, ProfileIndex};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Which profiler a profile came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileSource {
    /// Go's `net/http/pprof` CPU profile (`/debug/pprof/profile`).
    GoPprof,
    /// Linux `perf record -e cpu-clock` with DWARF call graphs.
    Perf,
}

/// Every distinct stack of a profile with its weight, sorted by stack so the same
/// profile always gives the same value (and the same flame graph).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoldedStacks {
    /// `("root;caller;…;leaf", weight)`, sorted by stack, each stack once, no zero weights.
    pub stacks: Vec<(String, u64)>,
    /// Sum of all weights.
    pub total: u64,
    /// What a weight counts: `nanoseconds` (Go CPU time), `samples` (perf) or the
    /// profile's own unit.
    pub sample_unit: String,
    /// The profiler it came from.
    pub source: ProfileSource,
}

/// One function's share of a profile, for report tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionShare {
    /// The frame name.
    pub name: String,
    /// Fraction (0..=1) of the total spent in the function itself (it was the leaf).
    pub self_fraction: f64,
    /// Fraction (0..=1) of the total spent in the function or anything it called.
    pub total_fraction: f64,
}

impl FoldedStacks {
    /// Folds a pprof profile. The weight is the `cpu` value when the profile has one
    /// (Go: nanoseconds of CPU), else `samples`, else the profile's default (the last
    /// sample type, as pprof does). Inlined calls become frames of their own.
    pub fn from_pprof(profile: &Profile) -> Result<Self, ProfileError> {
        let index = ProfileIndex::new(profile)?;
        let value_index = chosen_value_index(profile, &index)?;
        let sample_unit = match profile.sample_type.get(value_index) {
            Some(value_type) => index.string(value_type.unit, "a sample unit")?.to_string(),
            None => {
                return Err(ProfileError::corrupt(
                    "the profile declares no sample types",
                ));
            }
        };
        // A location is usually shared by many samples: name its frames once.
        let mut frames_of: HashMap<u64, Vec<String>> = HashMap::new();
        let mut weights = BTreeMap::<String, u64>::new();
        for (n, sample) in profile.sample.iter().enumerate() {
            let value = *sample.value.get(value_index).ok_or_else(|| {
                ProfileError::corrupt(format!(
                    "sample #{n} has {} values but the profile declares {} sample types",
                    sample.value.len(),
                    profile.sample_type.len()
                ))
            })?;
            // Negative weights only occur in diff profiles, which are not CPU time.
            let weight = u64::try_from(value).unwrap_or(0);
            if weight == 0 {
                continue;
            }
            // Leaf first, and within a location innermost first: reversed at the end.
            for &id in &sample.location_id {
                if let std::collections::hash_map::Entry::Vacant(slot) = frames_of.entry(id) {
                    let names = index.location_frames(index.location(id, n)?)?;
                    slot.insert(names.iter().map(|s| sanitize_frame(s)).collect());
                }
            }
            let mut leaf_first: Vec<&str> = sample
                .location_id
                .iter()
                .filter_map(|id| frames_of.get(id))
                .flatten()
                .map(String::as_str)
                .collect();
            if leaf_first.is_empty() {
                leaf_first.push("[no stack]");
            }
            leaf_first.reverse();
            let total = weights.entry(leaf_first.join(";")).or_insert(0);
            *total = total.saturating_add(weight);
        }
        Self::from_weights(weights, sample_unit, ProfileSource::GoPprof)
    }

    /// Parses the classic folded text (`root;…;leaf count` per line), as written by
    /// [`FoldedStacks::to_text`] or `inferno-collapse-*`. Repeated stacks are merged.
    pub fn from_folded_text(
        text: &str,
        sample_unit: &str,
        source: ProfileSource,
    ) -> Result<Self, ProfileError> {
        let mut weights = BTreeMap::<String, u64>::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim_end();
            if line.is_empty() {
                continue;
            }
            let parsed = line
                .rsplit_once(' ')
                .and_then(|(stack, count)| Some((stack.trim_end(), count.parse::<u64>().ok()?)));
            let Some((stack, count)) = parsed.filter(|(stack, _)| !stack.is_empty()) else {
                return Err(ProfileError::corrupt(format!(
                    "folded line {} is not `stack count`: {line:?}",
                    n + 1
                )));
            };
            let total = weights.entry(stack.to_string()).or_insert(0);
            *total = total.saturating_add(count);
        }
        Self::from_weights(weights, sample_unit.to_string(), source)
    }

    fn from_weights(
        weights: BTreeMap<String, u64>,
        sample_unit: String,
        source: ProfileSource,
    ) -> Result<Self, ProfileError> {
        let stacks: Vec<(String, u64)> = weights.into_iter().filter(|(_, w)| *w > 0).collect();
        let total = stacks
            .iter()
            .fold(0u64, |sum, (_, w)| sum.saturating_add(*w));
        if total == 0 {
            return Err(ProfileError::NoSamples);
        }
        Ok(Self {
            stacks,
            total,
            sample_unit,
            source,
        })
    }

    /// The classic folded format, one `stack weight` line each, newline-terminated.
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        for (stack, weight) in &self.stacks {
            text.push_str(stack);
            text.push(' ');
            text.push_str(&weight.to_string());
            text.push('\n');
        }
        text
    }

    /// The `n` functions with the largest self share (ties broken by total share, then
    /// name). A recursive function counts once per stack towards its total.
    pub fn top_functions(&self, n: usize) -> Vec<FunctionShare> {
        let mut self_weight: HashMap<&str, u64> = HashMap::new();
        let mut total_weight: HashMap<&str, u64> = HashMap::new();
        for (stack, weight) in &self.stacks {
            let mut seen = HashSet::new();
            for frame in stack.split(';') {
                if seen.insert(frame) {
                    let t = total_weight.entry(frame).or_insert(0);
                    *t = t.saturating_add(*weight);
                }
            }
            if let Some(leaf) = stack.rsplit(';').next() {
                let s = self_weight.entry(leaf).or_insert(0);
                *s = s.saturating_add(*weight);
            }
        }
        let total = self.total.max(1) as f64;
        let mut shares: Vec<FunctionShare> = total_weight
            .iter()
            .map(|(name, weight)| FunctionShare {
                name: (*name).to_string(),
                self_fraction: self_weight.get(name).copied().unwrap_or(0) as f64 / total,
                total_fraction: *weight as f64 / total,
            })
            .collect();
        shares.sort_by(|a, b| {
            b.self_fraction
                .total_cmp(&a.self_fraction)
                .then(b.total_fraction.total_cmp(&a.total_fraction))
                .then_with(|| a.name.cmp(&b.name))
        });
        shares.truncate(n);
        shares
    }

    /// True when some frame's name contains `needle`.
    pub fn contains_frame(&self, needle: &str) -> bool {
        self.stacks
            .iter()
            .any(|(stack, _)| stack.split(';').any(|frame| frame.contains(needle)))
    }
}

/// `;` separates frames and a line break ends a record in the folded format, so neither
/// may appear inside a name (Rust types such as `[u8; 8]` have a `;`).
fn sanitize_frame(name: &str) -> String {
    name.replace(';', ",").replace(['\n', '\r'], " ")
}

/// Index of the sample value to fold by: `cpu`, else `samples`, else the declared
/// default, else the last one.
fn chosen_value_index(profile: &Profile, index: &ProfileIndex<'_>) -> Result<usize, ProfileError> {
    let mut types = Vec::with_capacity(profile.sample_type.len());
    for value_type in &profile.sample_type {
        types.push(index.string(value_type.r#type, "a sample type")?);
    }
    let default_type = if profile.default_sample_type != 0 {
        Some(index.string(profile.default_sample_type, "the default sample type")?)
    } else {
        None
    };
    let position = |wanted: &str| types.iter().position(|t| *t == wanted);
    position("cpu")
        .or_else(|| position("samples"))
        .or_else(|| default_type.and_then(position))
        .or_else(|| types.len().checked_sub(1))
        .ok_or_else(|| ProfileError::corrupt("the profile declares no sample types"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::pprof::{Function, Line, Location, Sample, ValueType};

    /// `main` calls `handler` (location 2), in which `encode` was inlined into `write`
    /// (location 1, innermost first); a second sample stops in `handler` itself.
    fn hand_built() -> Profile {
        let strings = [
            "",
            "samples",
            "count",
            "cpu",
            "nanoseconds",
            "main",
            "handler",
            "write",
            "encode",
        ];
        let line = |function_id| Line {
            function_id,
            line: 1,
            column: 0,
        };
        Profile {
            sample_type: vec![
                ValueType { r#type: 1, unit: 2 },
                ValueType { r#type: 3, unit: 4 },
            ],
            sample: vec![
                Sample {
                    location_id: vec![1, 2, 3],
                    value: vec![3, 30_000_000],
                    label: vec![],
                },
                Sample {
                    location_id: vec![2, 3],
                    value: vec![1, 10_000_000],
                    label: vec![],
                },
                // Same stack again: must merge with the first.
                Sample {
                    location_id: vec![1, 2, 3],
                    value: vec![1, 10_000_000],
                    label: vec![],
                },
            ],
            location: vec![
                Location {
                    id: 1,
                    line: vec![line(4), line(3)],
                    ..Default::default()
                },
                Location {
                    id: 2,
                    line: vec![line(2)],
                    ..Default::default()
                },
                Location {
                    id: 3,
                    line: vec![line(1)],
                    ..Default::default()
                },
            ],
            function: ["main", "handler", "write", "encode"]
                .iter()
                .enumerate()
                .map(|(i, _)| Function {
                    id: i as u64 + 1,
                    name: i as i64 + 5,
                    ..Default::default()
                })
                .collect(),
            string_table: strings.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn folding_expands_inlined_frames_root_first_and_prefers_cpu_time() {
        let folded = FoldedStacks::from_pprof(&hand_built()).unwrap();
        assert_eq!(
            folded.to_text(),
            "main;handler 10000000\nmain;handler;write;encode 40000000\n"
        );
        assert_eq!(folded.total, 50_000_000);
        assert_eq!(folded.sample_unit, "nanoseconds");
        assert_eq!(folded.source, ProfileSource::GoPprof);
    }

    #[test]
    fn without_a_cpu_value_the_sample_count_is_used() {
        let mut profile = hand_built();
        profile.sample_type.truncate(1);
        for sample in &mut profile.sample {
            sample.value.truncate(1);
        }
        let folded = FoldedStacks::from_pprof(&profile).unwrap();
        assert_eq!(
            folded.stacks,
            vec![
                ("main;handler".to_string(), 1),
                ("main;handler;write;encode".to_string(), 4)
            ]
        );
        assert_eq!(folded.sample_unit, "count");
    }

    #[test]
    fn only_zero_weights_means_no_samples() {
        let mut profile = hand_built();
        for sample in &mut profile.sample {
            sample.value = vec![0, 0];
        }
        assert!(matches!(
            FoldedStacks::from_pprof(&profile),
            Err(ProfileError::NoSamples)
        ));
    }

    #[test]
    fn top_functions_splits_self_from_total() {
        let folded = FoldedStacks::from_pprof(&hand_built()).unwrap();
        let top = folded.top_functions(3);
        let names: Vec<&str> = top.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["encode", "handler", "main"]);
        assert!((top[0].self_fraction - 0.8).abs() < 1e-9);
        assert!((top[0].total_fraction - 0.8).abs() < 1e-9);
        assert!((top[1].self_fraction - 0.2).abs() < 1e-9);
        assert!((top[1].total_fraction - 1.0).abs() < 1e-9);
        assert_eq!(top[2].self_fraction, 0.0);
        assert!((top[2].total_fraction - 1.0).abs() < 1e-9);
    }

    #[test]
    fn recursion_counts_once_towards_total() {
        let folded =
            FoldedStacks::from_folded_text("a;b;a 2\nc 2\n", "samples", ProfileSource::Perf)
                .unwrap();
        let a = folded
            .top_functions(10)
            .into_iter()
            .find(|s| s.name == "a")
            .unwrap();
        assert!((a.total_fraction - 0.5).abs() < 1e-9);
        assert!((a.self_fraction - 0.5).abs() < 1e-9);
    }

    #[test]
    fn contains_frame_matches_within_one_frame_only() {
        let folded = FoldedStacks::from_pprof(&hand_built()).unwrap();
        assert!(folded.contains_frame("hand"));
        assert!(folded.contains_frame("encode"));
        assert!(!folded.contains_frame("handler;write"));
        assert!(!folded.contains_frame("absent"));
    }

    #[test]
    fn folded_text_round_trips_and_merges_duplicates() {
        let text = "x;y 3\nx 1\nx;y 2\n\n";
        let folded = FoldedStacks::from_folded_text(text, "samples", ProfileSource::Perf).unwrap();
        assert_eq!(folded.to_text(), "x 1\nx;y 5\n");
        assert_eq!(folded.total, 6);
        let again =
            FoldedStacks::from_folded_text(&folded.to_text(), "samples", ProfileSource::Perf)
                .unwrap();
        assert_eq!(again, folded);
    }

    #[test]
    fn frame_names_with_spaces_keep_them() {
        let text = "main;<T as core::fmt::Debug>::fmt 7\n";
        let folded = FoldedStacks::from_folded_text(text, "samples", ProfileSource::Perf).unwrap();
        assert_eq!(
            folded.stacks,
            vec![("main;<T as core::fmt::Debug>::fmt".to_string(), 7)]
        );
    }

    #[test]
    fn malformed_folded_lines_are_rejected() {
        for bad in ["no-count-here\n", "a;b x\n", " 5\n"] {
            let err =
                FoldedStacks::from_folded_text(bad, "samples", ProfileSource::Perf).unwrap_err();
            assert!(
                matches!(err, ProfileError::Corrupt { .. }),
                "{bad:?}: {err}"
            );
        }
    }

    #[test]
    fn semicolons_in_names_do_not_split_frames() {
        assert_eq!(sanitize_frame("drop<[u8; 8]>"), "drop<[u8, 8]>");
    }

    #[test]
    fn serde_round_trip() {
        let folded = FoldedStacks::from_pprof(&hand_built()).unwrap();
        let json = serde_json::to_string(&folded).unwrap();
        assert!(json.contains("\"go_pprof\""), "{json}");
        assert_eq!(serde_json::from_str::<FoldedStacks>(&json).unwrap(), folded);
    }
}
