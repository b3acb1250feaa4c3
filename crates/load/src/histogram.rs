//! Bounded latency histograms.
//!
//! A [`LatencyHistogram`] is an HDR histogram of microseconds from 1 µs to 60 s with 3
//! significant digits: its size is fixed (about 140 KiB) whatever the run length, and
//! any value it reports is within 0.1% of the true one. Values above 60 s are clamped
//! to 60 s and counted, so a stalled server shows up as "clamped", never as a panic or
//! a silently dropped sample.
//!
//! Histograms can be written in HdrHistogram's interval-log format (`--hdr-out`), which
//! HdrHistogram's own tools read: [`LatencyHistogram::write_interval_log`] for one
//! histogram, [`write_interval_log`] for a sequence of per-interval ones.

use std::cell::RefCell;
use std::io::{self, Write};
use std::time::{Duration, SystemTime};

use hdrhistogram::Histogram;
use hdrhistogram::serialization::interval_log::{
    IntervalLogWriterBuilder, IntervalLogWriterError, Tag,
};
use hdrhistogram::serialization::{Deserializer, Serializer as _, V2DeflateSerializer};
use serde::{Deserialize, Serialize};

/// Latency in microseconds, recorded in a fixed-size HDR histogram.
#[derive(Debug, Clone)]
pub struct LatencyHistogram {
    inner: Histogram<u64>,
    clamped: u64,
}

impl LatencyHistogram {
    /// The lowest discernible value, in microseconds.
    pub const LOWEST_US: u64 = 1;
    /// The highest value recorded as is, in microseconds (60 s); larger ones are clamped.
    pub const HIGHEST_US: u64 = 60_000_000;
    /// Significant decimal digits kept for every value.
    pub const SIGNIFICANT_DIGITS: u8 = 3;

    /// An empty histogram.
    pub fn new() -> Self {
        let inner =
            Histogram::new_with_bounds(Self::LOWEST_US, Self::HIGHEST_US, Self::SIGNIFICANT_DIGITS)
                .expect("the histogram bounds are valid constants");
        Self { inner, clamped: 0 }
    }

    /// The histogram in HdrHistogram's compressed V2 encoding ("V2 deflate", the one
    /// interval logs carry, base64-free), for storing raw histograms beside a run so that
    /// any percentile can be recomputed later. The clamped count travels separately.
    pub fn to_v2_deflate(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Encoding into a Vec cannot fail for a histogram with valid bounds.
        if V2DeflateSerializer::new()
            .serialize(&self.inner, &mut out)
            .is_err()
        {
            out.clear();
        }
        out
    }

    /// Reads a histogram written by [`Self::to_v2_deflate`] (or any HdrHistogram V2 /
    /// V2-deflate encoding of microseconds), with `clamped` values above 60 s.
    pub fn from_v2(bytes: &[u8], clamped: u64) -> Result<Self, HistogramDecodeError> {
        let decoded: Histogram<u64> = Deserializer::new()
            .deserialize(&mut &bytes[..])
            .map_err(|e| HistogramDecodeError(format!("{e:?}")))?;
        let mut histogram = Self::new();
        histogram
            .inner
            .add(&decoded)
            .map_err(|e| HistogramDecodeError(format!("{e:?}")))?;
        histogram.clamped = clamped;
        Ok(histogram)
    }

    /// Records one latency. Values above [`Self::HIGHEST_US`] are clamped and counted.
    pub fn record(&mut self, latency: Duration) {
        let us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.record_us(us);
    }

    /// Records one latency given in microseconds (see [`Self::record`]).
    pub fn record_us(&mut self, us: u64) {
        let us = if us > Self::HIGHEST_US {
            self.clamped += 1;
            Self::HIGHEST_US
        } else {
            us
        };
        self.inner.saturating_record(us);
    }

    /// Adds every sample of `other` to this histogram.
    pub fn merge(&mut self, other: &LatencyHistogram) {
        self.inner
            .add(&other.inner)
            .expect("histograms with the same bounds always merge");
        self.clamped += other.clamped;
    }

    /// Number of samples.
    pub fn len(&self) -> u64 {
        self.inner.len()
    }

    /// Whether no sample was recorded.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// Number of samples that were above [`Self::HIGHEST_US`] and recorded as that value.
    pub fn clamped(&self) -> u64 {
        self.clamped
    }

