package app

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// TestRelaxGC: the collector's target is raised while any Bulk push runs,
// under a memory limit above what the process used, and both settings
// come back when the last push ends; a user's GOGC higher than ours, or
// off, is left alone, and so is a stricter memory limit.
func TestRelaxGC(t *testing.T) {
	percent := debug.SetGCPercent(100)
	limit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
	settings := func() (int, int64) {
		p := debug.SetGCPercent(-1)
		debug.SetGCPercent(p)
		return p, debug.SetMemoryLimit(-1)
	}

	first := relaxGC()
	p, l := settings()
	if p != bulkGCPercent || l == math.MaxInt64 || l < bulkGCHeadroom {
		t.Fatalf("during a push: GOGC %d, limit %d; want %d and a limit", p, l, bulkGCPercent)
	}
	second := relaxGC()
	first()
	first() // twice: counted once
	if p2, l2 := settings(); p2 != bulkGCPercent || l2 != l {
		t.Fatalf("while a second push runs: GOGC %d, limit %d; want %d and %d", p2, l2, bulkGCPercent, l)
	}
	second()
	if p, l := settings(); p != 100 || l != math.MaxInt64 {
		t.Fatalf("after the pushes: GOGC %d, limit %d; want 100 and none", p, l)
	}

	debug.SetGCPercent(800)
	debug.SetMemoryLimit(1 << 20)
	restore := relaxGC()
	if p, l := settings(); p != 800 || l != 1<<20 {
		t.Fatalf("with GOGC=800 and a 1 MiB limit: GOGC %d, limit %d during a push", p, l)
	}
	restore()
	debug.SetGCPercent(-1)
	restore = relaxGC()
	if p, _ := settings(); p != -1 {
		t.Fatalf("with GOGC=off: GOGC %d during a push", p)
	}
	restore()
	if p, l := settings(); p != -1 || l != 1<<20 {
		t.Fatalf("after: GOGC %d, limit %d; want off and 1 MiB", p, l)
	}
}

// TestRelaxGCFollowsTheLiveHeap: a push whose live heap outgrows the
// headroom (creates stay in memory) gets its limit raised to at least twice
// its live heap, as far as the default collector would let it grow, so the
// collector never runs without pause (without the watch the limit stayed
// at 11 MB with 48 MB live); the user's limit comes back at the end.
func TestRelaxGCFollowsTheLiveHeap(t *testing.T) {
	limit := debug.SetMemoryLimit(math.MaxInt64)
	room := bulkGCHeadroom
	bulkGCHeadroom = 4 << 20
	t.Cleanup(func() {
		bulkGCHeadroom = room
		debug.SetMemoryLimit(limit)
	})
	restore := relaxGC()
	start := debug.SetMemoryLimit(-1)
	held := make([][]byte, 0, 64)
	for range 48 {
		b := make([]byte, 1<<20)
		b[0] = 1
		held = append(held, b) // 48 MB kept alive: twelve times the headroom
	}
	runtime.GC()
	deadline := time.Now().Add(5 * time.Second)
	for debug.SetMemoryLimit(-1) < start+64<<20 && time.Now().Before(deadline) {
		time.Sleep(bulkGCWatch)
	}
	if got := debug.SetMemoryLimit(-1); got < 2*(48<<20) {
		t.Errorf("limit %d MB with 48 MB live, started at %d MB: want at least twice the live heap", got>>20, start>>20)
	}
	runtime.KeepAlive(held)
	restore()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("after the push the limit is %d, want none", got)
	}
}
