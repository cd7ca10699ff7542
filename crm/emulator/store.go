package emulator

import (
	"strings"
	"sync"
	"time"
)

// sfDateTimeLayout is how Salesforce writes dateTime values: UTC with
// milliseconds and a colon-less offset (checklist item 8).
const sfDateTimeLayout = "2006-01-02T15:04:05.000-0700"

// formatDateTime renders t the way Salesforce does.
func formatDateTime(t time.Time) string { return t.UTC().Format(sfDateTimeLayout) }

// record is one row of a table. Its vals are aligned with Object.Fields and
// hold JSON-like values (nil, string, float64, bool); dates are
// "YYYY-MM-DD" and dateTimes formatted by formatDateTime, so comparing them
// as strings orders them in time. A published record is never modified:
// writers build a new record and swap the pointer, so query cursors and
// readers outside the lock keep a consistent snapshot.
type record struct {
	vals []any
}

func (r *record) id(o *Object) string { s, _ := r.vals[o.idIdx].(string); return s }

// deleted reports whether r is in the recycle bin; records of objects
// without IsDeleted (Organization, Profile) never are.
func (r *record) deleted(o *Object) bool {
	if o.isDeletedIdx < 0 {
		return false
	}
	b, _ := r.vals[o.isDeletedIdx].(bool)
	return b
}

func (r *record) clone() *record {
	return &record{vals: append([]any(nil), r.vals...)}
}

// table holds the records of one object in id (= creation) order.
type table struct {
	obj  *Object
	recs []*record
	// pos maps an 18-character id to its index in recs.
	pos map[string]int
	// next is the counter of the next new id.
	next uint64
	live int
	// unique maps a unique field's index to the live records holding each
	// value (lower-cased: Salesforce unique text fields are case-insensitive
	// unless caseSensitive).
	unique map[int]map[string]string
	// deletedAt records when each deleted record was deleted.
	deletedAt map[string]time.Time
	// oddIDs is set once a record whose id is not in canonical 18-character
	// form is stored (only a hand-edited data file holds one); the query
	// planner then cannot probe pos with canonical ids and uses a field
	// index on Id instead.
	oddIDs bool
	// indexes maps a field's index to its equality index (index.go), built
	// by queries on demand; idxMu guards building under s.mu's read lock.
	idxMu   sync.Mutex
	indexes map[int]*fieldIndex
}

func newTable(o *Object) *table {
	t := &table{obj: o, pos: map[string]int{}, next: 1, unique: map[int]map[string]string{},
		deletedAt: map[string]time.Time{}}
	for _, f := range o.Fields {
		if f.Unique {
			t.unique[f.index] = map[string]string{}
		}
	}
	return t
}

// get returns the record with the 18-character id, deleted or not.
func (t *table) get(id string) (*record, bool) {
	i, ok := t.pos[id]
	if !ok {
		return nil, false
	}
	return t.recs[i], true
}

func uniqueKey(v any) (string, bool) {
	s, ok := v.(string)
	if !ok || s == "" {
		return "", false
	}
	return strings.ToLower(s), true
}

// put inserts or replaces a record, keeping the unique indexes, the live
// count and the deletion times in step.
func (t *table) put(r *record, now time.Time) {
	id := r.id(t.obj)
	if n, ok := idCounter(id); ok && n >= t.next {
		t.next = n + 1
	}
	old, exists := t.get(id)
	if exists {
		t.unindex(old)
		t.recs[t.pos[id]] = r
	} else {
		t.pos[id] = len(t.recs)
		t.recs = append(t.recs, r)
		t.oddIDs = t.oddIDs || !isCanonicalID(id)
	}
	t.reindex(t.pos[id], old, r)
	if r.deleted(t.obj) {
		if _, ok := t.deletedAt[id]; !ok {
			t.deletedAt[id] = now
		}
		return
	}
	delete(t.deletedAt, id)
	t.live++
	for idx, m := range t.unique {
		if k, ok := uniqueKey(r.vals[idx]); ok {
			m[k] = id
		}
	}
}

func (t *table) unindex(r *record) {
	if r.deleted(t.obj) {
		return
	}
	t.live--
	id := r.id(t.obj)
	for idx, m := range t.unique {
		if k, ok := uniqueKey(r.vals[idx]); ok && m[k] == id {
			delete(m, k)
		}
	}
}

// newID allocates the next id of the table.
func (t *table) newID() string {
	id := newID(t.obj.KeyPrefix, t.next)
	t.next++
	return id
}

// lookupUnique returns the live record whose unique field has value v.
func (t *table) lookupUnique(f *Field, v string) (string, bool) {
	m, ok := t.unique[f.index]
	if !ok {
		return "", false
	}
	id, ok := m[strings.ToLower(v)]
	return id, ok
}
