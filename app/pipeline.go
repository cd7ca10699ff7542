package app

import (
	"iter"
	"sync/atomic"

	"crmsheets/crm"
)

// prefetch turns a record stream into pages of size records read one page
// ahead: a goroutine fetches the next page (the next HTTP call, the next
// Bulk results download) while the caller stores the previous one, so the
// network and the store work at the same time. At most three pages are in
// memory (one being stored, one ready, one filling), whatever the pull's
// size. Stopping early (break, error) stops the reader before returning;
// the reader ends at its current call, bounded by the query's context.
//
// ready reports, while the pages are being iterated, whether the next one
// is already waiting, so the caller can fold it into the transaction it is
// building instead of committing (see pull).
func prefetch(seq iter.Seq2[crm.Record, error], size int) (pages iter.Seq2[[]crm.Record, error], ready func() bool) {
	type item struct {
		page []crm.Record
		err  error
	}
	var waiting atomic.Pointer[chan item]
	ready = func() bool {
		ch := waiting.Load()
		return ch != nil && len(*ch) > 0
	}
	return func(yield func([]crm.Record, error) bool) {
		ch := make(chan item, 1)
		waiting.Store(&ch)
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer close(ch)
			send := func(it item) bool {
				select {
				case ch <- it:
					return true
				case <-stop:
					return false
				}
			}
			page := make([]crm.Record, 0, size)
			for rec, err := range seq {
				if err != nil {
					send(item{err: err})
					return
				}
				page = append(page, rec)
				if len(page) == size {
					if !send(item{page: page}) {
						return
					}
					page = make([]crm.Record, 0, size)
				}
			}
			if len(page) > 0 {
				send(item{page: page})
			}
		}()
		defer func() {
			close(stop)
			<-done
		}()
		for it := range ch {
			if !yield(it.page, it.err) || it.err != nil {
				return
			}
		}
	}, ready
}
