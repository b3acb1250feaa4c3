package common

import (
	"math"
	"runtime"
	"runtime/metrics"
	"testing"
)

func TestGCPauseBucketsKeepTwoBoundsPerOctave(t *testing.T) {
	// Runtime-style bounds in seconds: 512 ns (below the range), 1024 ns,
	// 1280 ns (not kept), 1536 ns, 2048 ns, then +Inf.
	h := &metrics.Float64Histogram{
		Buckets: []float64{math.Inf(-1), 512e-9, 1024e-9, 1280e-9, 1536e-9, 2048e-9, math.Inf(1)},
		Counts:  []uint64{0, 1, 2, 3, 4, 5},
	}
	count, sum, buckets := gcPauseBuckets(h)
	if count != 15 {
		t.Errorf("count = %d, want 15", count)
	}
	want := map[float64]uint64{
		math.Nextafter(1024e-9, 0): 1,
		math.Nextafter(1536e-9, 0): 6,
		math.Nextafter(2048e-9, 0): 10,
	}
	if len(buckets) != len(want) {
		t.Fatalf("buckets = %v, want %v", buckets, want)
	}
	for le, n := range want {
		if buckets[le] != n {
			t.Errorf("bucket le=%g = %d, want %d (all: %v)", le, buckets[le], n, buckets)
		}
	}
	wantSum := 512e-9*1 + 1024e-9*2 + 1280e-9*3 + 1536e-9*4 + 2048e-9*5
	if math.Abs(sum-wantSum) > 1e-15 {
		t.Errorf("sum = %g, want %g", sum, wantSum)
	}
}

func TestGCPauseHistogramIsExposed(t *testing.T) {
	runtime.GC()
	mfs, err := Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "podium_go_gc_pause_seconds" {
			continue
		}
		h := mf.GetMetric()[0].GetHistogram()
		// A GC cycle stops the world twice.
		if h.GetSampleCount() < 2 {
			t.Errorf("sample count %d after runtime.GC(), want >= 2", h.GetSampleCount())
		}
		if n := len(h.GetBucket()); n < 30 || n > 45 {
			t.Errorf("%d buckets, want about 41 (two per octave from 1 µs to 1 s)", n)
		}
		return
	}
	t.Fatal("no podium_go_gc_pause_seconds in the registry")
}