    /// The value at quantile `q` (0.0 to 1.0), in microseconds; 0 when empty.
    pub fn quantile_us(&self, q: f64) -> u64 {
        if self.is_empty() {
            return 0;
        }
        self.inner.value_at_quantile(q.clamp(0.0, 1.0))
    }

    /// The underlying HDR histogram (for interval-log output).
    pub fn hdr(&self) -> &Histogram<u64> {
        &self.inner
    }

    /// Writes this histogram to `out` as an HdrHistogram interval log holding one interval
    /// of `length` that began at `start` (see [`write_interval_log`] for the format and
    /// units). `tag` labels the interval (`Tag=NAME,` in the log); it may not contain a
    /// comma, a space or a line break.
    pub fn write_interval_log(
        &self,
        out: impl Write,
        start: SystemTime,
        length: Duration,
        tag: Option<&str>,
    ) -> io::Result<()> {
        write_interval_log(
            out,
            start,
            [LogInterval {
                histogram: self,
                offset: Duration::ZERO,
                length,
                tag,
            }],
        )
    }

    /// Min, mean, standard deviation, percentiles and max, in milliseconds.
    pub fn summary(&self) -> LatencySummary {
        if self.is_empty() {
            return LatencySummary::default();
        }
        let ms = |us: u64| us as f64 / 1000.0;
        LatencySummary {
            count: self.len(),
            clamped: self.clamped,
            min: ms(self.inner.min()),
            mean: self.inner.mean() / 1000.0,
            stdev: self.inner.stdev() / 1000.0,
            p50: ms(self.quantile_us(0.50)),
            p75: ms(self.quantile_us(0.75)),
            p90: ms(self.quantile_us(0.90)),
            p99: ms(self.quantile_us(0.99)),
            p999: ms(self.quantile_us(0.999)),
            max: ms(self.inner.max()),
        }
    }
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

/// The version of the interval-log format written (the one with tags and compressed V2
/// histograms, as HdrHistogram's Java `HistogramLogWriter` writes it).
pub const HDR_LOG_FORMAT_VERSION: &str = "1.3";

/// What the `Interval_Max` column of an interval log is divided by: values are recorded in
/// microseconds, and 1000 makes that column milliseconds, the unit HdrHistogram's Java
/// tools write there (they divide nanoseconds by 1 000 000).
pub const HDR_LOG_MAX_VALUE_DIVISOR: f64 = 1000.0;

/// The legend line HdrHistogram's Java `HistogramLogWriter` writes before the intervals.
const HDR_LOG_LEGEND: &str =
    "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n";

/// One histogram of an interval log: the samples recorded during `length` from `offset`
/// after the log's start time.
#[derive(Debug, Clone, Copy)]
pub struct LogInterval<'a> {
    /// The samples.
    pub histogram: &'a LatencyHistogram,
    /// When the interval began, after the log's start time.
    pub offset: Duration,
    /// How long the interval lasted (tools divide the count by it to get a rate).
    pub length: Duration,
    /// An optional label (`Tag=NAME,` in the log, e.g. `corrected` / `uncorrected`); no
    /// comma, space or line break.
    pub tag: Option<&'a str>,
}

