//! The radar's four axes and the figures a caller hands in for each subject.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One of the radar's axes, in the radar's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Axis {
    /// Throughput and latency across the suite's workloads.
    Performance,
    /// Ecosystem maturity (stars, forks, releases, decoupling).
    Ecosystem,
    /// OpenTelemetry conformance (tracer, propagator, metric exporter).
    Observability,
    /// Hot-reload grade with a dev-loop tool.
    HotReload,
}

impl Axis {
    /// All axes in the radar's order: Performance, Ecosystem, Observability, Hot reload.
    pub const ALL: [Axis; 4] = [
        Axis::Performance,
        Axis::Ecosystem,
        Axis::Observability,
        Axis::HotReload,
    ];

    /// The key used in weights files and JSON: `performance`, `ecosystem`,
    /// `observability`, `hot_reload`.
    pub fn key(self) -> &'static str {
        match self {
            Axis::Performance => "performance",
            Axis::Ecosystem => "ecosystem",
            Axis::Observability => "observability",
            Axis::HotReload => "hot_reload",
        }
    }

    /// The axis's title on the radar chart.
    pub fn label(self) -> &'static str {
        match self {
            Axis::Performance => "Performance",
            Axis::Ecosystem => "Ecosystem",
            Axis::Observability => "Observability",
            Axis::HotReload => "Hot reload",
        }
    }

    /// How the axis reads inside a sentence ("performance 0.92 of the best").
    pub(crate) fn phrase(self) -> &'static str {
        match self {
            Axis::Performance => "performance",
            Axis::Ecosystem => "ecosystem maturity",
            Axis::Observability => "OpenTelemetry support",
            Axis::HotReload => "hot reload",
        }
    }

    /// Position in [`Axis::ALL`] (0..4).
    pub fn index(self) -> usize {
        match self {
            Axis::Performance => 0,
            Axis::Ecosystem => 1,
            Axis::Observability => 2,
            Axis::HotReload => 3,
        }
    }

    /// The axis whose [`Axis::key`] is `key`.
    pub fn from_key(key: &str) -> Option<Axis> {
        Axis::ALL.into_iter().find(|axis| axis.key() == key)
    }
}

impl std::fmt::Display for Axis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// One value per axis. The field names are the axes' keys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PerAxis<T> {
    /// Performance.
    pub performance: T,
    /// Ecosystem maturity.
    pub ecosystem: T,
    /// Observability (OpenTelemetry).
    pub observability: T,
    /// Hot reload.
    pub hot_reload: T,
}

impl<T> PerAxis<T> {
    /// Builds the four values from a function of the axis.
    pub fn from_fn(mut f: impl FnMut(Axis) -> T) -> Self {
        PerAxis {
            performance: f(Axis::Performance),
            ecosystem: f(Axis::Ecosystem),
            observability: f(Axis::Observability),
            hot_reload: f(Axis::HotReload),
        }
    }

    /// The value for `axis`.
    pub fn get(&self, axis: Axis) -> &T {
        match axis {
            Axis::Performance => &self.performance,
            Axis::Ecosystem => &self.ecosystem,
            Axis::Observability => &self.observability,
            Axis::HotReload => &self.hot_reload,
        }
    }

    /// The value for `axis`, mutably.
    pub fn get_mut(&mut self, axis: Axis) -> &mut T {
        match axis {
            Axis::Performance => &mut self.performance,
            Axis::Ecosystem => &mut self.ecosystem,
            Axis::Observability => &mut self.observability,
            Axis::HotReload => &mut self.hot_reload,
        }
    }

    /// The four values in radar order.
    pub fn to_array(&self) -> [&T; 4] {
        [
            &self.performance,
            &self.ecosystem,
            &self.observability,
            &self.hot_reload,
        ]
    }
}

