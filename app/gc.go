package app

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// A Bulk push keeps little alive (tens of MB: a planning round, a
// write-back transaction) but allocates a few KB per row on the way
// (decoded rows, plans, outcomes). With the collector's default target
// (GOGC=100, a new cycle each time the heap doubles) a CLI process whose
// live heap is ~20 MB collects every ~20 MB of allocation, a hundred times
// in a 100k-row push, and the collector's marking and assists took about a
// fifth of the push's time. While Bulk pushes run, the target is raised to
// bulkGCPercent, capped by a memory limit bulkGCHeadroom above what the
// process used when the first of them began, so memory stays bounded and
// flat however many rows are pushed. 64 MB gave a CLI push of 100k rows
// 1.54-1.58 s against 1.86-2.07 s without, for 3-4 MB more peak
// anonymous memory; 96 MB was no faster and peaked 30 MB higher. The user's own GOGC and GOMEMLIMIT
// win where they are more generous, or stricter.
const (
	bulkGCPercent  = 400
	bulkGCHeadroom = 64 << 20
)

// bulkGC counts the Bulk pushes running in the process (the app may run a
// scheduled sync beside one the user started) and holds the collector's
// settings from before the first, restored when the last ends.
var bulkGC struct {
	sync.Mutex
	runs    int
	percent int
	limit   int64
}

// relaxGC raises the collector's target for a Bulk push (see
// bulkGCPercent) and returns the function that puts it back.
func relaxGC() (restore func()) {
	bulkGC.Lock()
	defer bulkGC.Unlock()
	if bulkGC.runs == 0 {
		bulkGC.percent = debug.SetGCPercent(bulkGCPercent)
		if bulkGC.percent < 0 || bulkGC.percent > bulkGCPercent {
			debug.SetGCPercent(bulkGC.percent) // GOGC=off or higher: the user's
		}
		bulkGC.limit = debug.SetMemoryLimit(-1)
		if limit := goMemory() + bulkGCHeadroom; limit < bulkGC.limit {
			debug.SetMemoryLimit(limit)
		}
	}
	bulkGC.runs++
	var once sync.Once
	return func() {
		once.Do(func() {
			bulkGC.Lock()
			defer bulkGC.Unlock()
			bulkGC.runs--
			if bulkGC.runs == 0 {
				debug.SetGCPercent(bulkGC.percent)
				debug.SetMemoryLimit(bulkGC.limit)
			}
		})
	}
}

// goMemory is the memory the Go runtime holds from the OS now, less what
// it has returned (what a memory limit counts).
func goMemory() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	total, released := s[0].Value.Uint64(), s[1].Value.Uint64()
	if released > total || total > math.MaxInt64 {
		return 0
	}
	return int64(total - released)
}
