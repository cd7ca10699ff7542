package emulator

import (
	"crmsheets/crm/emulator/soql"
)

// Field indexes answer the equality lookups of a query plan (soql.Plan) in
// O(matches) instead of scanning the table: clients re-read and look up
// records in batches of 200 ("WHERE Email IN (…200…)"), and a scan of a
// 100k-record table per batch made a 100k push quadratic.
//
// An index is built the first time a query needs it and kept up to date by
// table.put. It is allowed to over-approximate: the query still evaluates
// Match on every candidate, so a stale entry costs a little time, never a
// wrong answer. Updates therefore only add the record's new position under
// its new key and leave the old entry behind; once stale entries outnumber
// the records, the index is dropped and rebuilt on the next query. Anything
// that moves records to other positions (a rollback of a create, a purge)
// drops every index of the table.

// indexSlack is how many stale entries an index tolerates beyond one per
// record before it is rebuilt.
const indexSlack = 1024

// fieldIndex groups a table's records by the soql.EqualityKey of one
// field's value. Positions index table.recs; a record may also be listed
// under keys it no longer holds (see above) and more than once.
type fieldIndex struct {
	field *Field
	byKey map[string][]int32
	// nulls lists records whose value is null; unreadable those whose value
	// has no key (soql.KeyUnreadable): every lookup includes the latter.
	nulls, unreadable []int32
	// entries counts positions held; beyond len(recs)+indexSlack the index
	// is dropped.
	entries int
}

func newFieldIndex(t *table, f *Field) *fieldIndex {
	ix := &fieldIndex{field: f, byKey: make(map[string][]int32, len(t.recs))}
	for i, r := range t.recs {
		ix.add(int32(i), r)
	}
	return ix
}

// add lists the record at position pos under its current key.
func (ix *fieldIndex) add(pos int32, r *record) {
	key, kind := soql.EqualityKey(ix.field.Type, r.vals[ix.field.index])
	switch kind {
	case soql.KeyValue:
		ix.byKey[key] = append(ix.byKey[key], pos)
	case soql.KeyNull:
		ix.nulls = append(ix.nulls, pos)
	default:
		ix.unreadable = append(ix.unreadable, pos)
	}
	ix.entries++
}

// sameKey reports whether two versions of a record are listed alike.
func (ix *fieldIndex) sameKey(a, b *record) bool {
	ka, kindA := soql.EqualityKey(ix.field.Type, a.vals[ix.field.index])
	kb, kindB := soql.EqualityKey(ix.field.Type, b.vals[ix.field.index])
	return kindA == kindB && ka == kb
}

// size is how many positions a lookup would return, duplicates included.
func (ix *fieldIndex) size(l *soql.Lookup) int {
	n := len(ix.unreadable)
	for _, k := range l.Keys {
		n += len(ix.byKey[k])
	}
	if l.Null {
		n += len(ix.nulls)
	}
	return n
}

// appendLookup appends the positions a lookup can match.
func (ix *fieldIndex) appendLookup(dst []int32, l *soql.Lookup) []int32 {
	dst = append(dst, ix.unreadable...)
	for _, k := range l.Keys {
		dst = append(dst, ix.byKey[k]...)
	}
	if l.Null {
		dst = append(dst, ix.nulls...)
	}
	return dst
}

// index returns the table's index of field f, building it when build is
// set. Readers call it holding s.mu for reading; idxMu serialises their
// building. Writers, holding s.mu exclusively, maintain t.indexes directly.
func (t *table) index(f *Field, build bool) *fieldIndex {
	t.idxMu.Lock()
	defer t.idxMu.Unlock()
	ix := t.indexes[f.index]
	if ix == nil && build {
		ix = newFieldIndex(t, f)
		if t.indexes == nil {
			t.indexes = map[int]*fieldIndex{}
		}
		t.indexes[f.index] = ix
	}
	return ix
}

// reindex keeps the indexes in step with a put of r at pos (old is the
// record it replaces, nil for an insert). The caller holds s.mu for writing.
func (t *table) reindex(pos int, old, r *record) {
	for fi, ix := range t.indexes {
		if old != nil && ix.sameKey(old, r) {
			continue
		}
		if ix.entries > len(t.recs)+indexSlack {
			delete(t.indexes, fi)
			continue
		}
		ix.add(int32(pos), r)
	}
}

// dropIndexes forgets every index of the table, for changes that move
// records to other positions. The caller holds s.mu for writing.
func (t *table) dropIndexes() { t.indexes = nil }

// isCanonicalID reports whether id is the 18-character form Normalize18
// gives, the form the id index t.pos can be probed with.
func isCanonicalID(id string) bool {
	return len(id) == 18 && id[15:] == IDChecksum(id[:15])
}