/// One raw axis figure of one subject.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AxisValue {
    /// The figure, higher is better, finite and ≥ 0, in any unit: only ratios between
    /// subjects on the same axis matter. E.g. performance = geometric mean over the
    /// workloads of requests/s relative to the best subject; ecosystem = the weighted
    /// sum of DESIGN.md's four signals; observability = checks passed; hot reload = the
    /// grade as a number (A = 4 … D = 1).
    pub value: f64,
    /// How many runs old the figure is: 0 = measured in this run; n = carried over from
    /// the run n runs before (the offline ecosystem snapshot, a probe skipped this
    /// time). Old figures count for less: they are multiplied by `0.95^n`.
    pub age_runs: u32,
}

impl AxisValue {
    /// A figure measured in this run.
    pub fn fresh(value: f64) -> Self {
        AxisValue { value, age_runs: 0 }
    }

    /// A figure carried over from `age_runs` runs ago.
    pub fn aged(value: f64, age_runs: u32) -> Self {
        AxisValue { value, age_runs }
    }
}

/// The raw axis figures of one subject; `None` where the axis was not measured.
pub type AxisValues = PerAxis<Option<AxisValue>>;

/// What the scorer knows about one subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectFigures {
    /// The subject's name (unique within one scoring, not empty).
    pub name: String,
    /// The radar's axes.
    pub axes: AxisValues,
    /// Raw figures beside the axes that recommendation profiles may weigh, keyed by
    /// figure name (see the crate documentation for the conventional names). Each
    /// profile says per figure whether higher or lower is better; the map itself holds
    /// plain values in their natural unit (bytes, seconds, lines, requests/s).
    #[serde(default)]
    pub extras: BTreeMap<String, f64>,
}

impl SubjectFigures {
    /// A subject with no figures yet.
    pub fn new(name: impl Into<String>) -> Self {
        SubjectFigures {
            name: name.into(),
            axes: AxisValues::default(),
            extras: BTreeMap::new(),
        }
    }

    /// Sets one axis figure (builder style).
    pub fn with_axis(mut self, axis: Axis, value: AxisValue) -> Self {
        *self.axes.get_mut(axis) = Some(value);
        self
    }

    /// Sets one extra figure (builder style).
    pub fn with_extra(mut self, figure: impl Into<String>, value: f64) -> Self {
        self.extras.insert(figure.into(), value);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_follow_radar_order() {
        for (i, axis) in Axis::ALL.into_iter().enumerate() {
            assert_eq!(axis.index(), i);
            assert_eq!(Axis::from_key(axis.key()), Some(axis));
        }
        assert_eq!(Axis::from_key("speed"), None);
        let json = serde_json::to_string(&Axis::HotReload).unwrap();
        assert_eq!(json, "\"hot_reload\"");
    }

    #[test]
    fn per_axis_accessors_agree() {
        let mut values = PerAxis::from_fn(|axis| axis.index() * 10);
        assert_eq!(values.to_array(), [&0, &10, &20, &30]);
        *values.get_mut(Axis::Observability) = 7;
        assert_eq!(*values.get(Axis::Observability), 7);
        assert_eq!(values.observability, 7);
    }

    #[test]
    fn builder_sets_axes_and_extras() {
        let subject = SubjectFigures::new("gin")
            .with_axis(Axis::Ecosystem, AxisValue::aged(0.8, 2))
            .with_extra("binary_bytes", 1e6);
        assert_eq!(subject.axes.ecosystem, Some(AxisValue::aged(0.8, 2)));
        assert_eq!(subject.axes.performance, None);
        assert_eq!(subject.extras["binary_bytes"], 1e6);
    }

    #[test]
    fn subject_figures_deserialise_without_extras() {
        let json = r#"{"name":"chi","axes":{"performance":{"value":1.5,"age_runs":0},
            "ecosystem":null,"observability":null,"hot_reload":null}}"#;
        let subject: SubjectFigures = serde_json::from_str(json).unwrap();
        assert_eq!(subject.axes.performance, Some(AxisValue::fresh(1.5)));
        assert!(subject.extras.is_empty());
    }
}
