//! Open-loop arrival rates: constant (`1000`), or a linear ramp
//! (`START:+STEP/s:CEILING`, e.g. `100:+100/s:1000`), and their math — the rate at a
//! time, the number of sends asked for by a time, and the intended send time of the
//! n-th request, which is what an open-loop engine measures latency from
//! (coordinated-omission correction).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The arrival rate of an open-loop run over time: `--rate` on the command line,
/// `rate = R` or `ramp = "START:+STEP/s:CEILING"` in a suite.
///
/// The fields are public so that a schedule can be written out literally; one built that
/// way is checked by [`RateSchedule::validate`] (the engine does so before it runs).
/// [`RateSchedule::constant`], [`RateSchedule::ramp`] and parsing check at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RateSchedule {
    /// A fixed rate (`--rate 1000`).
    Constant {
        /// Requests per second (> 0).
        rate_per_s: f64,
    },
    /// A rate growing linearly from `start` by `step_per_s` every second until it
    /// reaches `ceiling`, then staying there (`--rate 100:+100/s:1000`: 100 → 1000
    /// requests/s over 9 s).
    Ramp {
        /// Requests per second at the start (≥ 0).
        start: f64,
        /// Growth of the rate per second, in requests per second (> 0).
        step_per_s: f64,
        /// The highest rate, in requests per second (> 0, ≥ `start`).
        ceiling: f64,
    },
}

/// Why a rate text or rate values are not usable. The messages say what is wrong and,
/// for text that does not parse, what to write instead.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RateError {
    /// Neither `RATE` nor `START:+STEP/s:CEILING`.
    #[error("rate {0:?} is neither RATE nor START:+STEP/s:CEILING (like 1000 or 100:+100/s:1000)")]
    Shape(String),
    /// A number that does not parse.
    #[error(
        "the {part} {text:?} in rate {input:?} is not a number; write RATE or START:+STEP/s:CEILING, like 1000 or 100:+100/s:1000"
    )]
    Number {
        /// The whole rate text.
        input: String,
        /// `rate`, `start`, `step` or `ceiling`.
        part: &'static str,
        /// The text of that part.
        text: String,
    },
    /// A fixed rate that is not a finite number above zero.
    #[error("the rate must be a number above zero, not {0}")]
    Rate(f64),
    /// A ramp's start rate that is negative or not finite.
    #[error("the ramp's start rate must be zero or more, not {0}")]
    Start(f64),
    /// A ramp's step that is not a finite number above zero (the ramp would never reach
    /// its ceiling).
    #[error("the ramp's step must be a number above zero, not {0}")]
    Step(f64),
    /// A ramp's ceiling that is not a finite number above zero.
    #[error("the ramp's ceiling must be a number above zero, not {0}")]
    Ceiling(f64),
    /// A ramp's ceiling below its start.
    #[error("the ramp's ceiling ({ceiling}) is below its start ({start})")]
    CeilingBelowStart {
        /// The start rate.
        start: f64,
        /// The ceiling.
        ceiling: f64,
    },
    /// A fixed rate where only a ramp is accepted ([`RateSchedule::parse_ramp`]).
    #[error("{0:?} is a fixed rate, not a ramp START:+STEP/s:CEILING (like 100:+100/s:1000)")]
    NotARamp(String),
}

impl RateSchedule {
    /// A fixed rate, checked as [`RateSchedule::validate`] does.
    pub fn constant(rate_per_s: f64) -> Result<Self, RateError> {
        let schedule = Self::Constant { rate_per_s };
        schedule.validate().map(|()| schedule)
    }

    /// A ramp, checked as [`RateSchedule::validate`] does.
    pub fn ramp(start: f64, step_per_s: f64, ceiling: f64) -> Result<Self, RateError> {
        let schedule = Self::Ramp {
            start,
            step_per_s,
            ceiling,
        };
        schedule.validate().map(|()| schedule)
    }

    /// Parses a ramp only (`START:+STEP/s:CEILING`), as a suite's `ramp` field takes it;
    /// a fixed rate is an error.
    pub fn parse_ramp(s: &str) -> Result<Self, RateError> {
        match s.parse()? {
            Self::Constant { .. } => Err(RateError::NotARamp(s.to_string())),
            ramp => Ok(ramp),
        }
    }

