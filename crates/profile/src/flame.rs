//! Flame graph SVGs drawn by inferno from folded stacks.

use crate::error::ProfileError;
use crate::folded::FoldedStacks;

/// How to draw a flame graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlameOptions {
    /// Shown on top, e.g. "axum — GET /json".
    pub title: String,
    /// Shown under the title, e.g. the load and duration; none when `None`.
    pub subtitle: Option<String>,
    /// Width in pixels; `None` makes the SVG fill its container (fluid width).
    pub width: Option<usize>,
}

impl Default for FlameOptions {
    fn default() -> Self {
        Self {
            title: "CPU flame graph".into(),
            subtitle: None,
            width: None,
        }
    }
}

/// Draws `stacks` as an interactive flame graph SVG (inferno's, with its inline script
/// for zoom and search). The same input always gives byte-identical output: colours
/// come from a hash of each frame name instead of a random generator, so reports can
/// be compared and the SVG can be embedded inline in the HTML report (it references no
/// external file).
pub fn flamegraph_svg(
    stacks: &FoldedStacks,
    options: &FlameOptions,
) -> Result<String, ProfileError> {
    if stacks.stacks.is_empty() || stacks.total == 0 {
        return Err(ProfileError::NoSamples);
    }
    let mut inferno_options = inferno::flamegraph::Options::default();
    inferno_options.title = options.title.clone();
    inferno_options.subtitle = options.subtitle.clone();
    inferno_options.image_width = options.width;
    inferno_options.deterministic = true;
    inferno_options.count_name = stacks.sample_unit.clone();
    let lines: Vec<String> = stacks
        .stacks
        .iter()
        .map(|(stack, weight)| format!("{stack} {weight}"))
        .collect();
    let mut svg = Vec::new();
    inferno::flamegraph::from_lines(
        &mut inferno_options,
        lines.iter().map(String::as_str),
        &mut svg,
    )
    .map_err(|e| ProfileError::Flamegraph {
        reason: e.to_string(),
    })?;
    String::from_utf8(svg).map_err(|e| ProfileError::Flamegraph {
        reason: format!("the SVG is not UTF-8 ({e})"),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::folded::ProfileSource;

    fn sample() -> FoldedStacks {
        FoldedStacks::from_folded_text(
            "main;serve;handle_json 70\nmain;serve;parse<T; 2> 20\nmain;gc 10\n",
            "samples",
            ProfileSource::Perf,
        )
        .unwrap()
    }

    #[test]
    fn same_input_gives_the_same_svg() {
        let options = FlameOptions {
            title: "test <graph>".into(),
            subtitle: Some("3 s".into()),
            width: Some(1200),
        };
        let first = flamegraph_svg(&sample(), &options).unwrap();
        let second = flamegraph_svg(&sample(), &options).unwrap();
        assert_eq!(first, second);
        assert!(first.contains("handle_json"));
        assert!(first.contains("test &lt;graph&gt;"));
        assert!(first.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn the_svg_references_no_external_resource() {
        let svg = flamegraph_svg(&sample(), &FlameOptions::default()).unwrap();
        for external in ["href=\"http", "src=\"", "<image", "@import", "url(http"] {
            assert!(!svg.contains(external), "{external} found in the SVG");
        }
    }

    #[test]
    fn an_empty_profile_cannot_be_drawn() {
        let empty = FoldedStacks {
            stacks: vec![],
            total: 0,
            sample_unit: "samples".into(),
            source: ProfileSource::Perf,
        };
        assert!(matches!(
            flamegraph_svg(&empty, &FlameOptions::default()),
            Err(ProfileError::NoSamples)
        ));
    }
}
