package emulator

import (
	"fmt"
	"net/http"
	"time"
)

// change is one record write of a transaction: old is nil for a create.
type change struct {
	t        *table
	old, new *record
}

// writeTxn is a write request in progress. It holds s.mu for writing from
// begin to commit, so no reader sees a half-applied request; rollback
// undoes its changes (allOrNone), commit persists them.
type writeTxn struct {
	s       *Server
	now     time.Time
	changes []change
	// journal, when set, collects the committed changes so that a
	// composite request with allOrNone can undo them (composite.go).
	journal *journal
	// created holds the ids this transaction inserted: duplicate rules
	// compare a new record with the records saved before its request,
	// not with others of the same batch.
	created map[string]bool
}

func (s *Server) begin() *writeTxn {
	s.mu.Lock()
	return &writeTxn{s: s, now: s.now()}
}

// beginFor begins a write on behalf of an HTTP request, journaling it when
// the request is a subrequest of a composite call.
func (s *Server) beginFor(r *http.Request) *writeTxn {
	tx := s.begin()
	tx.journal, _ = r.Context().Value(journalKey{}).(*journal)
	return tx
}

// insert creates a record from input.
func (tx *writeTxn) insert(t *table, input map[string]any, mode writeMode) (*record, []apiError) {
	mode.create = true
	if t.obj.readOnly && !mode.system {
		return nil, []apiError{entityReadOnly(t.obj, "inserted")}
	}
	rec, errs := tx.s.buildRecord(t, input, nil, mode, tx.now)
	if errs != nil {
		return nil, errs
	}
	if !mode.system && !mode.allowSave {
		if rule, ids := tx.s.duplicates(t, rec, tx.created); len(ids) > 0 {
			return nil, []apiError{duplicateError(t.obj, rule, ids, mode.urlBase)}
		}
	}
	t.put(rec, tx.now)
	tx.changes = append(tx.changes, change{t: t, new: rec})
	tx.rollup(t, nil, rec)
	if _, ok := duplicateRules[t.obj.Name]; ok {
		if tx.created == nil {
			tx.created = map[string]bool{}
		}
		tx.created[rec.id(t.obj)] = true
	}
	return rec, nil
}

// lookup returns the record with id (15 or 18 characters), with the errors
// Salesforce gives for a malformed, missing or deleted one.
func (s *Server) lookup(t *table, id string) (*record, *apiError) {
	id18, err := Normalize18(id)
	if err != nil || id18[:3] != t.obj.KeyPrefix {
		e := fieldError(codeMalformedID, "Id", "%s ID: id value of incorrect type: %s", t.obj.Label, id)
		return nil, &e
	}
	rec, ok := t.get(id18)
	if !ok {
		e := notFound()
		return nil, &e
	}
	if rec.deleted(t.obj) {
		e := apiError{Code: codeEntityDeleted, Message: "entity is deleted", Fields: []string{}}
		return nil, &e
	}
	return rec, nil
}

// update writes input onto the record with id.
func (tx *writeTxn) update(t *table, id string, input map[string]any, mode writeMode) (*record, []apiError) {
	old, e := tx.s.lookup(t, id)
	if e != nil {
		return nil, []apiError{*e}
	}
	mode.create = false
	if t.obj.readOnly && !mode.system {
		return nil, []apiError{entityReadOnly(t.obj, "updated")}
	}
	rec, errs := tx.s.buildRecord(t, input, old, mode, tx.now)
	if errs != nil {
		return nil, errs
	}
	t.put(rec, tx.now)
	tx.changes = append(tx.changes, change{t: t, old: old, new: rec})
	tx.rollup(t, old, rec)
	return rec, nil
}

// remove soft-deletes the record with id: it moves to the recycle bin,
// visible to queryAll and getDeleted.
func (tx *writeTxn) remove(t *table, id string, lockRate float64) (*record, []apiError) {
	old, e := tx.s.lookup(t, id)
	if e != nil {
		return nil, []apiError{*e}
	}
	if t.obj.readOnly || t.obj.isDeletedIdx < 0 {
		return nil, []apiError{entityReadOnly(t.obj, "deleted")}
	}
	if tx.s.roll(lockRate) {
		return nil, []apiError{newAPIError(codeLockRow,
			"unable to obtain exclusive access to this record or 1 records: %s", old.id(t.obj))}
	}
	rec := old.clone()
	o := t.obj
	stamp := formatDateTime(tx.now)
	rec.vals[o.isDeletedIdx] = true
	rec.vals[o.modifiedIdx], rec.vals[o.modstampIdx] = stamp, stamp
	t.put(rec, tx.now)
	tx.changes = append(tx.changes, change{t: t, old: old, new: rec})
	tx.rollup(t, old, rec)
	return rec, nil
}

// entityReadOnly is the error for DML on an object the API may only read.
// The wording "entity type cannot be inserted: Organization" is how
// Salesforce words it in SOAP and Apex; the code for REST is a guess.
func entityReadOnly(o *Object, verb string) apiError {
	return newAPIError(codeInvalidTypeForOp, "entity type cannot be %s: %s", verb, o.Name)
}

// rollbackTo undoes the changes made after a savepoint, newest first.
func (tx *writeTxn) rollbackTo(sp int) {
	for i := len(tx.changes) - 1; i >= sp; i-- {
		c := tx.changes[i]
		if c.old == nil {
			c.t.drop(c.new)
		} else {
			c.t.put(c.old, tx.now)
		}
	}
	tx.changes = tx.changes[:sp]
}

// commit persists the changes and releases the lock.
func (tx *writeTxn) commit() error {
	defer tx.s.mu.Unlock()
	if tx.journal != nil {
		tx.journal.changes = append(tx.journal.changes, tx.changes...)
	}
	if err := tx.s.persist(tx.changes); err != nil {
		return fmt.Errorf("commit %d changes: %w", len(tx.changes), err)
	}
	return nil
}

// drop removes a record created in a rolled-back transaction; it is always
// the newest record of its table.
func (t *table) drop(r *record) {
	id := r.id(t.obj)
	i, ok := t.pos[id]
	if !ok {
		return
	}
	t.unindex(r)
	t.dropIndexes() // positions after i move
	delete(t.pos, id)
	delete(t.deletedAt, id)
	t.recs = append(t.recs[:i], t.recs[i+1:]...)
	for j := i; j < len(t.recs); j++ {
		t.pos[t.recs[j].id(t.obj)] = j
	}
}