    /// The rate asked for at `elapsed` since the start, in requests per second.
    pub fn rate_at(&self, elapsed: Duration) -> f64 {
        match *self {
            Self::Constant { rate_per_s } => rate_per_s,
            Self::Ramp {
                start,
                step_per_s,
                ceiling,
            } => (start + step_per_s * elapsed.as_secs_f64()).min(ceiling),
        }
    }

    /// The highest rate the schedule reaches, in requests per second.
    pub fn peak(&self) -> f64 {
        match *self {
            Self::Constant { rate_per_s } => rate_per_s,
            Self::Ramp { ceiling, .. } => ceiling,
        }
    }

    /// How long a ramp takes to reach its ceiling (zero for a fixed rate).
    pub fn duration_to_ceiling(&self) -> Duration {
        Duration::try_from_secs_f64(self.secs_to_ceiling().max(0.0)).unwrap_or(Duration::MAX)
    }

    /// How many sends the schedule asks for in the first `elapsed` (the integral of the
    /// rate; not rounded).
    pub fn sends_within(&self, elapsed: Duration) -> f64 {
        let t = elapsed.as_secs_f64();
        match *self {
            Self::Constant { rate_per_s } => rate_per_s * t,
            Self::Ramp {
                start,
                step_per_s,
                ceiling,
            } => {
                let t_top = self.secs_to_ceiling();
                if t <= t_top {
                    start * t + step_per_s * t * t / 2.0
                } else {
                    self.sends_on_ramp() + ceiling * (t - t_top)
                }
            }
        }
    }

    /// The intended send time of the `n`th request (counting from 0), since the start:
    /// the time at which [`Self::sends_within`] reaches `n`. The first request is sent at
    /// once. `None` when the schedule never gets there (a rate of zero, or beyond a
    /// billion seconds), so that an unchecked schedule cannot make this panic.
    pub fn send_time(&self, n: u64) -> Option<Duration> {
        let n = n as f64;
        let secs = match *self {
            Self::Constant { rate_per_s } => {
                if n == 0.0 {
                    0.0
                } else if rate_per_s > 0.0 {
                    n / rate_per_s
                } else {
                    return None;
                }
            }
            Self::Ramp {
                start,
                step_per_s,
                ceiling,
            } => {
                let on_ramp = self.sends_on_ramp();
                if n == 0.0 {
                    0.0
                } else if n <= on_ramp {
                    // The root of start·t + step·t²/2 = n, written without the
                    // cancellation of (−start + √(start² + 2·step·n)) / step, which loses
                    // precision when step·n is small next to start².
                    2.0 * n / (start + (start * start + 2.0 * step_per_s * n).sqrt())
                } else if ceiling > 0.0 {
                    self.secs_to_ceiling() + (n - on_ramp) / ceiling
                } else {
                    return None;
                }
            }
        };
        (secs.is_finite() && (0.0..1e9).contains(&secs)).then(|| Duration::from_secs_f64(secs))
    }

    /// Seconds until a ramp reaches its ceiling (0 for a fixed rate).
    fn secs_to_ceiling(&self) -> f64 {
        match *self {
            Self::Constant { .. } => 0.0,
            Self::Ramp {
                start,
                step_per_s,
                ceiling,
            } => (ceiling - start) / step_per_s,
        }
    }

    /// Sends a ramp asks for before it reaches its ceiling (0 for a fixed rate).
    fn sends_on_ramp(&self) -> f64 {
        match *self {
            Self::Constant { .. } => 0.0,
            Self::Ramp {
                start,
                step_per_s,
                ceiling,
            } => (ceiling * ceiling - start * start) / (2.0 * step_per_s),
        }
    }

