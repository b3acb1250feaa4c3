//! The report's charts, drawn here as inline SVG so the page needs no charting library
//! and shows every chart even with scripts off. The page script only adds behaviour:
//! the tooltip (any element with `data-tip`) and the radar's toggles, which redraw the
//! radar with the same geometry as [`radar`] (see `report.js`).

use super::esc;
use crate::format;
use crate::lang::{Lang, Text};
use crate::model::{RunReport, Weights};
use crate::view::{self, Axis};
use std::fmt::Write as _;

/// `write!` into a `String`, which cannot fail.
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

/// Radar geometry; `report.js` reads it from the SVG's `data-*` attributes.
const RADAR_WIDTH: f64 = 640.0;
const RADAR_HEIGHT: f64 = 470.0;
const RADAR_CX: f64 = 320.0;
const RADAR_CY: f64 = 235.0;
const RADAR_R: f64 = 165.0;
/// Distance of an axis label beyond the outer ring.
const RADAR_LABEL_GAP: f64 = 18.0;

/// The angle of the `j`-th of `k` visible axes: the first points up, then clockwise.
fn axis_angle(j: usize, k: usize) -> f64 {
    -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * j as f64 / k.max(1) as f64
}

/// A point at `radius` along `angle` from the radar's centre.
fn polar(angle: f64, radius: f64) -> (f64, f64) {
    (
        RADAR_CX + radius * angle.cos(),
        RADAR_CY + radius * angle.sin(),
    )
}

/// Where an axis label goes and how it is anchored, so that labels on the left end at
/// the axis and labels on the right start there. `report.js` has the same rule.
fn label_placement(angle: f64) -> (f64, f64, &'static str, &'static str) {
    let (x, y) = polar(angle, RADAR_R + RADAR_LABEL_GAP);
    let (c, s) = (angle.cos(), angle.sin());
    let anchor = if c > 0.3 {
        "start"
    } else if c < -0.3 {
        "end"
    } else {
        "middle"
    };
    let baseline = if s < -0.3 {
        "auto"
    } else if s > 0.3 {
        "hanging"
    } else {
        "middle"
    };
    (x, y, anchor, baseline)
}

/// The radius scale's top: the largest weight (the best a subject can reach on an axis)
/// or a larger value, should the model hold one.
fn radar_scale(report: &RunReport, weights: &[Option<f64>]) -> f64 {
    let values = report
        .radar
        .series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied());
    weights
        .iter()
        .flatten()
        .copied()
        .chain(values)
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold(0.0_f64, f64::max)
        .max(1e-9)
}

fn radar_value(v: Option<f64>) -> f64 {
    v.filter(|v| v.is_finite() && *v > 0.0).unwrap_or(0.0)
}

