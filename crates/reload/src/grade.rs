//! The A–D grade and its thresholds.
//!
//! Every criterion caps the grade; the grade is the lowest cap, and each cap below A is
//! given as a reason. The thresholds are these constants (also in the README):
//!
//! | grade | needs |
//! |---|---|
//! | A | p90 reload under 2 s, nothing missed, no spurious rebuild, configuration change honoured, recovered from a syntax error, no leftover process, no port-rebind failure, no growth beyond the leak margins |
//! | B | p90 under 5 s, nothing missed, at most 1 spurious rebuild, recovered, no leftover, no rebind failure, no leak (a configuration change may be ignored) |
//! | C | p90 under 15 s, at most 1 missed edit, recovered (leftovers, rebind failures and leaks allowed) |
//! | D | anything else |

use crate::ReloadResult;
use serde::{Deserialize, Serialize};

/// p90 reload time under which a subject can get an A.
pub const A_P90_MS: f64 = 2_000.0;
/// p90 reload time under which a subject can get a B.
pub const B_P90_MS: f64 = 5_000.0;
/// p90 reload time under which a subject can get a C.
pub const C_P90_MS: f64 = 15_000.0;
/// Spurious rebuilds allowed for a B.
pub const B_MAX_SPURIOUS: u32 = 1;
/// Missed edits allowed for a C.
pub const C_MAX_MISSED: u32 = 1;
/// Goroutine growth (last reload's served process minus the first's) counted as a leak.
/// A fresh Go server's count varies by a few (idle connections, timers); a leak grows
/// with every reload.
pub const GOROUTINE_LEAK_MARGIN: i64 = 8;
/// Thread growth of the served process counted as a leak.
pub const THREAD_LEAK_MARGIN: i64 = 4;
/// File-descriptor growth of the served process counted as a leak.
pub const FD_LEAK_MARGIN: i64 = 8;

/// A hot-reload grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Grade {
    /// Best.
    A,
    /// Good.
    B,
    /// Usable with friction.
    C,
    /// Poor.
    D,
}

impl Grade {
    /// The grade as a score axis value: A = 4, B = 3, C = 2, D = 1.
    pub fn points(self) -> f64 {
        match self {
            Grade::A => 4.0,
            Grade::B => 3.0,
            Grade::C => 2.0,
            Grade::D => 1.0,
        }
    }

    /// The grade of a letter (`"A"` … `"D"`).
    pub fn from_letter(letter: &str) -> Option<Self> {
        [Grade::A, Grade::B, Grade::C, Grade::D]
            .into_iter()
            .find(|g| g.letter() == letter)
    }

    /// The letter.
    pub fn letter(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
        }
    }
}

impl std::fmt::Display for Grade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.letter())
    }
}

/// One criterion that kept the grade below A.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// The best grade this criterion allows.
    pub cap: Grade,
    /// What was measured, against which threshold.
    pub why: String,
}