    /// Checks that the schedule is usable; the error says what is wrong.
    pub fn validate(&self) -> Result<(), RateError> {
        let positive = |v: f64| v.is_finite() && v > 0.0;
        match *self {
            Self::Constant { rate_per_s } if !positive(rate_per_s) => {
                Err(RateError::Rate(rate_per_s))
            }
            Self::Constant { .. } => Ok(()),
            Self::Ramp {
                start,
                step_per_s,
                ceiling,
            } => {
                if !(start.is_finite() && start >= 0.0) {
                    Err(RateError::Start(start))
                } else if !positive(step_per_s) {
                    Err(RateError::Step(step_per_s))
                } else if !positive(ceiling) {
                    Err(RateError::Ceiling(ceiling))
                } else if ceiling < start {
                    Err(RateError::CeilingBelowStart { start, ceiling })
                } else {
                    Ok(())
                }
            }
        }
    }
}

impl fmt::Display for RateSchedule {
    /// `1000` or `100:+100/s:1000`: the form [`FromStr`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Constant { rate_per_s } => write!(f, "{rate_per_s}"),
            Self::Ramp {
                start,
                step_per_s,
                ceiling,
            } => write!(f, "{start}:+{step_per_s}/s:{ceiling}"),
        }
    }
}

impl FromStr for RateSchedule {
    type Err = RateError;

