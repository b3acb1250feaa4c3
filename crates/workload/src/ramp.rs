//! Open-loop rates: constant, or a linear ramp `START:+STEP/s:CEILING`.

use std::time::Duration;

/// A linear ramp: `start` requests/s at time zero, rising by `step_per_sec` every second
/// until `ceiling`, then held there. Written `START:+STEP/s:CEILING`, e.g.
/// `"100:+100/s:1000"` (100 → 1000 requests/s over 9 s).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ramp {
    /// Rate at time zero, requests per second (≥ 0).
    pub start: f64,
    /// Increase of the rate per second (> 0).
    pub step_per_sec: f64,
    /// Highest rate, requests per second (≥ start, > 0).
    pub ceiling: f64,
}

/// Why a ramp string or ramp values are not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RampError {
    /// Not of the form `START:+STEP/s:CEILING`.
    #[error("ramp {0:?} is not START:+STEP/s:CEILING; write e.g. \"100:+100/s:1000\"")]
    Shape(String),
    /// One of the three numbers does not parse or is not finite.
    #[error("ramp {input:?}: {part} {text:?} is not a number; write e.g. \"100:+100/s:1000\"")]
    Number {
        /// The whole ramp text.
        input: String,
        /// `start`, `step` or `ceiling`.
        part: &'static str,
        /// The text of that part.
        text: String,
    },
    /// A negative start rate.
    #[error("ramp {0:?}: the start rate must be ≥ 0 requests/s")]
    NegativeStart(String),
    /// A step that is not positive: the ramp would never reach its ceiling.
    #[error("ramp {0:?}: the step must be > 0 requests/s per second (for a fixed rate use `rate`)")]
    Step(String),
    /// A ceiling below the start, not positive, or infinite.
    #[error("ramp {0:?}: the ceiling must be > 0 and ≥ the start rate")]
    Ceiling(String),
}

impl std::str::FromStr for Ramp {
    type Err = RampError;

    fn from_str(s: &str) -> Result<Ramp, RampError> {
        Ramp::parse(s)
    }
}

impl std::fmt::Display for Ramp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:+{}/s:{}",
            self.start, self.step_per_sec, self.ceiling
        )
    }
}

impl Ramp {
    /// Parses `START:+STEP/s:CEILING` (white space around the parts is ignored).
    pub fn parse(input: &str) -> Result<Ramp, RampError> {
        let shape = || RampError::Shape(input.to_string());
        let mut parts = input.split(':').map(str::trim);
        let (Some(start), Some(step), Some(ceiling), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(shape());
        };
        let step = step
            .strip_prefix('+')
            .and_then(|s| s.strip_suffix("/s"))
            .ok_or_else(shape)?
            .trim();
        let number = |part: &'static str, text: &str| {
            text.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| RampError::Number {
                    input: input.to_string(),
                    part,
                    text: text.to_string(),
                })
        };
        let ramp = Ramp {
            start: number("start", start)?,
            step_per_sec: number("step", step)?,
            ceiling: number("ceiling", ceiling)?,
        };
        ramp.check().map_err(|make| make(input.to_string()))?;
        Ok(ramp)
    }

    /// Checks the values; on failure returns the error's constructor.
    fn check(&self) -> Result<(), fn(String) -> RampError> {
        if self.start.is_nan() || self.start < 0.0 {
            return Err(RampError::NegativeStart);
        }
        if !self.step_per_sec.is_finite() || self.step_per_sec <= 0.0 {
            return Err(RampError::Step);
        }
        if !self.ceiling.is_finite() || self.ceiling <= 0.0 || self.ceiling < self.start {
            return Err(RampError::Ceiling);
        }
        Ok(())
    }

    /// Builds a ramp from values, with the same checks as [`Ramp::parse`].
    pub fn new(start: f64, step_per_sec: f64, ceiling: f64) -> Result<Ramp, RampError> {
        let ramp = Ramp {
            start,
            step_per_sec,
            ceiling,
        };
        ramp.check().map_err(|make| make(ramp.to_string()))?;
        Ok(ramp)
    }

    /// The scheduled rate (requests/s) `elapsed` after the start of the run.
    pub fn rate_at(&self, elapsed: Duration) -> f64 {
        (self.start + self.step_per_sec * elapsed.as_secs_f64()).min(self.ceiling)
    }

    /// How long the ramp takes to reach its ceiling.
    pub fn duration_to_ceiling(&self) -> Duration {
        Duration::from_secs_f64(((self.ceiling - self.start) / self.step_per_sec).max(0.0))
    }

    /// How many sends the schedule asks for by `elapsed` (the integral of the rate).
    pub fn sends_by(&self, elapsed: Duration) -> f64 {
        let t = elapsed.as_secs_f64();
        let ramp_secs = self.duration_to_ceiling().as_secs_f64();
        if t <= ramp_secs {
            self.start * t + self.step_per_sec * t * t / 2.0
        } else {
            self.start * ramp_secs
                + self.step_per_sec * ramp_secs * ramp_secs / 2.0
                + self.ceiling * (t - ramp_secs)
        }
    }

    /// The intended send time of request number `n` (0-based): the time by which the
    /// schedule has asked for `n` sends. Request 0 is sent at time zero. This is what an
    /// open-loop engine measures latency from (coordinated-omission correction).
    pub fn send_time(&self, n: u64) -> Duration {
        let k = n as f64;
        let ramp_secs = self.duration_to_ceiling().as_secs_f64();
        let ramp_sends = self.sends_by(self.duration_to_ceiling());
        let t = if k <= ramp_sends {
            // Solve start·t + step·t²/2 = k in the form that stays exact when step·k is
            // small next to start².
            let root = (self.start * self.start + 2.0 * self.step_per_sec * k).sqrt();
            if k == 0.0 {
                0.0
            } else {
                2.0 * k / (self.start + root)
            }
        } else {
            ramp_secs + (k - ramp_sends) / self.ceiling
        };
        Duration::from_secs_f64(t)
    }
}

