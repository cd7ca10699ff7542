package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"

	"crmsheets/sheets"
)

// rowFormat is the first byte of every encoded row, so the encoding can
// evolve without a migration rewriting every row: the decoder reads every
// format listed here, the encoder writes the newest.
//
//	1: the base as a full list of pairs
//	2: the base as its difference from the cells (a synced row's base
//	   equals its cells: it costs two bytes and decodes as one map copy)
const (
	rowFormat   byte = 2
	rowFormatV1 byte = 1
)

func knownFormat(b byte) bool { return b == rowFormat || b == rowFormatV1 }

// errBadRow reports an encoded row that does not decode: a damaged file.
var errBadRow = fmt.Errorf("%w: undecodable row", ErrCorrupt)

// columnTable interns a sheet's column ids as small integers, so a cell costs
// one varint for its column instead of the id's text. Indexes are never
// reused, even after a column is removed.
type columnTable struct {
	ids   []string
	index map[string]uint64
	dirty bool
}

func decodeColumnTable(b []byte) (*columnTable, error) {
	t := &columnTable{index: map[string]uint64{}}
	s := string(b)
	for len(s) > 0 {
		id, rest, ok := readString(s)
		if !ok {
			return nil, fmt.Errorf("%w: undecodable column table", ErrCorrupt)
		}
		t.index[id] = uint64(len(t.ids))
		t.ids = append(t.ids, id)
		s = rest
	}
	return t, nil
}

func (t *columnTable) encode() []byte {
	var b []byte
	for _, id := range t.ids {
		b = appendString(b, id)
	}
	return b
}

// intern returns the index of a column id, adding it when new.
func (t *columnTable) intern(id string) uint64 {
	if i, ok := t.index[id]; ok {
		return i
	}
	i := uint64(len(t.ids))
	t.ids = append(t.ids, id)
	t.index[id] = i
	t.dirty = true
	return i
}

// frozen is the table as it is now, for decoding on another goroutine
// while intern adds to t: the copy shares the ids known now, which intern
// never changes, and has no index, so it only decodes.
func (t *columnTable) frozen() *columnTable {
	return &columnTable{ids: t.ids[:len(t.ids):len(t.ids)]}
}

func (t *columnTable) id(i uint64) (string, bool) {
	if i >= uint64(len(t.ids)) {
		return "", false
	}
	return t.ids[i], true
}

// Layout of an encoded row (all integers varints):
//
//	format byte, row id, state byte, record id, remote-modified time,
//	local-edited time, error, cells, base, conflicts, candidates
//
// strings are a length then bytes; a time is a presence byte then Unix
// nanoseconds; cells are a count then (column index, value) pairs; base is 0
// when nil, else count+1 then pairs; conflicts are a count then (column
// index, base, remote, time); candidates are a length then JSON (rare).

// encodeRow appends the encoding of r to buf. It interns column ids in cols.
func encodeRow(buf []byte, r *sheets.Row, cols *columnTable) ([]byte, error) {
	buf = append(buf, rowFormat)
	buf = binary.AppendUvarint(buf, uint64(r.ID))
	buf = append(buf, byte(r.State))
	buf = appendString(buf, r.RecordID)
	buf = appendTime(buf, r.RemoteModified)
	buf = appendTime(buf, r.LocalEdited)
	buf = appendString(buf, r.Error)
	buf, cellsN := appendCells(buf, r.Cells, cols)
	buf = appendBase(buf, r, cellsN, cols)
	buf = binary.AppendUvarint(buf, uint64(len(r.Conflicts)))
	for col, c := range r.Conflicts {
		buf = binary.AppendUvarint(buf, cols.intern(col))
		buf = appendString(buf, c.Base)
		buf = appendString(buf, c.Remote)
		buf = appendTime(buf, c.At)
	}
	if len(r.Candidates) == 0 {
		buf = append(buf, 0)
	} else {
		j, err := json.Marshal(r.Candidates)
		if err != nil {
			return nil, fmt.Errorf("encode candidates of row %d: %w", r.ID, err)
		}
		buf = appendString(buf, string(j))
	}
	return buf, nil
}

// appendCells writes the non-blank cells as a count then (column index,
// value) pairs, and returns how many it wrote. Below 128 cells the count is
// one byte, patched after a single pass over the map; the encoding is the
// same as a count written first.
func appendCells(buf []byte, m map[string]string, cols *columnTable) ([]byte, int) {
	if len(m) >= 0x80 {
		n := 0
		for _, v := range m {
			if v != "" {
				n++
			}
		}
		buf = binary.AppendUvarint(buf, uint64(n))
		return appendPairs(buf, m, cols), n
	}
	at := len(buf)
	buf = append(buf, 0)
	n := 0
	for col, v := range m {
		if v == "" { // a blank cell is a missing key
			continue
		}
		buf = binary.AppendUvarint(buf, cols.intern(col))
		buf = appendString(buf, v)
		n++
	}
	buf[at] = byte(n)
	return buf, n
}