/// Writes `intervals` to `out` in HdrHistogram's interval-log format (the `--hdr-out`
/// file), readable by HdrHistogram's own tools (`HistogramLogProcessor`,
/// `HistogramLogAnalyzer`, the Rust crate's `IntervalLogIterator`).
///
/// The log starts with comment headers — the format version, a note on units,
/// `#[StartTime: ...]` and `#[BaseTime: ...]` (both `start`, in seconds since the epoch),
/// `#[MaxValueDivisor: 1000.000]` — and the legend line
/// `"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"`;
/// then one line per interval: optional `Tag=NAME,`, the offset from `start` and the
/// length in seconds, the interval's max in milliseconds, and the histogram as base64 of
/// HdrHistogram's compressed V2 encoding.
///
/// Units: the histograms are written as recorded, in microseconds (exactly, so that a
/// reader decodes the very same histogram); only the informational `Interval_Max` column
/// is divided by [`HDR_LOG_MAX_VALUE_DIVISOR`] into milliseconds. HdrHistogram's Java
/// tools assume nanoseconds by default, so their percentile output must be scaled with
/// `-outputValueUnitRatio 1000` (e.g. `java -cp HdrHistogram.jar
/// org.HdrHistogram.HistogramLogProcessor -i run.hlog -outputValueUnitRatio 1000`) to read
/// milliseconds; the log's header comments say so. Re-recording the values as
/// nanoseconds instead would avoid the flag but change the bucket layout, so the decoded
/// histogram would no longer equal the measured one.
///
/// A tag with a comma, a space or a line break is an `InvalidInput` error, reported
/// before anything is written.
pub fn write_interval_log<'a>(
    out: impl Write,
    start: SystemTime,
    intervals: impl IntoIterator<Item = LogInterval<'a>>,
) -> io::Result<()> {
    let intervals: Vec<LogInterval<'a>> = intervals.into_iter().collect();
    let tags = intervals
        .iter()
        .map(|interval| match interval.tag {
            None => Ok(None),
            Some(tag) => Tag::new(tag).map(Some).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "histogram log tag {tag:?} may not contain a comma, a space or a line break"
                    ),
                )
            }),
        })
        .collect::<io::Result<Vec<_>>>()?;
    let clamped: u64 = intervals.iter().map(|i| i.histogram.clamped()).sum();

    let mut builder = IntervalLogWriterBuilder::new();
    builder
        .add_comment(&format!(
            "[Histogram log format version {HDR_LOG_FORMAT_VERSION}]"
        ))
        .add_comment(
            "Written by Podium. Values are latencies in microseconds (1 us to 60 s, 3 significant digits); \
             the Interval_Max column is in milliseconds.",
        )
        .add_comment(
            "For percentiles in milliseconds with HdrHistogram's HistogramLogProcessor, \
             pass -outputValueUnitRatio 1000 (its default assumes nanoseconds).",
        );
    if clamped > 0 {
        builder.add_comment(&format!("Samples above 60 s, recorded as 60 s: {clamped}"));
    }
    builder
        .with_start_time(start)
        .with_base_time(start)
        .with_max_value_divisor(HDR_LOG_MAX_VALUE_DIVISOR);

    // The crate's writer holds the output for the whole log but has no call for the
    // legend line, which goes between the headers and the first interval; sharing the
    // output through a `RefCell` lets us write it there.
    let out = RefCell::new(io::BufWriter::new(out));
    let mut sink = SharedWriter(&out);
    let mut serializer = V2DeflateSerializer::new();
    let mut log = builder.begin_log_with(&mut sink, &mut serializer)?;
    out.borrow_mut().write_all(HDR_LOG_LEGEND.as_bytes())?;
    for (interval, tag) in intervals.iter().zip(tags) {
        log.write_histogram(
            interval.histogram.hdr(),
            interval.offset,
            interval.length,
            tag,
        )
        .map_err(|e| match e {
            IntervalLogWriterError::IoError(e) => e,
            IntervalLogWriterError::SerializeError(e) => io::Error::other(e),
        })?;
    }
    drop(log);
    out.into_inner().flush()
}

/// A stored histogram that could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an HdrHistogram V2 encoding of a latency histogram: {0}")]
pub struct HistogramDecodeError(String);

/// A `Write` that forwards to a writer shared through a `RefCell`.
struct SharedWriter<'a, W>(&'a RefCell<W>);

impl<W: Write> Write for SharedWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.borrow_mut().flush()
    }
}

