package app

import (
	"context"
	"fmt"

	"crmsheets/app/fieldmap"
	"crmsheets/crm"
	"crmsheets/sheets"
)

// The reads a push makes before it sends anything: settling creates whose
// outcome a crash lost, finding records by key, re-reading the records a
// push is about to change.

// reconcilePending settles rows whose create was sent by a run that never
// learned the outcome (crash, lost response): a key lookup finds the
// records that were created, and the others go back to new. It runs before
// anything is sent. It returns the rows to push in this run.
func (e *engine) reconcilePending(ctx context.Context, ids []sheets.RowID) ([]sheets.RowID, error) {
	e.prog(Progress{Phase: PhaseReconcile, Total: len(ids)})
	var out []sheets.RowID
	for start := 0; start < len(ids); start += inQueryValues {
		end := min(start+inQueryValues, len(ids))
		rows, err := e.readRows(ids[start:end])
		if err != nil {
			return nil, fmt.Errorf("reconcile pending creates: %w", err)
		}
		found, err := e.lookupByKey(ctx, rows)
		if err != nil {
			return nil, err
		}
		var changed []*sheets.Row
		for _, r := range rows {
			m := found[r.ID]
			switch {
			case e.b.key == nil:
				r.State = sheets.StateError
				r.Error = "the app stopped while creating this record and the sheet has no key column to check whether it was created; look for it in Salesforce, then paste its id or clear this row"
			case len(m) == 1:
				r.RecordID = m[0].ID // the create went through: reconcile by merge
				r.State = sheets.StateModified
				r.Touch()
				out = append(out, r.ID)
			case len(m) > 1:
				r.State = sheets.StateError
				r.Error = fmt.Sprintf("%d Salesforce records have %s %q; choose the right one", len(m), e.b.key.col.Name, r.Cells[e.b.key.col.ID])
			default:
				r.State = sheets.StateNew // never created: create it now
				out = append(out, r.ID)
			}
			changed = append(changed, r)
		}
		if e.dry == nil {
			if err := e.commit(nil, changed, nil, nil); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// lookupByKey finds Salesforce records whose key equals the key cell of
// rows without a record id, as sheets.NormalizeKey compares them: one IN
// query per batch of spellings (see fieldmap.KeySpellings), the records matched to
// rows by their normalized key.
func (e *engine) lookupByKey(ctx context.Context, rows []*sheets.Row) (map[sheets.RowID][]crm.Record, error) {
	out := map[sheets.RowID][]crm.Record{}
	if e.b.key == nil {
		return out, nil
	}
	byKey := map[string][]sheets.RowID{}
	var values []string
	for _, r := range rows {
		if r.RecordID != "" {
			continue
		}
		v := r.Cells[e.b.key.col.ID]
		k := sheets.NormalizeKey(v)
		if k == "" {
			continue
		}
		if _, seen := byKey[k]; !seen {
			values = append(values, v)
		}
		byKey[k] = append(byKey[k], r.ID)
	}
	seen := map[sheets.RowID]map[string]bool{} // records already attached to a row
	for _, batch := range inBatches(fieldmap.LookupLiterals(e.b.key.valueType(), values)) {
		if !e.budgetAllows(1) {
			return nil, errPaused
		}
		q, err := crm.Select(e.b.selectFields()...).From(e.b.object).InStrings(e.b.key.queryPath(), batch).Build()
		if err != nil {
			return nil, fmt.Errorf("look up %s by %s: %w", e.b.object, e.b.key.col.Field, err)
		}
		for rec, err := range e.c.Query(ctx, q) {
			if err != nil {
				return nil, fmt.Errorf("look up %s by %s: %w", e.b.object, e.b.key.col.Field, err)
			}
			kv := cellFromSalesforce(e.b.key, recordValue(rec, e.b.key.queryPath()))
			for _, id := range byKey[sheets.NormalizeKey(kv)] {
				if seen[id] == nil {
					seen[id] = map[string]bool{}
				}
				if !seen[id][rec.ID] {
					seen[id][rec.ID] = true
					out[id] = append(out[id], rec)
				}
			}
		}
	}
	return out, nil
}

// readByID re-reads the current Salesforce values of rows with a record id:
// one `WHERE Id IN (…)` query per 200 rows.
func (e *engine) readByID(ctx context.Context, rows []*sheets.Row) (map[string]crm.Record, error) {
	out := map[string]crm.Record{}
	var ids []string
	for _, r := range rows {
		if r.RecordID != "" {
			ids = append(ids, r.RecordID)
		}
	}
	for _, batch := range inBatches(ids) {
		if !e.budgetAllows(1) {
			return nil, errPaused
		}
		q, err := crm.Select(e.b.selectFields(e.b.referenceFields()...)...).From(e.b.object).InStrings("Id", batch).Build()
		if err != nil {
			return nil, fmt.Errorf("re-read %s: %w", e.b.object, err)
		}
		for rec, err := range e.c.Query(ctx, q) {
			if err != nil {
				return nil, fmt.Errorf("re-read %d %s records: %w", len(batch), e.b.object, err)
			}
			out[normID(rec.ID)] = rec
		}
	}
	return out, nil
}