/// An open-loop rate: fixed, or ramping.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rate {
    /// A fixed number of requests per second (> 0).
    Constant(f64),
    /// A linear ramp to a ceiling.
    Ramp(Ramp),
}

impl std::str::FromStr for Rate {
    type Err = RampError;

    /// `"1000"` (constant) or `"100:+100/s:1000"` (ramp), as `--rate` takes it.
    fn from_str(s: &str) -> Result<Rate, RampError> {
        if s.contains(':') {
            return Ramp::parse(s).map(Rate::Ramp);
        }
        match s.trim().parse::<f64>() {
            Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(Rate::Constant(rate)),
            _ => Err(RampError::Shape(s.to_string())),
        }
    }
}

impl Rate {
    /// The scheduled rate `elapsed` after the start.
    pub fn rate_at(&self, elapsed: Duration) -> f64 {
        match self {
            Rate::Constant(rate) => *rate,
            Rate::Ramp(ramp) => ramp.rate_at(elapsed),
        }
    }

    /// The intended send time of request number `n` (0-based).
    pub fn send_time(&self, n: u64) -> Duration {
        match self {
            Rate::Constant(rate) => Duration::from_secs_f64(n as f64 / rate),
            Rate::Ramp(ramp) => ramp.send_time(n),
        }
    }

    /// The highest rate the schedule reaches.
    pub fn peak(&self) -> f64 {
        match self {
            Rate::Constant(rate) => *rate,
            Rate::Ramp(ramp) => ramp.ceiling,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6 * b.abs().max(1.0)
    }

    #[test]
    fn parses_the_documented_form() {
        let ramp: Ramp = "100:+100/s:1000".parse().unwrap();
        assert_eq!(
            ramp,
            Ramp {
                start: 100.0,
                step_per_sec: 100.0,
                ceiling: 1000.0
            }
        );
        assert_eq!(ramp.to_string(), "100:+100/s:1000");
        let spaced = Ramp::parse(" 0 : +2.5/s : 10 ").unwrap();
        assert_eq!(spaced.step_per_sec, 2.5);
    }

    #[test]
    fn rate_at_start_middle_and_after_ceiling() {
        let ramp = Ramp::parse("100:+100/s:1000").unwrap();
        assert!(close(ramp.rate_at(Duration::ZERO), 100.0));
        assert!(close(ramp.rate_at(Duration::from_millis(4500)), 550.0));
        assert!(close(ramp.rate_at(Duration::from_secs(9)), 1000.0));
        assert!(close(ramp.rate_at(Duration::from_secs(60)), 1000.0));
        assert_eq!(ramp.duration_to_ceiling(), Duration::from_secs(9));
        let flat = Ramp::new(50.0, 10.0, 50.0).unwrap();
        assert_eq!(flat.duration_to_ceiling(), Duration::ZERO);
    }

    #[test]
    fn send_times_invert_the_schedule() {
        let ramp = Ramp::parse("100:+100/s:1000").unwrap();
        // By 9 s the ramp has asked for 100·9 + 100·81/2 = 4950 sends.
        assert!(close(ramp.sends_by(Duration::from_secs(9)), 4950.0));
        assert!(close(ramp.sends_by(Duration::from_secs(10)), 5950.0));
        assert_eq!(ramp.send_time(0), Duration::ZERO);
        assert!(close(ramp.send_time(4950).as_secs_f64(), 9.0));
        assert!(close(ramp.send_time(5950).as_secs_f64(), 10.0));
        for n in [1u64, 10, 333, 2000, 4949, 7000] {
            let t = ramp.send_time(n);
            assert!(close(ramp.sends_by(t), n as f64), "n={n}");
            assert!(t >= ramp.send_time(n - 1));
        }
        let from_zero = Ramp::parse("0:+10/s:100").unwrap();
        assert!(close(from_zero.send_time(5).as_secs_f64(), 1.0));
        assert_eq!(
            Rate::Constant(1000.0).send_time(1500),
            Duration::from_millis(1500)
        );
    }

    #[test]
    fn errors_say_what_is_wrong() {
        type Check = fn(&RampError) -> bool;
        let cases: [(&str, Check); 7] = [
            ("100:100/s:1000", |e| matches!(e, RampError::Shape(_))),
            ("100:+100:1000", |e| matches!(e, RampError::Shape(_))),
            ("100:+100/s", |e| matches!(e, RampError::Shape(_))),
            ("abc:+100/s:1000", |e| {
                matches!(e, RampError::Number { part: "start", .. })
            }),
            ("-5:+100/s:1000", |e| {
                matches!(e, RampError::NegativeStart(_))
            }),
            ("100:+0/s:1000", |e| matches!(e, RampError::Step(_))),
            ("100:+10/s:50", |e| matches!(e, RampError::Ceiling(_))),
        ];
        for (text, expected) in cases {
            let err = Ramp::parse(text).unwrap_err();
            assert!(expected(&err), "{text}: {err:?}");
            assert!(err.to_string().contains(text), "{err}");
        }
        assert!(Ramp::parse("1:+1/s:inf").is_err());
    }

    #[test]
    fn rate_parses_both_forms() {
        assert_eq!("250".parse::<Rate>().unwrap(), Rate::Constant(250.0));
        assert!(matches!("1:+1/s:2".parse::<Rate>().unwrap(), Rate::Ramp(_)));
        assert!("0".parse::<Rate>().is_err());
        assert!("fast".parse::<Rate>().is_err());
    }
}
