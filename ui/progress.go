package ui

import (
	"sync"
	"time"

	"crmsheets/app"
	"crmsheets/ui/uiloop"
)

// progressInterval is how often a running operation repaints its progress:
// the engine reports every record, the screen changes ten times a second
// (STYLE.md #9).
const progressInterval = 100 * time.Millisecond

// throttle collects progress reports from the engine's goroutine and
// paints the latest one on the UI goroutine at most every
// progressInterval.
type throttle struct {
	mu   sync.Mutex
	last app.Progress
	seen bool
	stop chan struct{}
	done chan struct{}
}

// newThrottle starts the ticker; paint runs on the UI goroutine with the
// latest report. Call Stop when the operation ends.
func newThrottle(paint func(app.Progress)) *throttle {
	t := &throttle{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(t.done)
		tick := time.NewTicker(progressInterval)
		defer tick.Stop()
		for {
			select {
			case <-t.stop:
				return
			case <-tick.C:
				t.mu.Lock()
				p, ok := t.last, t.seen
				t.seen = false
				t.mu.Unlock()
				if ok {
					uiloop.Do(func() { paint(p) })
				}
			}
		}
	}()
	return t
}

// Report records the latest progress; it is the callback handed to the
// engine and may be called from any goroutine, as often as it likes.
func (t *throttle) Report(p app.Progress) {
	t.mu.Lock()
	t.last, t.seen = p, true
	t.mu.Unlock()
}

// Stop ends the ticker and waits for it.
func (t *throttle) Stop() {
	close(t.stop)
	<-t.done
}