/// A histogram's summary; every latency is in milliseconds (µs resolution).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    /// Number of samples.
    pub count: u64,
    /// Samples above 60 s, recorded as 60 s.
    pub clamped: u64,
    /// Smallest sample.
    pub min: f64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Standard deviation.
    pub stdev: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Largest sample.
    pub max: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() <= expected.abs() * 0.002 + 0.001
    }

    #[test]
    fn percentiles_of_a_uniform_range() {
        let mut h = LatencyHistogram::new();
        for us in 1..=10_000 {
            h.record_us(us);
        }
        let s = h.summary();
        assert_eq!(s.count, 10_000);
        assert_eq!(s.clamped, 0);
        assert!(close(s.min, 0.001), "{s:?}");
        assert!(close(s.p50, 5.0), "{s:?}");
        assert!(close(s.p75, 7.5), "{s:?}");
        assert!(close(s.p90, 9.0), "{s:?}");
        assert!(close(s.p99, 9.9), "{s:?}");
        assert!(close(s.p999, 9.99), "{s:?}");
        assert!(close(s.max, 10.0), "{s:?}");
        assert!(close(s.mean, 5.0005), "{s:?}");
        // The standard deviation of 1..=n is about n / sqrt(12).
        assert!(close(s.stdev, 10.0 / 12f64.sqrt()), "{s:?}");
    }

    #[test]
    fn a_single_outlier_sets_max_and_p999_only() {
        let mut h = LatencyHistogram::new();
        for _ in 0..999 {
            h.record(Duration::from_millis(1));
        }
        h.record(Duration::from_secs(1));
        let s = h.summary();
        assert!(close(s.p50, 1.0) && close(s.p99, 1.0), "{s:?}");
        assert!(close(s.max, 1000.0), "{s:?}");
    }

    #[test]
    fn values_above_the_range_are_clamped_and_counted() {
        let mut h = LatencyHistogram::new();
        h.record(Duration::from_secs(120));
        h.record(Duration::MAX);
        h.record_us(5);
        assert_eq!(h.len(), 3);
        assert_eq!(h.clamped(), 2);
        let s = h.summary();
        assert!(close(s.max, 60_000.0), "{s:?}");
        assert_eq!(s.clamped, 2);
    }

    #[test]
    fn merge_adds_samples_and_clamp_counts() {
        let mut a = LatencyHistogram::new();
        let mut b = LatencyHistogram::new();
        for us in 1..=500 {
            a.record_us(us);
        }
        for us in 501..=1000 {
            b.record_us(us);
        }
        b.record(Duration::from_secs(100));
        a.merge(&b);
        assert_eq!(a.len(), 1001);
        assert_eq!(a.clamped(), 1);
        assert!(close(a.quantile_us(0.5) as f64, 501.0));
    }

    #[test]
    fn an_empty_histogram_summarises_to_zeros() {
        let h = LatencyHistogram::default();
        assert!(h.is_empty());
        assert_eq!(h.summary(), LatencySummary::default());
        assert_eq!(h.quantile_us(0.99), 0);
    }

    /// Reads an interval log back with the hdrhistogram crate's own parser and decoder:
    /// the start time, and each interval's tag, offset, length, max column and histogram.
    type ReadInterval = (Option<String>, Duration, Duration, f64, Histogram<u64>);

    fn read_log(log: &[u8]) -> (Vec<Duration>, Vec<Duration>, Vec<ReadInterval>) {
        use base64::Engine as _;
        use hdrhistogram::serialization::Deserializer;
        use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};

        let (mut starts, mut bases, mut intervals) = (Vec::new(), Vec::new(), Vec::new());
        for entry in IntervalLogIterator::new(log) {
            match entry.expect("a well-formed log") {
                LogEntry::StartTime(t) => starts.push(t),
                LogEntry::BaseTime(t) => bases.push(t),
                LogEntry::Interval(i) => {
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(i.encoded_histogram())
                        .expect("base64");
                    let h: Histogram<u64> = Deserializer::new()
                        .deserialize(&mut &bytes[..])
                        .expect("a V2 histogram");
                    intervals.push((
                        i.tag().map(|t| t.as_str().to_string()),
                        i.start_timestamp(),
                        i.duration(),
                        i.max(),
                        h,
                    ));
                }
            }
        }
        (starts, bases, intervals)
    }

    #[test]
    fn an_interval_log_round_trips_through_hdrhistograms_reader() {
        let mut h = LatencyHistogram::new();
        for us in 1..=10_000 {
            h.record_us(us);
        }
        for _ in 0..50 {
            h.record(Duration::from_millis(250));
        }
        h.record(Duration::from_secs(90)); // clamped to 60 s
        let start = SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_250);
        let mut log = Vec::new();
        h.write_interval_log(&mut log, start, Duration::from_secs(10), Some("corrected"))
            .unwrap();
        let text = String::from_utf8(log.clone()).unwrap();

        // The text headers, in the order HdrHistogram's Java writer puts them.
        let lines: Vec<&str> = text.lines().collect();
        let at = |prefix: &str| {
            lines
                .iter()
                .position(|l| l.starts_with(prefix))
                .unwrap_or_else(|| panic!("no {prefix:?} line in\n{text}"))
        };
        let version = at("#[Histogram log format version 1.3]");
        let start_line = at("#[StartTime: 1700000000.250 (seconds since epoch)]");
        let base_line = at("#[BaseTime: 1700000000.250 (seconds since epoch)]");
        let divisor = at("#[MaxValueDivisor: 1000.000]");
        let legend = at(
            "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"",
        );
        let interval = at(&format!(
            "Tag=corrected,0.000,10.000,{:.3},HISTFAAA",
            h.hdr().max() as f64 / 1000.0
        ));
        assert!(version < start_line && start_line < base_line && base_line < divisor);
        assert!(divisor < legend && legend < interval, "{text}");
        assert_eq!(interval, lines.len() - 1, "{text}");
        assert!(text.contains("-outputValueUnitRatio 1000"), "{text}");
        assert!(
            text.contains("#Samples above 60 s, recorded as 60 s: 1\n"),
            "{text}"
        );

        let (starts, bases, intervals) = read_log(&log);
        assert_eq!(starts, [Duration::from_millis(1_700_000_000_250)]);
        assert_eq!(bases, starts);
        let [(tag, offset, length, max_ms, decoded)] = &intervals[..] else {
            panic!("one interval expected, got {}", intervals.len())
        };
        assert_eq!(tag.as_deref(), Some("corrected"));
        assert_eq!(*offset, Duration::ZERO);
        assert_eq!(*length, Duration::from_secs(10));
        // The Interval_Max column is in milliseconds (the 60 s bucket's highest value).
        assert!((max_ms - 60_000.0).abs() < 60.0, "{max_ms}");
        assert!(
            (max_ms - h.hdr().max() as f64 / 1000.0).abs() < 0.0005,
            "{max_ms}"
        );
        // The decoded histogram is the recorded one: same count, bounds and percentiles.
        assert_eq!(decoded.len(), h.len());
        assert_eq!(decoded.len(), 10_051);
        assert_eq!(decoded.min(), h.hdr().min());
        assert_eq!(decoded.max(), h.hdr().max());
        assert_eq!(decoded.high(), LatencyHistogram::HIGHEST_US);
        assert_eq!(decoded.sigfig(), LatencyHistogram::SIGNIFICANT_DIGITS);
        for q in [0.0, 0.5, 0.75, 0.9, 0.99, 0.995, 0.999, 0.9999, 1.0] {
            assert_eq!(decoded.value_at_quantile(q), h.quantile_us(q), "q={q}");
        }
        assert_eq!(decoded.mean(), h.hdr().mean());
        assert!(*decoded == *h.hdr());
    }

    #[test]
    fn a_sequence_of_intervals_keeps_its_offsets_and_tags() {
        let mut first = LatencyHistogram::new();
        let mut second = LatencyHistogram::new();
        first.record_us(1_000);
        first.record_us(2_000);
        second.record_us(5_000);
        let empty = LatencyHistogram::new();
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut log = Vec::new();
        let interval = |histogram, offset_ms, tag| LogInterval {
            histogram,
            offset: Duration::from_millis(offset_ms),
            length: Duration::from_secs(1),
            tag,
        };
        write_interval_log(
            &mut log,
            start,
            [
                interval(&first, 0, None),
                interval(&second, 1_000, None),
                interval(&empty, 2_000, Some("uncorrected")),
            ],
        )
        .unwrap();
        let (_, _, intervals) = read_log(&log);
        let read: Vec<_> = intervals
            .iter()
            .map(|(tag, offset, _, _, h)| (tag.as_deref(), offset.as_millis(), h.len(), h.max()))
            .collect();
        assert_eq!(
            read,
            [
                (None, 0, 2, first.hdr().max()),
                (None, 1_000, 1, second.hdr().max()),
                (Some("uncorrected"), 2_000, 0, 0)
            ]
        );
        let maxes: Vec<f64> = intervals.iter().map(|i| i.3).collect();
        assert_eq!(maxes, [2.0, 5.003, 0.0]);
        let text = String::from_utf8(log).unwrap();
        assert!(!text.contains("above 60 s"), "{text}");
    }

    #[test]
    fn a_bad_tag_is_an_error_and_writes_nothing() {
        let h = LatencyHistogram::new();
        let mut log = Vec::new();
        let err = h
            .write_interval_log(
                &mut log,
                SystemTime::now(),
                Duration::from_secs(1),
                Some("a b"),
            )
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("\"a b\""), "{err}");
        assert!(log.is_empty());
    }

    #[test]
    fn summary_serialises_with_the_documented_keys() {
        let mut h = LatencyHistogram::new();
        h.record_us(1500);
        let json = serde_json::to_value(h.summary()).unwrap();
        for key in [
            "count", "clamped", "min", "mean", "stdev", "p50", "p75", "p90", "p99", "p999", "max",
        ] {
            assert!(json.get(key).is_some(), "missing {key} in {json}");
        }
    }
}