/// The grade of a scenario's figures and the reasons it is not an A (worst first).
pub fn grade(r: &ReloadResult) -> (Grade, Vec<Reason>) {
    let mut reasons = Vec::new();
    let mut cap = |cap: Grade, why: String| reasons.push(Reason { cap, why });
    match &r.reload_ms {
        None => cap(Grade::D, "no edit took effect: no reload time".into()),
        Some(p) if p.p90 >= C_P90_MS => cap(
            Grade::D,
            format!(
                "p90 reload {:.0} ms (C needs under {C_P90_MS:.0} ms)",
                p.p90
            ),
        ),
        Some(p) if p.p90 >= B_P90_MS => cap(
            Grade::C,
            format!(
                "p90 reload {:.0} ms (B needs under {B_P90_MS:.0} ms)",
                p.p90
            ),
        ),
        Some(p) if p.p90 >= A_P90_MS => cap(
            Grade::B,
            format!(
                "p90 reload {:.0} ms (A needs under {A_P90_MS:.0} ms)",
                p.p90
            ),
        ),
        Some(_) => {}
    }
    if r.missed > C_MAX_MISSED {
        cap(
            Grade::D,
            format!(
                "{} of {} edits missed (C allows {C_MAX_MISSED})",
                r.missed, r.edits
            ),
        );
    } else if r.missed > 0 {
        cap(
            Grade::C,
            format!("{} of {} edits missed (B allows none)", r.missed, r.edits),
        );
    }
    if r.spurious_rebuilds > B_MAX_SPURIOUS {
        cap(
            Grade::C,
            format!(
                "{} spurious rebuilds from edits in ignored paths (B allows {B_MAX_SPURIOUS})",
                r.spurious_rebuilds
            ),
        );
    } else if r.spurious_rebuilds > 0 {
        cap(
            Grade::B,
            format!(
                "{} spurious rebuild from an edit in an ignored path (A allows none)",
                r.spurious_rebuilds
            ),
        );
    }
    if !r.recovered_from_error {
        cap(
            Grade::D,
            "did not recover from a syntax error and its fix".into(),
        );
    }
    match r.config_applied {
        Some(true) => {}
        Some(false) => cap(
            Grade::B,
            "the configuration change did not take effect after the reload (A needs it)".into(),
        ),
        None => cap(
            Grade::B,
            "the configuration change could not be checked (no GET /config/greeting)".into(),
        ),
    }
    if r.leftover_processes > 0 {
        cap(
            Grade::C,
            format!(
                "{} leftover processes still running after their server stopped (B allows none)",
                r.leftover_processes
            ),
        );
    }
    if r.port_rebind_failures > 0 {
        cap(
            Grade::C,
            format!(
                "{} port-rebind failures (B allows none)",
                r.port_rebind_failures
            ),
        );
    }
    let g = &r.growth;
    for (what, growth, margin) in [
        ("goroutine", g.goroutines, GOROUTINE_LEAK_MARGIN),
        ("thread", g.threads, THREAD_LEAK_MARGIN),
        ("file-descriptor", g.fds, FD_LEAK_MARGIN),
    ] {
        if let Some(growth) = growth.filter(|v| *v > margin) {
            cap(
                Grade::C,
                format!(
                    "{what} leak: +{growth} in the served process over {} reloads (margin {margin}; B allows no leak)",
                    g.reloads
                ),
            );
        }
    }
    reasons.sort_by_key(|r| std::cmp::Reverse(r.cap));
    let grade = reasons.first().map_or(Grade::A, |r| r.cap);
    (grade, reasons)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Growth, ReloadMs};

    fn perfect() -> ReloadResult {
        ReloadResult {
            subject: "stdlib".into(),
            tool: "air".into(),
            tool_version: None,
            command: "air".into(),
            grade: Grade::A,
            reasons: Vec::new(),
            edits: 3,
            reload_ms: Some(ReloadMs {
                p50: 900.0,
                p90: 1200.0,
                max: 1300.0,
            }),
            reload_samples_ms: vec![900.0, 1200.0, 1300.0],
            missed: 0,
            ignored_edits: 3,
            spurious_rebuilds: 0,
            config_applied: Some(true),
            recovered_from_error: true,
            leftover_processes: 0,
            leftover_commands: Vec::new(),
            port_rebind_failures: 0,
            growth: Growth {
                reloads: 5,
                goroutines: Some(1),
                threads: Some(0),
                fds: Some(0),
                samples: Vec::new(),
            },
            scenario_s: 30.0,
            observed_at_ms: 0,
        }
    }

    #[test]
    fn a_perfect_scenario_is_an_a() {
        assert_eq!(grade(&perfect()), (Grade::A, Vec::new()));
    }

    #[test]
    fn each_criterion_caps_with_its_reason() {
        let mut r = perfect();
        r.reload_ms = Some(ReloadMs {
            p50: 2500.0,
            p90: 3000.0,
            max: 3100.0,
        });
        let (g, why) = grade(&r);
        assert_eq!(g, Grade::B);
        assert!(why[0].why.contains("p90 reload 3000 ms"), "{why:?}");

        let mut r = perfect();
        r.growth.goroutines = Some(20);
        let (g, why) = grade(&r);
        assert_eq!(g, Grade::C);
        assert!(why[0].why.starts_with("goroutine leak: +20"), "{why:?}");

        let mut r = perfect();
        r.leftover_processes = 4;
        let (g, why) = grade(&r);
        assert_eq!(g, Grade::C);
        assert!(why[0].why.contains("4 leftover processes"), "{why:?}");

        let mut r = perfect();
        r.recovered_from_error = false;
        r.spurious_rebuilds = 1;
        let (g, why) = grade(&r);
        assert_eq!(g, Grade::D);
        assert_eq!(why.len(), 2);
        assert!(why[0].why.contains("syntax error"), "{why:?}");
        assert_eq!(why[1].cap, Grade::B);

        let mut r = perfect();
        r.missed = 3;
        r.reload_ms = None;
        assert_eq!(grade(&r).0, Grade::D);

        let mut r = perfect();
        r.config_applied = Some(false);
        assert_eq!(grade(&r).0, Grade::B);
    }

    #[test]
    fn margins_are_not_leaks() {
        let mut r = perfect();
        r.growth.goroutines = Some(GOROUTINE_LEAK_MARGIN);
        r.growth.threads = Some(THREAD_LEAK_MARGIN);
        r.growth.fds = Some(-3);
        assert_eq!(grade(&r).0, Grade::A);
    }

    #[test]
    fn points_order_the_grades() {
        assert!(Grade::A.points() > Grade::B.points());
        assert_eq!(Grade::D.points(), 1.0);
        assert_eq!(Grade::C.to_string(), "C");
        assert_eq!(Grade::from_letter("B"), Some(Grade::B));
        assert_eq!(Grade::from_letter("E"), None);
    }
}
