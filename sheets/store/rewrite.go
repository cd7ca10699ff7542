package store

import (
	"bytes"
	"fmt"
	"runtime"

	bolt "go.etcd.io/bbolt"

	"crmsheets/sheets"
)

// RewriteRows reads each row of ids as it is stored now, hands it to fn and
// stores the row fn returns in its place, all inside the transaction.
//
// It is the write-back of a push: the engine decides a row's new state from
// what it sent and what the row holds now (the user may have edited it
// while the push ran), so a row is looked up and decoded once, not once to
// compare and again to replace, and the engine need not hold 100k rows
// between planning and writing back.
//
// fn gets the index of the id in ids and the stored row, which it owns (it
// may change and return it); cur is nil when the row was deleted meanwhile
// (fn's answer is then ignored). fn returns nil to leave the row as it is.
// The returned row must keep its id. Index entries follow a changed record
// id or key cell as UpdateRows keeps them.
//
// fn is called once per id, in order, but for many rows on a goroutine of
// its own: decoding, and fn with encoding, then run beside this goroutine,
// which looks rows up and stores them. On a 2-core machine, where the
// collector takes much of the second core, that gained about 3% of a
// 100k-row push's write-back; more cores give it more room. So fn must not
// use the transaction, and it must not share state with the caller's
// goroutine until RewriteRows returns.
func (tx *Tx) RewriteRows(sheetID string, ids []sheets.RowID, fn func(i int, cur *sheets.Row) (*sheets.Row, error)) error {
	sd, err := tx.sheet(sheetID)
	if err != nil {
		return fmt.Errorf("rewrite rows: %w", err)
	}
	if len(ids) >= rewriteParallelRows && runtime.GOMAXPROCS(0) > 1 && distinct(ids) {
		err = sd.rewriteParallel(ids, fn)
	} else {
		var enc rewriteArena
		for i, id := range ids {
			var it rewriteItem
			if err = sd.rewriteRead(&it, i, id); err == nil {
				if err = sd.rewriteCompute(&it, fn, &enc); err == nil {
					err = sd.rewriteStore(&it)
				}
			}
			if err != nil {
				break
			}
		}
	}
	if err != nil {
		return err
	}
	return sd.flush()
}

// distinct reports whether no id repeats: the parallel path reads rows
// ahead of storing the ones before, so a repeated id would be read before
// its first rewrite is stored (the one-goroutine path reads it after).
func distinct(ids []sheets.RowID) bool {
	seen := make(map[sheets.RowID]struct{}, len(ids))
	for _, id := range ids {
		if _, ok := seen[id]; ok {
			return false
		}
		seen[id] = struct{}{}
	}
	return true
}

// rewriteParallelRows is how many rows RewriteRows needs before it hands
// the decoding and fn to a second goroutine (a variable so tests can
// take both paths with few rows).
var rewriteParallelRows = 1024

// rewriteBatchRows is how many rows travel between RewriteRows's stages
// at a time: enough that handing over costs nothing next to the
// rows, few enough that both sides start at once.
const rewriteBatchRows = 256

// rewriteItem is one row on its way through RewriteRows: read (position
// and stored bytes), computed (decoded, fn, encoded), then stored.
type rewriteItem struct {
	i              int
	id             sheets.RowID
	pos            []byte // position key, kept for the transaction; nil when the row is gone
	raw            string // the row as stored
	row            *sheets.Row
	enc            []byte // row encoded; nil to leave the row as it is
	oldRec, oldKey string
}

// rewriteArena holds encoded rows until the commit, as bbolt requires of
// values passed to Put; the parallel path's worker has its own, since the
// transaction's arena belongs to the transaction's goroutine.
type rewriteArena struct{ buf []byte }

// encode encodes r into the arena.
func (a *rewriteArena) encode(r *sheets.Row, cols *columnTable) ([]byte, error) {
	if cap(a.buf)-len(a.buf) < 4096 {
		a.buf = make([]byte, 0, 256<<10)
	}
	free := a.buf[len(a.buf):]
	enc, err := encodeRow(free, r, cols)
	if err != nil {
		return nil, err
	}
	if len(enc) <= cap(free) { // encoded in place, inside the free space
		a.buf = a.buf[:len(a.buf)+len(enc)]
		enc = enc[:len(enc):len(enc)]
	}
	return enc, nil
}

// rewriteRead looks row id up (transaction goroutine).
func (sd *sheetData) rewriteRead(it *rewriteItem, i int, id sheets.RowID) error {
	it.i, it.id = i, id
	pos := sd.position(id)
	if pos == nil {
		return nil
	}
	it.pos = sd.keep(pos)
	v := sd.encoded(it.pos)
	if v == nil {
		return fmt.Errorf("%w: row %d of sheet %q indexed but missing", ErrCorrupt, id, sd.def.Name)
	}
	it.raw = string(v)
	return nil
}

// rewriteCompute decodes the row, asks fn for its new state and encodes
// it (any goroutine: it touches only the item, the sheet's definition and
// its column table, which nothing else touches meanwhile).
func (sd *sheetData) rewriteCompute(it *rewriteItem, fn func(i int, cur *sheets.Row) (*sheets.Row, error), a *rewriteArena) error {
	if err := sd.rewriteDecode(it, sd.cols); err != nil {
		return err
	}
	return sd.rewriteAsk(it, fn, a)
}

// rewriteDecode decodes the row as stored with the column table cols
// (any goroutine: decoding only reads it).
func (sd *sheetData) rewriteDecode(it *rewriteItem, cols *columnTable) error {
	if it.pos == nil || it.row != nil {
		return nil
	}
	cur, err := decodeRowString(it.raw, cols)
	if err != nil {
		return fmt.Errorf("row %d of sheet %q: %w", it.id, sd.def.Name, err)
	}
	it.raw, it.row = "", cur
	it.oldRec, it.oldKey = cur.RecordID, sd.keyValue(cur)
	return nil
}

