//! The radar chart's series.

use crate::axis::Axis;
use crate::scoreboard::Scoreboard;
use serde::{Deserialize, Serialize};

/// One subject's polygon on the radar, in axis order (Performance, Ecosystem,
/// Observability, Hot reload; see [`Axis::ALL`] and [`Axis::label`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RadarSeries {
    /// The subject's name (the legend entry).
    pub name: String,
    /// Its rank on the scoreboard.
    pub rank: usize,
    /// The radar values `max(0.05, weight × value × decay / max)`; `None` where the
    /// subject has no figure (no point is drawn).
    pub points: [Option<f64>; 4],
    /// The unweighted values `value × decay / max` in [0, 1], for the hover text.
    pub normalised: [Option<f64>; 4],
    /// The caller's raw figures, for the hover text.
    pub raw: [Option<f64>; 4],
}

/// The scoreboard's subjects as radar series, best first.
pub fn radar_points(board: &Scoreboard) -> Vec<RadarSeries> {
    board
        .subjects
        .iter()
        .map(|subject| {
            let per_axis = |f: fn(&crate::scoreboard::AxisScore) -> f64| {
                Axis::ALL.map(|axis| subject.axes.get(axis).as_ref().map(f))
            };
            RadarSeries {
                name: subject.name.clone(),
                rank: subject.rank,
                points: per_axis(|s| s.radar),
                normalised: per_axis(|s| s.normalised),
                raw: per_axis(|s| s.value),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::axis::{AxisValue, SubjectFigures};
    use crate::scoreboard::score;
    use crate::weights::Weights;

    #[test]
    fn series_follow_axis_order_and_leave_gaps() {
        let subjects = vec![
            SubjectFigures::new("gin")
                .with_axis(Axis::Performance, AxisValue::fresh(50_000.0))
                .with_axis(Axis::HotReload, AxisValue::fresh(3.0)),
            SubjectFigures::new("chi")
                .with_axis(Axis::Performance, AxisValue::fresh(25_000.0))
                .with_axis(Axis::Ecosystem, AxisValue::fresh(0.5))
                .with_axis(Axis::HotReload, AxisValue::fresh(4.0)),
        ];
        let board = score(&subjects, &Weights::default()).unwrap();
        let series = radar_points(&board);
        let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            board
                .subjects
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
        );

        let gin = series.iter().find(|s| s.name == "gin").unwrap();
        assert_eq!(gin.raw, [Some(50_000.0), None, None, Some(3.0)]);
        assert_eq!(gin.normalised, [Some(1.0), None, None, Some(0.75)]);
        let points = gin.points;
        assert!((points[0].unwrap() - 0.4).abs() < 1e-12);
        assert_eq!((points[1], points[2]), (None, None));
        assert!((points[3].unwrap() - 0.15).abs() < 1e-12);

        let chi = series.iter().find(|s| s.name == "chi").unwrap();
        assert!((chi.points[1].unwrap() - 0.2).abs() < 1e-12);
        assert_eq!(chi.rank, board.subject("chi").unwrap().rank);
    }
}
