package common

import (
	"math"
	"runtime/metrics"

	"github.com/prometheus/client_golang/prometheus"
)

// gcPauseMetric is the runtime's own distribution of individual GC
// stop-the-world pauses (two per GC cycle), counted since the process started.
const gcPauseMetric = "/sched/pauses/total/gc:seconds"

// Pauses shorter than the first bound or longer than the last one are still
// counted (in the first bucket and in +Inf); GC pauses outside 1 µs – 1 s are
// not worth buckets of their own.
const (
	gcPauseMinNs = 1 << 10
	gcPauseMaxNs = 1 << 30
)

// gcPauseCollector exposes gcPauseMetric as podium_go_gc_pause_seconds.
//
// Why not the Go collector's go_sched_pauses_total_gc_seconds: client_golang
// re-buckets time histograms to powers of ten, so a p99 estimated from it is
// only known to within a factor of ten. go_gc_duration_seconds is no
// substitute either: it is a summary of per-cycle pause totals over the last
// GC cycles whose largest quantile is the maximum, not a p99. This collector
// keeps the runtime's bucket bounds at 2^k and 1.5·2^k ns (two per octave),
// so the cumulative counts are exact and a p99 is known to within a factor of
// 1.5. It only reads the runtime at scrape time: requests pay nothing.
type gcPauseCollector struct {
	desc *prometheus.Desc
}

func newGCPauseCollector() *gcPauseCollector {
	return &gcPauseCollector{desc: prometheus.NewDesc(
		"podium_go_gc_pause_seconds",
		"Individual GC stop-the-world pause latencies (runtime/metrics "+gcPauseMetric+
			"), with the runtime's bucket bounds at 2^k and 1.5*2^k ns kept so a p99 can be"+
			" estimated. Each le is just below a runtime bound, so a bucket counts exactly"+
			" the pauses shorter than that bound. _sum is estimated from bucket lower bounds.",
		nil, nil,
	)}
}

func (c *gcPauseCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *gcPauseCollector) Collect(ch chan<- prometheus.Metric) {
	sample := []metrics.Sample{{Name: gcPauseMetric}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindFloat64Histogram {
		// A runtime without this metric: expose nothing rather than zeros.
		return
	}
	count, sum, buckets := gcPauseBuckets(sample[0].Value.Float64Histogram())
	ch <- prometheus.MustNewConstHistogram(c.desc, count, sum, buckets)
}

// gcPauseBuckets turns a runtime histogram (Counts[i] counts values in
// [Buckets[i], Buckets[i+1])) into Prometheus cumulative buckets at the kept
// bounds, plus the total count and the lower-bound estimate of the sum.
func gcPauseBuckets(h *metrics.Float64Histogram) (uint64, float64, map[float64]uint64) {
	buckets := make(map[float64]uint64)
	var cumulative uint64
	var sum float64
	for i, n := range h.Counts {
		lower, upper := h.Buckets[i], h.Buckets[i+1]
		if !math.IsInf(lower, -1) {
			sum += lower * float64(n)
		}
		cumulative += n
		if keptBound(upper) {
			// Nextafter towards zero: the runtime's upper bound is
			// exclusive, Prometheus's le is inclusive.
			buckets[math.Nextafter(upper, 0)] = cumulative
		}
	}
	return cumulative, sum, buckets
}

// keptBound reports whether a runtime bucket bound (in seconds) is 2^k or
// 1.5·2^k nanoseconds within [gcPauseMinNs, gcPauseMaxNs].
func keptBound(seconds float64) bool {
	if math.IsInf(seconds, 0) || seconds <= 0 {
		return false
	}
	ns := uint64(math.Round(seconds * 1e9))
	if ns < gcPauseMinNs || ns > gcPauseMaxNs {
		return false
	}
	isPow2 := func(v uint64) bool { return v != 0 && v&(v-1) == 0 }
	return isPow2(ns) || (ns%3 == 0 && isPow2(ns/3*2))
}