// rewriteAsk hands the decoded row to fn and encodes fn's answer into it
// (one goroutine at a time, in order: fn's own rule, and encoding may add
// to the column table).
func (sd *sheetData) rewriteAsk(it *rewriteItem, fn func(i int, cur *sheets.Row) (*sheets.Row, error), a *rewriteArena) error {
	if it.pos == nil {
		_, err := fn(it.i, nil)
		return err
	}
	cur := it.row
	it.row = nil
	r, err := fn(it.i, cur)
	if err != nil || r == nil {
		return err
	}
	if r.ID != it.id {
		return fmt.Errorf("rewrite row %d of sheet %q: the new row has id %d", it.id, sd.def.Name, r.ID)
	}
	it.row = r
	if it.enc, err = a.encode(r, sd.cols); err != nil {
		return fmt.Errorf("row %d of sheet %q: %w", it.id, sd.def.Name, err)
	}
	return nil
}

// rewriteStore stores a computed row and moves its index entries
// (transaction goroutine).
func (sd *sheetData) rewriteStore(it *rewriteItem) error {
	r := it.row
	if r == nil {
		return nil
	}
	id := it.id
	newRec, newKey := r.RecordID, sd.keyValue(r)
	recChanged := recPrefixString(it.oldRec) != recPrefixString(newRec)
	keyChanged := it.oldKey != newKey
	if recChanged && it.oldRec != "" {
		if err := sd.rec.Delete(sd.recKey(it.oldRec, id)); err != nil {
			return fmt.Errorf("row %d of sheet %q: %w", id, sd.def.Name, err)
		}
	}
	if keyChanged && it.oldKey != "" {
		// in the index or, after a bulk load not yet indexed, in the
		// pending list (as replace does)
		if err := sd.key.Delete(sd.keyKey(it.oldKey, id)); err != nil {
			return fmt.Errorf("row %d of sheet %q: %w", id, sd.def.Name, err)
		}
		if err := sd.unpend(id); err != nil {
			return fmt.Errorf("row %d of sheet %q: %w", id, sd.def.Name, err)
		}
	}
	if err := sd.rows.Put(it.pos, it.enc); err != nil {
		return fmt.Errorf("row %d of sheet %q: %w", id, sd.def.Name, err)
	}
	if recChanged {
		if err := sd.indexRecord(r); err != nil {
			return fmt.Errorf("row %d of sheet %q: %w", id, sd.def.Name, err)
		}
	}
	if keyChanged {
		if err := sd.indexKey(r); err != nil {
			return fmt.Errorf("row %d of sheet %q: %w", id, sd.def.Name, err)
		}
	}
	return nil
}

// rewriteParallel is RewriteRows in four stages, in order, a batch at a
// time: this goroutine reads a batch ahead, one worker decodes it, another
// hands it to fn and encodes fn's answers, and this goroutine stores what
// comes back. ids must not repeat (see distinct). Decoding and fn cost
// about the same, so each gets a goroutine while this one's bbolt work
// fits between. The first error stops every stage.
func (sd *sheetData) rewriteParallel(ids []sheets.RowID, fn func(i int, cur *sheets.Row) (*sheets.Row, error)) error {
	type batch struct {
		items []rewriteItem
		err   error
	}
	todo := make(chan *batch, 2)
	decoded := make(chan *batch, 2)
	done := make(chan *batch, 4)
	// The decoder reads the column table as it is now: the rows it reads
	// were stored with it, while encoding may add columns meanwhile.
	cols := sd.cols.frozen()
	go func() {
		defer close(decoded)
		failed := false
		for b := range todo {
			if !failed {
				for k := range b.items {
					if b.err = sd.rewriteDecode(&b.items[k], cols); b.err != nil {
						failed = true
						break
					}
				}
			}
			decoded <- b
		}
	}()
	go func() {
		defer close(done)
		var a rewriteArena
		failed := false
		for b := range decoded {
			if !failed && b.err == nil {
				for k := range b.items {
					if b.err = sd.rewriteAsk(&b.items[k], fn, &a); b.err != nil {
						break
					}
				}
			}
			failed = failed || b.err != nil
			done <- b
		}
	}()
	var err error
	store := func(b *batch) {
		if err != nil {
			return
		}
		if b.err != nil {
			err = b.err
			return
		}
		for k := range b.items {
			if err = sd.rewriteStore(&b.items[k]); err != nil {
				return
			}
			b.items[k] = rewriteItem{} // let the row go
		}
	}
	inFlight := 0
	for from := 0; from < len(ids) && err == nil; from += rewriteBatchRows {
		n := min(rewriteBatchRows, len(ids)-from)
		b := &batch{items: make([]rewriteItem, n)}
		for k := range n {
			if err = sd.rewriteRead(&b.items[k], from+k, ids[from+k]); err != nil {
				break
			}
		}
		if err != nil {
			break
		}
		todo <- b
		inFlight++
		if inFlight >= 3 {
			store(<-done)
			inFlight--
		}
	}
	close(todo)
	for b := range done {
		store(b)
	}
	return err
}

// seekExact is Bucket.Get through a cursor kept for many lookups: the
// value at key, nil when the key is absent (or holds a bucket).
func seekExact(c *bolt.Cursor, key []byte) []byte {
	k, v := c.Seek(key)
	if !bytes.Equal(k, key) {
		return nil
	}
	return v
}