// appendPairs writes the non-blank entries of m as (column index, value).
func appendPairs(buf []byte, m map[string]string, cols *columnTable) []byte {
	for col, v := range m {
		if v != "" {
			buf = binary.AppendUvarint(buf, cols.intern(col))
			buf = appendString(buf, v)
		}
	}
	return buf
}

// appendBase writes the base as its difference from the stored cells (the
// non-blank ones; cellsN of them): 0 for a nil base; else 1, the pairs whose
// base value is not the cell's (a blank base value for a column without a
// cell included), and the columns that have a cell but no base entry.
//
// A synced row's base equals its cells: one pass over the base finds no
// difference, and counting the base entries that have a non-blank cell
// tells that no cell lacks a base entry without a second pass over the
// cells.
func appendBase(buf []byte, r *sheets.Row, cellsN int, cols *columnTable) []byte {
	if r.Base == nil {
		return append(buf, 0)
	}
	buf = append(buf, 1)
	covered := 0 // base entries whose column has a non-blank cell
	diff := func(col, v string) bool {
		c, ok := r.Cells[col]
		if ok && c != "" {
			covered++
		}
		return !ok || c == "" || c != v
	}
	if len(r.Base) < 0x80 {
		at := len(buf)
		buf = append(buf, 0)
		n := 0
		for col, v := range r.Base {
			if diff(col, v) {
				buf = binary.AppendUvarint(buf, cols.intern(col))
				buf = appendString(buf, v)
				n++
			}
		}
		buf[at] = byte(n)
	} else {
		n := 0
		for col, v := range r.Base {
			if c, ok := r.Cells[col]; !ok || c == "" || c != v {
				n++
			}
		}
		buf = binary.AppendUvarint(buf, uint64(n))
		for col, v := range r.Base {
			if diff(col, v) {
				buf = binary.AppendUvarint(buf, cols.intern(col))
				buf = appendString(buf, v)
			}
		}
	}
	if covered == cellsN { // every non-blank cell has its base entry
		return append(buf, 0)
	}
	buf = binary.AppendUvarint(buf, uint64(cellsN-covered))
	for col, v := range r.Cells {
		if _, ok := r.Base[col]; !ok && v != "" {
			buf = binary.AppendUvarint(buf, cols.intern(col))
		}
	}
	return buf
}

func appendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

func appendTime(buf []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(buf, 0)
	}
	buf = append(buf, 1)
	return binary.AppendVarint(buf, t.UnixNano())
}

// decodeRowID reads only the row id of an encoded row: what RowIDs needs.
func decodeRowID(b []byte) (sheets.RowID, error) {
	if len(b) < 2 || !knownFormat(b[0]) {
		return 0, errBadRow
	}
	id, n := binary.Uvarint(b[1:])
	if n <= 0 {
		return 0, errBadRow
	}
	return sheets.RowID(id), nil
}

// decodeRow decodes an encoded row. It copies b once into a string that all
// the row's values share, so it is safe to use after the transaction ends and
// costs one allocation for all the text of a row.
func decodeRow(b []byte, cols *columnTable) (*sheets.Row, error) {
	return decodeRowString(string(b), cols)
}

// decodeRowString is decodeRow of bytes already copied out of bbolt (the
// row shares their memory).
func decodeRowString(s string, cols *columnTable) (*sheets.Row, error) {
	d := rowDecoder{s: s, cols: cols}
	r := d.row()
	if d.err != nil {
		return nil, d.err
	}
	return r, nil
}

type rowDecoder struct {
	s    string
	cols *columnTable
	err  error
}

func (d *rowDecoder) fail() {
	if d.err == nil {
		d.err = errBadRow
	}
}

func (d *rowDecoder) byte() byte {
	if d.err != nil || len(d.s) == 0 {
		d.fail()
		return 0
	}
	c := d.s[0]
	d.s = d.s[1:]
	return c
}

func (d *rowDecoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, rest, ok := readUvarint(d.s)
	if !ok {
		d.fail()
		return 0
	}
	d.s = rest
	return v
}

func (d *rowDecoder) str() string {
	if d.err != nil {
		return ""
	}
	v, rest, ok := readString(d.s)
	if !ok {
		d.fail()
		return ""
	}
	d.s = rest
	return v
}

func (d *rowDecoder) time() time.Time {
	if d.byte() == 0 || d.err != nil {
		return time.Time{}
	}
	u := d.uvarint()
	// zig-zag, as binary.AppendVarint writes it
	n := int64(u >> 1)
	if u&1 != 0 {
		n = ^n
	}
	return time.Unix(0, n).UTC()
}

func (d *rowDecoder) col() string {
	i := d.uvarint()
	if d.err != nil {
		return ""
	}
	id, ok := d.cols.id(i)
	if !ok {
		d.fail()
	}
	return id
}