    /// Parses `RATE` (constant) or `START:+STEP/s:CEILING` (ramp), e.g. `1000` or
    /// `100:+100/s:1000`; the `+` and the `/s` may be left out, and white space around
    /// the parts is ignored. The values are checked as [`RateSchedule::validate`] does.
    fn from_str(s: &str) -> Result<Self, RateError> {
        let number = |part: &'static str, text: &str| {
            let text = text.trim();
            text.parse::<f64>().map_err(|_| RateError::Number {
                input: s.to_string(),
                part,
                text: text.to_string(),
            })
        };
        let schedule = match s.split(':').collect::<Vec<_>>().as_slice() {
            [rate] => Self::Constant {
                rate_per_s: number("rate", rate)?,
            },
            [start, step, ceiling] => {
                let step = step.trim();
                let step = step.strip_suffix("/s").unwrap_or(step);
                let step = step.strip_prefix('+').unwrap_or(step);
                Self::Ramp {
                    start: number("start", start)?,
                    step_per_s: number("step", step)?,
                    ceiling: number("ceiling", ceiling)?,
                }
            }
            _ => return Err(RateError::Shape(s.to_string())),
        };
        schedule.validate().map(|()| schedule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(d: Option<Duration>) -> f64 {
        d.expect("a send time").as_secs_f64()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6 * b.abs().max(1.0)
    }

    fn ramp(start: f64, step_per_s: f64, ceiling: f64) -> RateSchedule {
        RateSchedule::Ramp {
            start,
            step_per_s,
            ceiling,
        }
    }

    #[test]
    fn a_constant_rate_spaces_sends_evenly() {
        let s = RateSchedule::Constant { rate_per_s: 500.0 };
        assert_eq!(s.send_time(0), Some(Duration::ZERO));
        assert!((secs(s.send_time(1)) - 0.002).abs() < 1e-12);
        assert!((secs(s.send_time(999)) - 1.998).abs() < 1e-9);
        assert!((s.sends_within(Duration::from_secs(2)) - 1000.0).abs() < 1e-9);
        assert_eq!(s.rate_at(Duration::from_secs(7)), 500.0);
        assert_eq!(s.peak(), 500.0);
        assert_eq!(s.duration_to_ceiling(), Duration::ZERO);
        assert_eq!(
            RateSchedule::Constant { rate_per_s: 1000.0 }.send_time(1500),
            Some(Duration::from_millis(1500))
        );
    }

    #[test]
    fn a_ramp_grows_linearly_then_holds() {
        let s = ramp(50.0, 50.0, 200.0);
        assert_eq!(s.rate_at(Duration::ZERO), 50.0);
        assert_eq!(s.rate_at(Duration::from_millis(1500)), 125.0);
        assert_eq!(s.rate_at(Duration::from_secs(10)), 200.0);
        assert_eq!(s.peak(), 200.0);
        let within = |t: f64| s.sends_within(Duration::from_secs_f64(t));
        assert!((within(1.0) - 75.0).abs() < 1e-9);
        assert!((within(3.0) - 375.0).abs() < 1e-9);
        assert!((within(4.0) - 575.0).abs() < 1e-9);
        // send_time is the inverse of sends_within, on the ramp and past the ceiling.
        for n in [1u64, 74, 75, 200, 374, 375, 376, 574, 10_000] {
            let t = secs(s.send_time(n));
            assert!((within(t) - n as f64).abs() < 1e-6, "n={n} t={t}");
        }
        // Send times increase.
        let times: Vec<f64> = (0..600).map(|n| secs(s.send_time(n))).collect();
        assert!(times.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn rate_at_start_middle_and_after_ceiling() {
        let s: RateSchedule = "100:+100/s:1000".parse().unwrap();
        assert!(close(s.rate_at(Duration::ZERO), 100.0));
        assert!(close(s.rate_at(Duration::from_millis(4500)), 550.0));
        assert!(close(s.rate_at(Duration::from_secs(9)), 1000.0));
        assert!(close(s.rate_at(Duration::from_secs(60)), 1000.0));
        assert_eq!(s.duration_to_ceiling(), Duration::from_secs(9));
        let flat = RateSchedule::ramp(50.0, 10.0, 50.0).unwrap();
        assert_eq!(flat.duration_to_ceiling(), Duration::ZERO);
        // A ramp that starts at its ceiling is a fixed rate from the first send.
        assert!(close(secs(flat.send_time(100)), 2.0));
    }

    #[test]
    fn send_times_invert_the_schedule() {
        let s: RateSchedule = "100:+100/s:1000".parse().unwrap();
        // By 9 s the ramp has asked for 100·9 + 100·81/2 = 4950 sends.
        assert!(close(s.sends_within(Duration::from_secs(9)), 4950.0));
        assert!(close(s.sends_within(Duration::from_secs(10)), 5950.0));
        assert_eq!(s.send_time(0), Some(Duration::ZERO));
        assert!(close(secs(s.send_time(4950)), 9.0));
        assert!(close(secs(s.send_time(5950)), 10.0));
        for n in [1u64, 10, 333, 2000, 4949, 7000] {
            let t = s.send_time(n).expect("a send time");
            assert!(close(s.sends_within(t), n as f64), "n={n}");
            assert!(Some(t) >= s.send_time(n - 1));
        }
    }

    #[test]
    fn a_ramp_from_zero_starts_at_once() {
        let s = ramp(0.0, 100.0, 100.0);
        assert_eq!(s.send_time(0), Some(Duration::ZERO));
        // 50 sends are asked for in the first second (the integral of 100·t).
        assert!((secs(s.send_time(50)) - 1.0).abs() < 1e-9);
        assert!((secs(s.send_time(150)) - 2.0).abs() < 1e-9);
        let from_zero: RateSchedule = "0:+10/s:100".parse().unwrap();
        assert!(close(secs(from_zero.send_time(5)), 1.0));
    }

    #[test]
    fn unreachable_send_times_are_none_not_a_panic() {
        assert_eq!(
            RateSchedule::Constant { rate_per_s: 0.0 }.send_time(1),
            None
        );
        assert_eq!(
            RateSchedule::Constant { rate_per_s: 1e-12 }.send_time(1_000),
            None
        );
        // Unchecked ramps never reaching a positive rate.
        assert_eq!(ramp(0.0, 1.0, 0.0).send_time(1), None);
        assert_eq!(ramp(5.0, 0.0, 5.0).send_time(1), None);
        assert_eq!(ramp(5.0, 0.0, 5.0).duration_to_ceiling(), Duration::ZERO);
    }

    #[test]
    fn rates_parse_and_print() {
        let constant: RateSchedule = "1000".parse().unwrap();
        assert_eq!(constant, RateSchedule::Constant { rate_per_s: 1000.0 });
        assert_eq!(constant, RateSchedule::constant(1000.0).unwrap());
        let r: RateSchedule = "100:+100/s:1000".parse().unwrap();
        assert_eq!(r, ramp(100.0, 100.0, 1000.0));
        assert_eq!(r, RateSchedule::ramp(100.0, 100.0, 1000.0).unwrap());
        assert_eq!(r.to_string(), "100:+100/s:1000");
        assert_eq!(constant.to_string(), "1000");
        // The `+` and `/s` may be left out; white space around the parts is ignored.
        for lenient in [
            "100:50:200",
            "100:+50:200",
            "100:50/s:200",
            " 100 : +50/s : 200 ",
        ] {
            assert_eq!(
                lenient.parse::<RateSchedule>().unwrap().to_string(),
                "100:+50/s:200",
                "{lenient:?}"
            );
        }
        let spaced: RateSchedule = " 0 : +2.5/s : 10 ".parse().unwrap();
        assert_eq!(spaced, ramp(0.0, 2.5, 10.0));
        assert_eq!("250".parse::<RateSchedule>().unwrap().peak(), 250.0);
        for bad in [
            "",
            "fast",
            "0",
            "-5",
            "1:2",
            "100:+100/s",
            "1:2:3:4",
            "100:+0/s:200",
            "300:+10/s:200",
            "1:+x/s:5",
            "1:+1/s:inf",
            "inf",
            "NaN",
        ] {
            assert!(
                bad.parse::<RateSchedule>().is_err(),
                "{bad:?} should not parse"
            );
        }
        let err = "fast".parse::<RateSchedule>().unwrap_err();
        assert!(err.to_string().contains("100:+100/s:1000"), "{err}");
    }

    #[test]
    fn errors_say_what_is_wrong() {
        type Check = fn(&RateError) -> bool;
        let cases: [(&str, Check, &str); 9] = [
            (
                "100:+100/s",
                |e| matches!(e, RateError::Shape(_)),
                "rate \"100:+100/s\" is neither RATE nor START:+STEP/s:CEILING",
            ),
            (
                "abc:+100/s:1000",
                |e| matches!(e, RateError::Number { part: "start", .. }),
                "the start \"abc\" in rate \"abc:+100/s:1000\" is not a number",
            ),
            (
                "1:+x/s:5",
                |e| matches!(e, RateError::Number { part: "step", .. }),
                "the step \"x\" in rate",
            ),
            (
                "fast",
                |e| matches!(e, RateError::Number { part: "rate", .. }),
                "the rate \"fast\" in rate \"fast\" is not a number",
            ),
            (
                "0",
                |e| matches!(e, RateError::Rate(_)),
                "the rate must be a number above zero, not 0",
            ),
            (
                "-5:+100/s:1000",
                |e| matches!(e, RateError::Start(_)),
                "the ramp's start rate must be zero or more, not -5",
            ),
            (
                "100:+0/s:1000",
                |e| matches!(e, RateError::Step(_)),
                "the ramp's step must be a number above zero, not 0",
            ),
            (
                "0:+1/s:0",
                |e| matches!(e, RateError::Ceiling(_)),
                "the ramp's ceiling must be a number above zero, not 0",
            ),
            (
                "100:+10/s:50",
                |e| matches!(e, RateError::CeilingBelowStart { .. }),
                "the ramp's ceiling (50) is below its start (100)",
            ),
        ];
        for (text, expected, message) in cases {
            let err = text.parse::<RateSchedule>().unwrap_err();
            assert!(expected(&err), "{text}: {err:?}");
            assert!(err.to_string().contains(message), "{text}: {err}");
        }
        assert_eq!(
            RateSchedule::ramp(1.0, 1.0, f64::INFINITY),
            Err(RateError::Ceiling(f64::INFINITY))
        );
        assert!(RateSchedule::constant(f64::NAN).is_err());
    }

    #[test]
    fn parse_ramp_takes_only_ramps() {
        assert_eq!(
            RateSchedule::parse_ramp("1:+1/s:2").unwrap(),
            ramp(1.0, 1.0, 2.0)
        );
        let err = RateSchedule::parse_ramp("1000").unwrap_err();
        assert_eq!(err, RateError::NotARamp("1000".into()));
        assert!(err.to_string().contains("is a fixed rate"), "{err}");
        assert!(matches!(
            RateSchedule::parse_ramp("100:+10/s:50"),
            Err(RateError::CeilingBelowStart { .. })
        ));
    }
}
