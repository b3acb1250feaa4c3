//! Ordering several subjects on one figure, marking neighbours that are within noise.

use serde::{Deserialize, Serialize};

use crate::compare::{CompareConfig, Comparison, Direction, Verdict, compare_summarised};
use crate::error::StatsError;
use crate::summary::Summary;

/// One subject's place in a ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankEntry {
    /// The sample's name as given.
    pub name: String,
    /// 1-based rank. Entries in one tie group share the rank of the group's first
    /// entry, and the next group's rank counts every entry before it ("1, 1, 3").
    pub rank: usize,
    /// The sample's summary.
    pub summary: Summary,
    /// True when this entry is within noise of the entry just above it.
    pub tied_with_previous: bool,
    /// This entry compared with the entry just above it (A = this entry); None for
    /// the first.
    pub versus_previous: Option<Comparison>,
}

/// Orders named samples best first by median (highest first when higher is better),
/// and groups ties: an entry whose comparison with the entry just above it is
/// [`Verdict::WithinNoise`] joins that entry's group. Groups are chains, so A ~ B and
/// B ~ C put A and C in one group even when A and C differ.
///
/// Equal medians keep the input order. Errors name the sample at fault
/// ([`StatsError::InSample`]); an invalid config is reported as such.
pub fn rank<N, V>(
    samples: &[(N, V)],
    direction: Direction,
    config: &CompareConfig,
) -> Result<Vec<RankEntry>, StatsError>
where
    N: AsRef<str>,
    V: AsRef<[f64]>,
{
    config.validate()?;
    let mut summarised = samples
        .iter()
        .map(|(name, values)| {
            Summary::of(values.as_ref(), &config.bootstrap)
                .map(|summary| (name.as_ref(), values.as_ref(), summary))
                .map_err(|source| StatsError::InSample {
                    name: name.as_ref().to_string(),
                    source: Box::new(source),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    summarised.sort_by(|x, y| {
        let ascending = x.2.median.total_cmp(&y.2.median);
        match direction {
            Direction::HigherIsBetter => ascending.reverse(),
            Direction::LowerIsBetter => ascending,
        }
    });

    let mut entries: Vec<RankEntry> = Vec::with_capacity(summarised.len());
    for (position, (name, values, summary)) in summarised.iter().enumerate() {
        let versus_previous = match position.checked_sub(1).map(|p| &summarised[p]) {
            Some((_, previous_values, previous_summary)) => Some(compare_summarised(
                values,
                previous_values,
                summary.clone(),
                previous_summary.clone(),
                direction,
                config,
            )?),
            None => None,
        };
        let tied_with_previous = versus_previous
            .as_ref()
            .is_some_and(|comparison| comparison.verdict == Verdict::WithinNoise);
        let rank = match entries.last() {
            Some(previous) if tied_with_previous => previous.rank,
            _ => position + 1,
        };
        entries.push(RankEntry {
            name: (*name).to_string(),
            rank,
            summary: summary.clone(),
            tied_with_previous,
            versus_previous,
        });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::BootstrapConfig;

    fn config() -> CompareConfig {
        CompareConfig {
            bootstrap: BootstrapConfig {
                resamples: 1_000,
                ..BootstrapConfig::for_label("rank-tests")
            },
            ..CompareConfig::default()
        }
    }

    #[test]
    fn orders_best_first_and_groups_noise() {
        let samples = [
            ("gin", vec![90.0, 91.0, 89.0, 90.5, 90.2]),
            ("actix", vec![120.0, 121.0, 119.0, 120.4, 120.8]),
            ("axum", vec![119.5, 121.5, 118.5, 120.1, 120.9]),
            ("stdlib", vec![100.0, 101.0, 99.0, 100.5, 100.2]),
        ];
        let ranking = rank(&samples, Direction::HigherIsBetter, &config()).unwrap();
        let names: Vec<&str> = ranking.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["actix", "axum", "stdlib", "gin"]);
        let ranks: Vec<usize> = ranking.iter().map(|e| e.rank).collect();
        assert_eq!(ranks, [1, 1, 3, 4]);
        let ties: Vec<bool> = ranking.iter().map(|e| e.tied_with_previous).collect();
        assert_eq!(ties, [false, true, false, false]);
        assert!(ranking[0].versus_previous.is_none());
        assert_eq!(
            ranking[2].versus_previous.as_ref().unwrap().verdict,
            Verdict::Worse
        );
    }

    #[test]
    fn lower_is_better_puts_smallest_first() {
        let samples = [
            ("slow", [9.0, 9.5, 9.2, 9.1]),
            ("fast", [1.0, 1.2, 1.1, 1.05]),
        ];
        let ranking = rank(&samples, Direction::LowerIsBetter, &config()).unwrap();
        assert_eq!(ranking[0].name, "fast");
        assert_eq!(ranking[1].rank, 2);
        assert!(!ranking[1].tied_with_previous);
    }

    #[test]
    fn equal_medians_keep_input_order_and_tie() {
        let samples = [("first", [5.0, 5.0]), ("second", [5.0, 5.0])];
        let ranking = rank(&samples, Direction::HigherIsBetter, &config()).unwrap();
        assert_eq!(ranking[0].name, "first");
        assert_eq!(ranking[1].rank, 1);
        assert!(ranking[1].tied_with_previous);
    }

    #[test]
    fn errors_name_the_sample() {
        let samples: [(&str, &[f64]); 2] = [("good", &[1.0]), ("bad", &[f64::NAN])];
        let err = rank(&samples, Direction::HigherIsBetter, &config()).unwrap_err();
        assert!(matches!(&err, StatsError::InSample { name, .. } if name == "bad"));
        assert!(
            err.to_string()
                .starts_with("sample \"bad\": values[0] is NaN"),
            "{err}"
        );
        let empty: [(&str, &[f64]); 0] = [];
        assert!(
            rank(&empty, Direction::HigherIsBetter, &config())
                .unwrap()
                .is_empty()
        );
    }
}