// pairs reads n (column, value) pairs. Cells drop blank values, which the
// encoder never writes, so that a blank cell is always a missing key.
func (d *rowDecoder) pairs(n uint64, dropBlank bool) map[string]string {
	if n > uint64(len(d.s)) { // each pair takes at least two bytes
		d.fail()
		return nil
	}
	m := make(map[string]string, n)
	for range n {
		col, v := d.col(), d.str()
		if d.err != nil {
			return nil
		}
		if v != "" || !dropBlank {
			m[col] = v
		}
	}
	return m
}

// base reads a base written by appendBase, starting from a copy of cells.
func (d *rowDecoder) base(cells map[string]string) map[string]string {
	switch d.byte() {
	case 0:
		return nil
	case 1:
	default:
		d.fail()
		return nil
	}
	diffs := d.uvarint()
	if diffs > uint64(len(d.s)) {
		d.fail()
		return nil
	}
	var m map[string]string
	if cells != nil {
		m = maps.Clone(cells)
	} else {
		m = make(map[string]string, diffs)
	}
	for range diffs {
		col, v := d.col(), d.str()
		if d.err != nil {
			return nil
		}
		m[col] = v
	}
	dels := d.uvarint()
	if dels > uint64(len(d.s)) {
		d.fail()
		return nil
	}
	for range dels {
		col := d.col()
		if d.err != nil {
			return nil
		}
		delete(m, col)
	}
	return m
}

func (d *rowDecoder) row() *sheets.Row {
	format := d.byte()
	if !knownFormat(format) {
		d.fail()
		return nil
	}
	r := &sheets.Row{}
	r.ID = sheets.RowID(d.uvarint())
	r.State = sheets.State(d.byte())
	r.RecordID = d.str()
	r.RemoteModified = d.time()
	r.LocalEdited = d.time()
	r.Error = d.str()
	if n := d.uvarint(); n > 0 {
		r.Cells = d.pairs(n, true)
	}
	if format == rowFormatV1 {
		if n := d.uvarint(); n > 0 {
			r.Base = d.pairs(n-1, false)
		}
	} else {
		r.Base = d.base(r.Cells)
	}
	if n := d.uvarint(); n > 0 {
		if n > uint64(len(d.s)) {
			d.fail()
			return nil
		}
		r.Conflicts = make(map[string]sheets.Conflict, n)
		for range n {
			col := d.col()
			c := sheets.Conflict{Base: d.str(), Remote: d.str(), At: d.time()}
			if d.err != nil {
				return nil
			}
			r.Conflicts[col] = c
		}
	}
	if j := d.str(); j != "" {
		if err := json.Unmarshal([]byte(j), &r.Candidates); err != nil {
			d.err = errors.Join(errBadRow, err)
			return nil
		}
	}
	if d.err == nil && len(d.s) != 0 {
		d.fail()
	}
	return r
}

func readUvarint(s string) (uint64, string, bool) {
	var x uint64
	var shift uint
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		c := s[i]
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				return 0, s, false
			}
			return x | uint64(c)<<shift, s[i+1:], true
		}
		x |= uint64(c&0x7f) << shift
		shift += 7
	}
	return 0, s, false
}

func readString(s string) (string, string, bool) {
	n, rest, ok := readUvarint(s)
	if !ok || n > uint64(len(rest)) {
		return "", s, false
	}
	return rest[:n], rest[n:], true
}

// indexedFields reads from an encoded row only what its index entries
// derive from: the record id and the raw cell of column keyCol (interned
// index; ok false when the sheet has no key column). It allocates only the
// two strings, so replacing rows does not decode them whole.
func indexedFields(b []byte, keyCol uint64, hasKey bool) (recordID, key string, err error) {
	s := b
	next := func() (uint64, bool) {
		v, n := binary.Uvarint(s)
		if n <= 0 {
			return 0, false
		}
		s = s[n:]
		return v, true
	}
	str := func() ([]byte, bool) {
		n, ok := next()
		if !ok || n > uint64(len(s)) {
			return nil, false
		}
		v := s[:n]
		s = s[n:]
		return v, true
	}
	skipTime := func() bool {
		if len(s) == 0 {
			return false
		}
		present := s[0]
		s = s[1:]
		if present == 0 {
			return true
		}
		_, ok := next()
		return ok
	}
	if len(s) < 3 || !knownFormat(s[0]) {
		return "", "", errBadRow
	}
	s = s[1:]
	if _, ok := next(); !ok { // row id
		return "", "", errBadRow
	}
	s = s[1:] // state
	rec, ok := str()
	if !ok || !skipTime() || !skipTime() {
		return "", "", errBadRow
	}
	if _, ok := str(); !ok { // error
		return "", "", errBadRow
	}
	if !hasKey {
		return string(rec), "", nil
	}
	n, ok := next()
	if !ok {
		return "", "", errBadRow
	}
	for range n {
		col, ok := next()
		if !ok {
			return "", "", errBadRow
		}
		v, ok := str()
		if !ok {
			return "", "", errBadRow
		}
		if col == keyCol {
			return string(rec), string(v), nil
		}
	}
	return string(rec), "", nil
}
