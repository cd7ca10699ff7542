package app

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// A Bulk push keeps little alive (tens of MB: a planning round, a
// write-back transaction) but allocates a few KB per row on the way
// (decoded rows, plans, outcomes). With the collector's default target
// (GOGC=100, a new cycle each time the heap doubles) a CLI process whose
// live heap is ~20 MB collects every ~20 MB of allocation, a hundred times
// in a 100k-row push, and the collector's marking and assists took about a
// fifth of the push's time. While Bulk pushes run, the target is raised to
// bulkGCPercent, capped by a memory limit bulkGCHeadroom above what the
// process used when the first of them began (raised with the live heap,
// see watchGC), so memory stays bounded and flat however many rows are
// pushed. 64 MB gave a CLI push of 100k rows 1.54-1.58 s against
// 1.86-2.07 s without, for 3-4 MB more peak anonymous memory; 96 MB was no
// faster and peaked 30 MB higher. The user's own GOGC and GOMEMLIMIT win
// where they are more generous, or stricter.
const bulkGCPercent = 400

// bulkGCHeadroom is how far above its memory at the start the limit lets a
// push's process grow before the collector works harder (a variable so a
// test can make it small).
var bulkGCHeadroom int64 = 64 << 20

// gcOverhead is what the runtime holds besides the heap's objects
// (stacks, metadata, freed spans not yet returned), roughly.
const gcOverhead = 16 << 20

// bulkGCWatch is how often, while Bulk pushes run, the limit is checked
// against the live heap (see watchGC).
const bulkGCWatch = 50 * time.Millisecond

// bulkGC counts the Bulk pushes running in the process (the app may run a
// scheduled sync beside one the user started) and holds the collector's
// settings from before the first, restored when the last ends.
var bulkGC struct {
	sync.Mutex
	runs    int
	percent int
	limit   int64         // the user's, restored at the end
	current int64         // the limit set now
	stop    chan struct{} // ends watchGC
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
		bulkGC.current = bulkGC.limit
		if limit := goMemory() + bulkGCHeadroom; limit < bulkGC.limit {
			bulkGC.current = limit
			debug.SetMemoryLimit(limit)
		}
		bulkGC.stop = make(chan struct{})
		go watchGC(bulkGC.stop)
	}
	bulkGC.runs++
	var once sync.Once
	return func() {
		once.Do(func() {
			bulkGC.Lock()
			defer bulkGC.Unlock()
			bulkGC.runs--
			if bulkGC.runs == 0 {
				close(bulkGC.stop)
				debug.SetGCPercent(bulkGC.percent)
				debug.SetMemoryLimit(bulkGC.limit)
			}
		})
	}
}

// watchGC keeps the limit from ever being stricter than the default
// collector: a push whose live heap outgrows the headroom (creates are
// kept in memory, not spooled, and the app's own heap counts too) would
// otherwise have the collector run without pause. Every bulkGCWatch it
// raises the limit to where the default collector (GOGC=100) would let the
// heap grow, twice the live heap plus gcOverhead, when that is higher,
// never above the user's own limit, until stop closes.
func watchGC(stop chan struct{}) {
	t := time.NewTicker(bulkGCWatch)
	defer t.Stop()
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		metrics.Read(live)
		v := live[0].Value.Uint64()
		if v > math.MaxInt64/4 {
			continue
		}
		bulkGC.Lock()
		select {
		case <-stop: // restored meanwhile: leave the user's limit
		default:
			if want := 2*int64(v) + gcOverhead; want > bulkGC.current && bulkGC.current < bulkGC.limit {
				bulkGC.current = min(want, bulkGC.limit)
				debug.SetMemoryLimit(bulkGC.current)
			}
		}
		bulkGC.Unlock()
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
