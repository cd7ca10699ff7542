package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"crmsheets/sheets"
)

// Row order is the order of 8-byte big-endian position keys. Appends leave
// posGap between rows, so about 24 inserts can land between any two rows
// before their gap is used up; then a window of neighbours around the
// insertion point is spread out again to at least minSpread apart, which
// touches a handful of rows, not the sheet.
const (
	posGap    = 1 << 24
	minSpread = 1 << 12
)

var errOrderFull = errors.New("the sheet's order space is exhausted; copy its rows into a new sheet")

// appendPositions returns k positions after the last row.
func (sd *sheetData) appendPositions(k int) ([]uint64, error) {
	var last uint64
	if key, _ := sd.rows.Cursor().Last(); key != nil {
		last = binary.BigEndian.Uint64(key)
	}
	if last > math.MaxUint64-posGap*uint64(k+1) {
		return nil, errOrderFull
	}
	out := make([]uint64, k)
	for i := range out {
		out[i] = last + posGap*uint64(i+1)
	}
	return out, nil
}

// positionsAfter returns k increasing positions right after position lo
// (lo = 0: at the top), renumbering neighbours when the gap is too small.
func (sd *sheetData) positionsAfter(lo uint64, k int) ([]uint64, error) {
	c := sd.rows.Cursor()
	var next []byte
	if lo == 0 {
		next, _ = c.First()
	} else {
		key, _ := c.Seek(posKeyBytes(lo))
		if key == nil || binary.BigEndian.Uint64(key) != lo {
			return nil, fmt.Errorf("%w: position %d", ErrCorrupt, lo)
		}
		next, _ = c.Next()
	}
	if next == nil {
		if lo > math.MaxUint64-posGap*uint64(k+1) {
			return nil, errOrderFull
		}
		out := make([]uint64, k)
		for i := range out {
			out[i] = lo + posGap*uint64(i+1)
		}
		return out, nil
	}
	hi := binary.BigEndian.Uint64(next)
	if step := (hi - lo) / uint64(k+1); step >= 1 {
		out := make([]uint64, k)
		for i := range out {
			out[i] = lo + step*uint64(i+1)
		}
		return out, nil
	}
	return sd.respread(lo, hi, k)
}

// respread makes room for k rows between the rows at lo (0: the top) and hi
// by moving a window of rows around them to evenly spread positions. The
// window doubles on each side until the space between its outer neighbours
// is wide enough, or it reaches the end of the sheet, where space is
// unbounded.
func (sd *sheetData) respread(lo, hi uint64, k int) ([]uint64, error) {
	nl, nr := 0, 1
	if lo != 0 {
		nl = 1
	}
	for {
		left, lb := sd.collectLeft(lo, nl)
		right, rb, open := sd.collectRight(hi, nr)
		n := uint64(len(left) + k + len(right))
		var step uint64
		switch {
		case open:
			step = posGap
			if lb > math.MaxUint64-step*(n+1) {
				step = (math.MaxUint64 - lb) / (n + 1)
			}
		default:
			step = (rb - lb) / (n + 1)
		}
		if open && step >= 1 || step >= minSpread {
			return sd.moveWindow(left, right, lb, step, k)
		}
		grew := false
		if lb > 0 && len(left) == nl {
			nl = max(2*nl, 1)
			grew = true
		}
		if !open {
			nr *= 2
			grew = true
		}
		if !grew {
			return nil, errOrderFull
		}
	}
}

// collectLeft returns up to n positions at or before lo, ascending, and the
// position before them (0 when none).
func (sd *sheetData) collectLeft(lo uint64, n int) ([]uint64, uint64) {
	if lo == 0 || n == 0 {
		return nil, lo
	}
	c := sd.rows.Cursor()
	key, _ := c.Seek(posKeyBytes(lo))
	var rev []uint64
	for key != nil && len(rev) < n {
		rev = append(rev, binary.BigEndian.Uint64(key))
		key, _ = c.Prev()
	}
	var lb uint64
	if key != nil {
		lb = binary.BigEndian.Uint64(key)
	}
	out := make([]uint64, len(rev))
	for i, p := range rev {
		out[len(rev)-1-i] = p
	}
	return out, lb
}

// collectRight returns up to n positions from hi on, the position after them
// and whether there is none (the window reaches the end).
func (sd *sheetData) collectRight(hi uint64, n int) ([]uint64, uint64, bool) {
	c := sd.rows.Cursor()
	key, _ := c.Seek(posKeyBytes(hi))
	var out []uint64
	for key != nil && len(out) < n {
		out = append(out, binary.BigEndian.Uint64(key))
		key, _ = c.Next()
	}
	if key == nil {
		return out, 0, true
	}
	return out, binary.BigEndian.Uint64(key), false
}

// moveWindow gives the left rows, k new slots and the right rows the
// positions lb+step, lb+2*step, ... and returns the new slots' positions.
func (sd *sheetData) moveWindow(left, right []uint64, lb, step uint64, k int) ([]uint64, error) {
	type moved struct {
		id  sheets.RowID
		val []byte
		to  uint64
	}
	var ms []moved
	slot := uint64(1)
	take := func(p uint64) error {
		v := sd.rows.Get(posKeyBytes(p))
		id, err := decodeRowID(v)
		if err != nil {
			return err
		}
		ms = append(ms, moved{id: id, val: sd.keep(v), to: lb + step*slot})
		slot++
		return nil
	}
	for _, p := range left {
		if err := take(p); err != nil {
			return nil, err
		}
	}
	out := make([]uint64, k)
	for i := range out {
		out[i] = lb + step*slot
		slot++
	}
	for _, p := range right {
		if err := take(p); err != nil {
			return nil, err
		}
	}
	for _, p := range append(left, right...) {
		if err := sd.rows.Delete(posKeyBytes(p)); err != nil {
			return nil, err
		}
	}
	for _, m := range ms {
		pk := sd.u64(m.to)
		if err := sd.rows.Put(pk, m.val); err != nil {
			return nil, err
		}
		if err := sd.ids.Put(sd.u64(uint64(m.id)), pk); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func posKeyBytes(p uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], p)
	return b[:]
}

// rowNumber is the 1-based place of the row at position pos, as a user sees
// it. It walks the rows before it, so it is only for error messages.
func (sd *sheetData) rowNumber(pos []byte) int {
	n := 0
	c := sd.rows.Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k, pos) <= 0; k, _ = c.Next() {
		n++
	}
	return n
}