fn points(values: &[f64], scale: f64) -> String {
    let k = values.len();
    values
        .iter()
        .enumerate()
        .map(|(j, v)| {
            let (x, y) = polar(axis_angle(j, k), RADAR_R * v / scale);
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn data_values(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// The radar: one polygon per subject over the axes, the weights as a dashed outline
/// (the best reachable shape), a vertex per value carrying its raw figure, clickable
/// axis labels, and the legends that toggle subjects and axes.
pub(super) fn radar(out: &mut String, report: &RunReport, t: Lang) {
    let radar = &report.radar;
    let k = radar.axes.len();
    let weights: Vec<Option<f64>> = radar
        .axes
        .iter()
        .map(|a| Axis::from_name(a).map(|axis| axis.weight(&report.run.weights)))
        .collect();
    let scale = radar_scale(report, &weights);
    let labels: Vec<String> = radar.axes.iter().map(|a| view::axis_label(a, t)).collect();
    w!(
        out,
        r#"<svg id="radar-chart" class="chart radar" viewBox="0 0 {RADAR_WIDTH} {RADAR_HEIGHT}" role="img" aria-label="{}" data-cx="{RADAR_CX}" data-cy="{RADAR_CY}" data-r="{RADAR_R}" data-gap="{RADAR_LABEL_GAP}" data-scale="{scale}">"#,
        esc(t.s(Text::SecRadar))
    );
    // Rings at quarters of the scale, labelled with the value they stand for.
    out.push_str(r#"<g class="rings">"#);
    for quarter in 1..=4 {
        let fraction = f64::from(quarter) / 4.0;
        let r = RADAR_R * fraction;
        w!(
            out,
            r#"<circle cx="{RADAR_CX}" cy="{RADAR_CY}" r="{r:.1}"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            RADAR_CX - 8.0,
            RADAR_CY - r - 3.0,
            format::num(scale * fraction, 2)
        );
    }
    out.push_str("</g><g class=\"axes\">");
    for j in 0..k {
        let (x, y) = polar(axis_angle(j, k), RADAR_R);
        w!(
            out,
            r#"<line class="axis" data-axis="{j}" x1="{RADAR_CX}" y1="{RADAR_CY}" x2="{x:.1}" y2="{y:.1}"/>"#
        );
    }
    out.push_str("</g>");
    let weight_values: Vec<f64> = weights.iter().map(|w| radar_value(*w)).collect();
    if weights.iter().any(Option::is_some) {
        w!(
            out,
            r#"<polygon class="max-shape" data-values="{}" points="{}"/>"#,
            data_values(&weight_values),
            points(&weight_values, scale)
        );
    }
    // Drawn last is drawn on top: the best-ranked subject goes last.
    for (index, series) in radar.series.iter().enumerate().rev() {
        let colour = view::subject_colour(report, &series.subject);
        let values: Vec<f64> = (0..k)
            .map(|j| radar_value(series.values.get(j).copied().flatten()))
            .collect();
        w!(
            out,
            r#"<g class="series" data-series="{index}" data-subject="{}" style="--c:{colour}"><polygon class="area" data-values="{}" points="{}"/>"#,
            esc(&series.subject),
            data_values(&values),
            points(&values, scale)
        );
        for j in 0..k {
            let value = series.values.get(j).copied().flatten();
            let raw = series
                .raw
                .get(j)
                .and_then(|r| r.as_deref())
                .unwrap_or_else(|| t.s(Text::NotMeasured));
            let score = match value {
                Some(v) => t.fill(
                    Text::RadarTip,
                    &[
                        ("value", &format::num(v, 2)),
                        (
                            "weight",
                            &weights[j]
                                .map_or_else(|| format::DASH.to_string(), |w| format::num(w, 2)),
                        ),
                    ],
                ),
                None => t.s(Text::NotMeasured).to_string(),
            };
            let tip = format!("{} · {}: {raw} ({score})", series.subject, labels[j]);
            let (x, y) = polar(axis_angle(j, k), RADAR_R * values[j] / scale);
            let missing = if value.is_some() { "" } else { " missing" };
            w!(
                out,
                r#"<circle class="vertex{missing}" data-axis="{j}" data-value="{}" data-raw="{}" data-tip="{}" cx="{x:.1}" cy="{y:.1}" r="5"/>"#,
                values[j],
                esc(raw),
                esc(&tip)
            );
        }
        out.push_str("</g>");
    }
    out.push_str(r#"<g class="labels">"#);
    for (j, label) in labels.iter().enumerate() {
        let (x, y, anchor, baseline) = label_placement(axis_angle(j, k));
        let weight = weights[j].map_or_else(String::new, |w| format!(" ({})", format::num(w, 2)));
        w!(
            out,
            r#"<text class="axis-label" data-axis="{j}" x="{x:.1}" y="{y:.1}" text-anchor="{anchor}" dominant-baseline="{baseline}" tabindex="0" role="button">{}{weight}</text>"#,
            esc(label)
        );
    }
    out.push_str("</g></svg>");

    // The legends: real buttons, so they work from the keyboard too.
    w!(
        out,
        r#"<div class="legend" role="group" aria-label="{0}"><span class="legend-title">{0}</span>"#,
        esc(t.s(Text::Subjects))
    );
    for (index, series) in radar.series.iter().enumerate() {
        let colour = view::subject_colour(report, &series.subject);
        w!(
            out,
            r#"<button type="button" class="legend-item" data-series="{index}" aria-pressed="true"><span class="swatch" style="background:{colour}"></span>{}</button>"#,
            esc(&series.subject)
        );
    }
    w!(
        out,
        r#"</div><div class="legend" role="group" aria-label="{0}"><span class="legend-title">{0}</span>"#,
        esc(t.s(Text::Axes))
    );
    for (j, label) in labels.iter().enumerate() {
        w!(
            out,
            r#"<button type="button" class="axis-toggle" data-axis="{j}" aria-pressed="true">{}</button>"#,
            esc(label)
        );
    }
    out.push_str("</div>");
}

/// One bar of a horizontal bar chart.
#[derive(Debug, Clone)]
pub(super) struct Bar {
    /// Shown left of the bar (already plain text; escaped here).
    pub label: String,
    pub colour: &'static str,
    /// `None` draws no bar, only `value_text`.
    pub value: Option<f64>,
    /// The confidence interval, drawn as a whisker.
    pub interval: Option<(f64, f64)>,
    pub value_text: String,
    pub tip: String,
    /// Draw "≈" joining this bar to the one above, with this explanation.
    pub within_noise: Option<String>,
}

const BAR_WIDTH: f64 = 900.0;
const BAR_LABEL: f64 = 150.0;
/// Room right of the longest bar for its value and a "≈ within noise" mark.
const BAR_RIGHT: f64 = 290.0;
/// The width of one character of a value label, to place the noise mark after it.
const BAR_CHAR: f64 = 7.2;
const BAR_ROW: f64 = 30.0;
const BAR_HEIGHT: f64 = 18.0;
const BAR_TOP: f64 = 8.0;
const BAR_AXIS: f64 = 26.0;

/// A step of 1, 2 or 5 × 10ⁿ giving about five ticks up to `max`.
fn nice_step(max: f64) -> f64 {
    if !max.is_finite() || max <= 0.0 {
        return 1.0;
    }
    let rough = max / 5.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * magnitude)
}

/// A horizontal bar chart: bars from zero, CI whiskers, the value right of it, and an
/// "≈" bracket between neighbours within noise.
pub(super) fn bars(out: &mut String, bars: &[Bar], aria: &str, t: Lang) {
    let top = bars
        .iter()
        .flat_map(|b| {
            b.value
                .into_iter()
                .chain(b.interval.into_iter().flat_map(|(lo, hi)| [lo, hi]))
        })
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let step = nice_step(top);
    let axis_max = if top > 0.0 {
        (top / step).ceil() * step
    } else {
        1.0
    };
    let span = BAR_WIDTH - BAR_LABEL - BAR_RIGHT;
    let x_of = |v: f64| BAR_LABEL + span * (v.clamp(0.0, axis_max) / axis_max);
    let height = BAR_TOP + BAR_ROW * bars.len() as f64 + BAR_AXIS;
    let plot_bottom = BAR_TOP + BAR_ROW * bars.len() as f64;
    w!(
        out,
        r#"<svg class="chart bars" viewBox="0 0 {BAR_WIDTH} {height}" role="img" aria-label="{}">"#,
        esc(aria)
    );
    // Grid and ticks.
    out.push_str(r#"<g class="grid">"#);
    let mut tick = 0.0;
    while tick <= axis_max * 1.000_001 {
        let x = x_of(tick);
        w!(
            out,
            r#"<line x1="{x:.1}" y1="{BAR_TOP}" x2="{x:.1}" y2="{plot_bottom:.1}"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            plot_bottom + 16.0,
            format::tick(tick)
        );
        tick += step;
    }
    out.push_str("</g>");
    // Where each row's value label ends, so a noise mark can sit just right of a pair.
    let mut label_ends: Vec<f64> = Vec::with_capacity(bars.len());
    for (i, bar) in bars.iter().enumerate() {
        let y = BAR_TOP + BAR_ROW * i as f64;
        let mid = y + BAR_ROW / 2.0;
        w!(
            out,
            r#"<g class="bar-row"><text class="bar-label" x="{:.1}" y="{mid:.1}" text-anchor="end" dominant-baseline="middle">{}</text>"#,
            BAR_LABEL - 8.0,
            esc(&bar.label)
        );
        let mut text_x = BAR_LABEL + 6.0;
        if let Some(value) = bar.value.filter(|v| v.is_finite()) {
            let x = x_of(value);
            w!(
                out,
                r#"<rect class="bar" x="{BAR_LABEL}" y="{:.1}" width="{:.1}" height="{BAR_HEIGHT}" fill="{}" data-tip="{}"/>"#,
                mid - BAR_HEIGHT / 2.0,
                (x - BAR_LABEL).max(0.5),
                bar.colour,
                esc(&bar.tip)
            );
            text_x = x + 6.0;
        }
        if let Some((lo, hi)) = bar
            .interval
            .filter(|(lo, hi)| lo.is_finite() && hi.is_finite())
        {
            let (x1, x2) = (x_of(lo), x_of(hi));
            let (c1, c2) = (mid - 6.0, mid + 6.0);
            w!(
                out,
                r#"<path class="whisker" d="M{x1:.1},{mid:.1}H{x2:.1}M{x1:.1},{c1:.1}V{c2:.1}M{x2:.1},{c1:.1}V{c2:.1}"/>"#
            );
            text_x = text_x.max(x2 + 6.0);
        }
        w!(
            out,
            r#"<text class="bar-value" x="{text_x:.1}" y="{mid:.1}" dominant-baseline="middle">{}</text></g>"#,
            esc(&bar.value_text)
        );
        label_ends.push(text_x + BAR_CHAR * bar.value_text.chars().count() as f64);
        if let Some(why) = &bar.within_noise
            && i > 0
        {
            let above = mid - BAR_ROW;
            let x = label_ends[i - 1].max(label_ends[i]) + 10.0;
            w!(
                out,
                r#"<g class="noise" data-tip="{}"><path d="M{x:.1},{above:.1}h8V{mid:.1}h-8"/><text x="{:.1}" y="{:.1}" dominant-baseline="middle">≈ {}</text></g>"#,
                esc(why),
                x + 14.0,
                (above + mid) / 2.0,
                esc(t.s(Text::WithinNoise))
            );
        }
    }
    out.push_str("</svg>");
}

/// One subject's line on a latency chart.
#[derive(Debug, Clone)]
pub(super) struct Curve {
    pub subject: String,
    pub colour: &'static str,
    /// `(percentile 0–100, ms)`.
    pub points: Vec<(f64, f64)>,
    /// Drawn through the summary percentiles (no recorded curve): marked with dots.
    pub from_summary: bool,
}

const LAT_WIDTH: f64 = 760.0;
const LAT_HEIGHT: f64 = 330.0;
const LAT_LEFT: f64 = 64.0;
const LAT_RIGHT: f64 = 20.0;
const LAT_TOP: f64 = 14.0;
const LAT_BOTTOM: f64 = 44.0;
/// The x axis stops at 99.9999 (six nines); an HDR curve's last steps reach 100.
const LAT_MAX_NINES: f64 = 6.0;

/// The x position of a percentile in "nines": log10(1 / (1 − p)); `None` at 100 and
/// beyond, which the log scale cannot place.
fn nines(percentile: f64) -> Option<f64> {
    let p = percentile / 100.0;
    (p.is_finite() && (0.0..1.0).contains(&p)).then(|| (-(1.0 - p).log10()).min(LAT_MAX_NINES))
}

/// Latency percentile curves on log–log axes (x: 1/(1−p), y: ms).
pub(super) fn latency(out: &mut String, curves: &[Curve], aria: &str, t: Lang) {
    // Per curve, the points the log scales can place: (x in nines, log10 ms, p, ms).
    let plotted: Vec<Vec<(f64, f64, f64, f64)>> = curves
        .iter()
        .map(|c| {
            c.points
                .iter()
                .filter_map(|&(p, ms)| {
                    let x = nines(p)?;
                    (ms.is_finite() && ms > 0.0).then(|| (x, ms.log10(), p, ms))
                })
                .collect()
        })
        .collect();
    let all = plotted.iter().flatten();
    let x_max = all.clone().map(|(x, ..)| *x).fold(3.0_f64, f64::max);
    // 99.9 is 3.0000000000000004 nines in binary: round away float noise before `ceil`.
    let x_max = (x_max - 1e-9).ceil().min(LAT_MAX_NINES);
    let (y_lo, y_hi) = all
        .map(|(_, y, ..)| *y)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| {
            (lo.min(y), hi.max(y))
        });
    let (y_lo, y_hi) = if y_lo.is_finite() {
        let lo = y_lo.floor();
        (lo, y_hi.ceil().max(lo + 1.0))
    } else {
        (-1.0, 1.0)
    };
    let plot_w = LAT_WIDTH - LAT_LEFT - LAT_RIGHT;
    let plot_h = LAT_HEIGHT - LAT_TOP - LAT_BOTTOM;
    let x_of = |x: f64| LAT_LEFT + plot_w * x / x_max;
    let y_of = |y: f64| LAT_TOP + plot_h * (1.0 - (y - y_lo) / (y_hi - y_lo));
    w!(
        out,
        r#"<svg class="chart latency" viewBox="0 0 {LAT_WIDTH} {LAT_HEIGHT}" role="img" aria-label="{}"><g class="grid">"#,
        esc(aria)
    );
    // x ticks: 0, 50, then one per nine.
    let mut ticks: Vec<(f64, String)> = vec![(0.0, "0".into()), (2f64.log10(), "50".into())];
    for n in 1..=(x_max as u32) {
        let percentile = 100.0 * (1.0 - 10f64.powi(-(n as i32)));
        ticks.push((
            f64::from(n),
            format::num(percentile, n.saturating_sub(2) as usize),
        ));
    }
    let bottom = LAT_TOP + plot_h;
    for (x, label) in ticks {
        let px = x_of(x);
        w!(
            out,
            r#"<line x1="{px:.1}" y1="{LAT_TOP}" x2="{px:.1}" y2="{bottom:.1}"/><text x="{px:.1}" y="{:.1}" text-anchor="middle">{label}</text>"#,
            bottom + 15.0
        );
    }
    let mut decade = y_lo;
    while decade <= y_hi + 1e-9 {
        let py = y_of(decade);
        w!(
            out,
            r#"<line x1="{LAT_LEFT}" y1="{py:.1}" x2="{:.1}" y2="{py:.1}"/><text x="{:.1}" y="{py:.1}" text-anchor="end" dominant-baseline="middle">{}</text>"#,
            LAT_LEFT + plot_w,
            LAT_LEFT - 6.0,
            format::tick(10f64.powf(decade))
        );
        decade += 1.0;
    }
    w!(
        out,
        r#"</g><text class="axis-title" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text><text class="axis-title" transform="translate(14 {:.1}) rotate(-90)" text-anchor="middle">{}</text>"#,
        LAT_LEFT + plot_w / 2.0,
        LAT_HEIGHT - 6.0,
        esc(t.s(Text::Percentile)),
        LAT_TOP + plot_h / 2.0,
        esc(t.s(Text::LatencyMs))
    );
    for (curve, points) in curves.iter().zip(&plotted) {
        if points.is_empty() {
            continue;
        }
        let path: Vec<String> = points
            .iter()
            .map(|(x, y, ..)| format!("{:.1},{:.1}", x_of(*x), y_of(*y)))
            .collect();
        w!(
            out,
            r#"<g class="curve" style="--c:{}"><polyline points="{}" data-tip="{}"/>"#,
            curve.colour,
            path.join(" "),
            esc(&curve.subject)
        );
        if curve.from_summary {
            for (x, y, p, ms) in points {
                w!(
                    out,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" data-tip="{} p{}: {}"/>"#,
                    x_of(*x),
                    y_of(*y),
                    esc(&curve.subject),
                    format::num(*p, if p.fract() == 0.0 { 0 } else { 1 }),
                    format::ms(*ms)
                );
            }
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
}

/// The weights as `axis: weight` pairs in `lang`, for the text under the radar.
pub(super) fn weight_items(weights: &Weights, t: Lang) -> Vec<(String, String)> {
    Axis::ALL
        .iter()
        .map(|a| (t.s(a.text()).to_string(), format::num(a.weight(weights), 2)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_axis_points_up_and_the_rest_go_clockwise() {
        let (x, y) = polar(axis_angle(0, 4), 100.0);
        assert!((x - RADAR_CX).abs() < 1e-9 && (y - (RADAR_CY - 100.0)).abs() < 1e-9);
        let (x, y) = polar(axis_angle(1, 4), 100.0);
        assert!((x - (RADAR_CX + 100.0)).abs() < 1e-9 && (y - RADAR_CY).abs() < 1e-9);
        assert_eq!(label_placement(axis_angle(1, 4)).2, "start");
        assert_eq!(label_placement(axis_angle(3, 4)).2, "end");
        assert_eq!(label_placement(axis_angle(0, 4)).3, "auto");
        assert_eq!(label_placement(axis_angle(2, 4)).3, "hanging");
    }

    #[test]
    fn percentiles_sit_at_their_nines() {
        assert_eq!(nines(0.0), Some(0.0));
        let p99 = nines(99.0).unwrap_or(f64::NAN);
        assert!((p99 - 2.0).abs() < 1e-9, "{p99}");
        let p999 = nines(99.9).unwrap_or(f64::NAN);
        assert!((p999 - 3.0).abs() < 1e-9, "{p999}");
        assert_eq!(nines(100.0), None);
        assert_eq!(nines(f64::NAN), None);
        assert_eq!(nines(99.999_999_9), Some(LAT_MAX_NINES));
    }

    #[test]
    fn bar_steps_are_round() {
        assert_eq!(nice_step(152_300.0), 50_000.0);
        assert_eq!(nice_step(9.0), 2.0);
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(nice_step(f64::NAN), 1.0);
    }

    #[test]
    fn bars_draw_whiskers_and_noise_marks() {
        let bar = |label: &str, v: f64, noise: Option<&str>| Bar {
            label: label.into(),
            colour: "#000",
            value: Some(v),
            interval: Some((v * 0.9, v * 1.1)),
            value_text: format!("{v}"),
            tip: format!("{label} <tip>"),
            within_noise: noise.map(String::from),
        };
        let mut out = String::new();
        bars(
            &mut out,
            &[
                bar("a", 100.0, None),
                bar("b", 95.0, Some("CI overlap")),
                bar("c", 40.0, None),
            ],
            "chart",
            Lang::En,
        );
        assert_eq!(out.matches("class=\"bar\"").count(), 3);
        assert_eq!(out.matches("class=\"whisker\"").count(), 3);
        assert_eq!(out.matches("class=\"noise\"").count(), 1);
        assert!(out.contains("data-tip=\"CI overlap\""));
        assert!(out.contains("a &lt;tip&gt;"));
        // The widest whisker ends inside the plot.
        assert!(!out.contains("x2=\"-") && !out.contains("NaN"));
    }

    #[test]
    fn latency_axes_cover_the_data_in_decades() {
        let curve = Curve {
            subject: "s".into(),
            colour: "#000",
            points: vec![(50.0, 0.2), (99.0, 1.5), (99.9, 4.0), (100.0, 9.0)],
            from_summary: true,
        };
        let mut out = String::new();
        latency(&mut out, &[curve], "chart", Lang::En);
        // 0.1 ms to 10 ms on y; 0 to 99.9 on x (three nines); the 100th is not placed.
        for label in [">0.1<", ">1<", ">10<", ">99<", ">99.9<"] {
            assert!(out.contains(label), "missing tick {label}");
        }
        assert!(!out.contains(">99.99<"));
        assert_eq!(out.matches("<circle").count(), 3);
        assert!(!out.contains("NaN") && !out.contains("inf"));
    }
}
