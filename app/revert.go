package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"crmsheets/app/fieldmap"
	"crmsheets/crm"
	"crmsheets/sheets"
	"crmsheets/sheets/store"
)

// Revert undoes a push (or both-ways) run from history: every field it
// changed goes back to its value before the run, except fields changed in
// Salesforce since (skipped and reported in the revert's outcomes), and
// every record it created is deleted. The sheet follows: reverted cells and
// their bases take the old values, and rows whose record the revert deleted
// are marked "Deleted in Salesforce" with their values kept, so the sheet
// says what Salesforce holds and no later push creates them again (the user
// may ask for that with RecreateRows). The revert is itself a run in
// history (RevertOf), and the reverted run is marked (RevertedBy).
func (s *Service) Revert(ctx context.Context, runID uint64, progress func(Progress)) (*sheets.Run, error) {
	orig, err := s.RunRecord(runID)
	if err != nil {
		return nil, err
	}
	if orig.DryRun || orig.RevertedBy != 0 || (orig.Direction != sheets.Push && orig.Direction != sheets.Both) || !orig.Status.Finished() {
		return nil, fmt.Errorf("revert run %d: %w", runID, ErrNotRevertible)
	}
	outs, err := s.Outcomes(runID, false)
	if err != nil {
		return nil, err
	}
	var updates, creates []sheets.RecordOutcome
	for _, o := range outs {
		switch {
		case !o.OK || o.RecordID == "":
		case o.Op == sheets.OpUpdate && len(o.After) > 0:
			updates = append(updates, o)
		case o.Op == sheets.OpCreate:
			creates = append(creates, o)
		}
	}
	if len(updates) == 0 && len(creates) == 0 {
		return nil, fmt.Errorf("revert run %d: it changed nothing in Salesforce: %w", runID, ErrNotRevertible)
	}
	unlock, err := s.lockSheet(orig.SheetID)
	if err != nil {
		return nil, err
	}
	defer unlock()
	c, err := s.client()
	if err != nil {
		return nil, err
	}
	if err := s.checkRunOrg(orig); err != nil {
		return nil, err
	}
	d, err := c.Describe(ctx, orig.Object)
	if err != nil {
		s.noteCallErr(err)
		return nil, fmt.Errorf("revert run %d: %w", runID, err)
	}
	if progress == nil {
		progress = func(Progress) {}
	}
	sh, _ := s.store.Sheet(orig.SheetID) // the sheet may be gone; Salesforce is still reverted
	rv := &reverter{s: s, c: c, d: d, sh: sh, prog: progress, total: len(updates) + len(creates)}
	rv.run = &sheets.Run{SheetID: orig.SheetID, SheetName: orig.SheetName, Object: orig.Object, Direction: sheets.Push,
		Trigger: sheets.TriggerManual, Started: s.now(), Status: sheets.RunRunning, RevertOf: runID}
	if now, err := s.ConnectedOrg(); err == nil {
		rv.run.OrgID = now.OrgID
	}
	if sh != nil {
		rv.run.SheetName = sh.Name
	}
	if err := s.store.CreateRun(rv.run); err != nil {
		return nil, fmt.Errorf("record the revert of run %d: %w", runID, err)
	}
	ctx = crm.WithCallCount(ctx, &rv.count)
	runErr := rv.revertUpdates(ctx, updates)
	if runErr == nil {
		runErr = rv.deleteCreated(ctx, creates)
	}
	return rv.finish(ctx, orig, runErr)
}

type reverter struct {
	s     *Service
	c     *crm.Client
	d     *crm.ObjectDescribe
	sh    *sheets.Sheet
	run   *sheets.Run
	count crm.CallCount // the revert's own calls and waits (see engine.counted)
	prog  func(Progress)
	done  int
	total int
}

// revertUpdates restores before-values, 200 records per round: one query
// re-reads the fields, one collection call writes them back, one
// transaction records rows and outcomes.
func (rv *reverter) revertUpdates(ctx context.Context, outs []sheets.RecordOutcome) error {
	for start := 0; start < len(outs); start += crm.CollectionBatchSize {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch := outs[start:min(start+crm.CollectionBatchSize, len(outs))]
		fieldSet := map[string]bool{}
		ids := make([]string, len(batch))
		for i, o := range batch {
			ids[i] = o.RecordID
			for f := range o.After {
				fieldSet[f] = true
			}
		}
		fields := append([]string{"Id", "LastModifiedDate"}, slices.Sorted(maps.Keys(fieldSet))...)
		q, err := crm.Select(fields...).From(rv.d.Name).InStrings("Id", ids).Build()
		if err != nil {
			return fmt.Errorf("revert: %w", err)
		}
		now := map[string]crm.Record{}
		for rec, err := range rv.c.Query(ctx, q) {
			if err != nil {
				return fmt.Errorf("revert: re-read %d records: %w", len(ids), err)
			}
			now[normID(rec.ID)] = rec
		}
		var recs []crm.Record
		var plans []revertPlan
		var results []sheets.RecordOutcome
		for _, o := range batch {
			rec, ok := now[normID(o.RecordID)]
			res := sheets.RecordOutcome{RunID: rv.run.ID, RowID: o.RowID, RecordID: o.RecordID, Op: sheets.OpUpdate}
			if !ok {
				res.StatusCode, res.Message = "ENTITY_IS_DELETED", "the record was deleted in Salesforce since; nothing to revert"
				results = append(results, res)
				continue
			}
			p := revertPlan{out: o, restore: map[string]string{}}
			send := map[string]any{}
			var skipped []string
			for _, f := range slices.Sorted(maps.Keys(o.After)) {
				fd, ok := rv.d.Field(f)
				if !ok {
					skipped = append(skipped, f)
					continue
				}
				cur := ""
				if v := recordValue(rec, fd.Name); v != nil {
					cur = fieldmap.FromSalesforce(fd.Type, v)
				}
				if !sameValue(fd, cur, o.After[f]) {
					skipped = append(skipped, f)
					continue
				}
				v, err := valueToSalesforce(fd, o.Before[f])
				if err != nil {
					skipped = append(skipped, f)
					continue
				}
				send[fd.Name] = v
				p.restore[f] = o.Before[f]
			}
			if len(skipped) > 0 {
				skip := res
				skip.Op = sheets.OpConflict
				skip.Fields = skipped
				skip.Message = "changed in Salesforce since the run (or no longer exists); left as it is"
				results = append(results, skip)
			}
			if len(send) == 0 {
				continue
			}
			recs = append(recs, crm.Record{Type: rv.d.Name, ID: o.RecordID, Fields: send})
			plans = append(plans, p)
		}
		if len(recs) > 0 {
			rs, err := rv.c.Update(ctx, rv.d.Name, recs)
			for i, p := range plans {
				res := sheets.RecordOutcome{RunID: rv.run.ID, RowID: p.out.RowID, RecordID: p.out.RecordID, Op: sheets.OpUpdate}
				switch {
				case i >= len(rs) || (!rs[i].Success && len(rs[i].Errors) == 0):
					continue // not sent: the run stopped
				case !rs[i].Success:
					res.StatusCode, res.Message = rs[i].Errors[0].StatusCode, rs[i].Err().Error()
					rv.run.Counts.Failed++
				default:
					res.OK = true
					res.Fields = slices.Sorted(maps.Keys(p.restore))
					res.Before, res.After = pick(p.out.After, p.restore), p.restore
					p.ok = true
					plans[i] = p
					rv.run.Counts.Updated++
				}
				results = append(results, res)
			}
			if err != nil {
				if werr := rv.write(plans, nil, results); werr != nil {
					return errors.Join(err, werr)
				}
				return fmt.Errorf("revert: write back %d records: %w", len(recs), err)
			}
		}
		if err := rv.write(plans, nil, results); err != nil {
			return err
		}
		rv.done += len(batch)
		rv.prog(Progress{Phase: PhaseRevert, Done: rv.done, Total: rv.total})
	}
	return nil
}

// deleteCreated deletes the records the run created.
func (rv *reverter) deleteCreated(ctx context.Context, outs []sheets.RecordOutcome) error {
	for start := 0; start < len(outs); start += crm.CollectionBatchSize {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch := outs[start:min(start+crm.CollectionBatchSize, len(outs))]
		ids := make([]string, len(batch))
		for i, o := range batch {
			ids[i] = o.RecordID
		}
		rs, err := rv.c.Delete(ctx, ids)
		var results []sheets.RecordOutcome
		var deleted []sheets.RecordOutcome
		for i, o := range batch {
			res := sheets.RecordOutcome{RunID: rv.run.ID, RowID: o.RowID, RecordID: o.RecordID, Op: sheets.OpDelete}
			switch {
			case i >= len(rs) || (!rs[i].Success && len(rs[i].Errors) == 0):
				continue
			case !rs[i].Success && rs[i].Errors[0].StatusCode != crm.CodeEntityIsDeleted:
				res.StatusCode, res.Message = rs[i].Errors[0].StatusCode, rs[i].Err().Error()
				rv.run.Counts.Failed++
			default:
				res.OK = true
				res.Before = o.After
				deleted = append(deleted, o)
				rv.run.Counts.Deleted++
			}
			results = append(results, res)
		}
		if werr := rv.write(nil, deleted, results); werr != nil {
			return errors.Join(err, werr)
		}
		if err != nil {
			return fmt.Errorf("revert: delete %d created records: %w", len(ids), err)
		}
		rv.done += len(batch)
		rv.prog(Progress{Phase: PhaseRevert, Done: rv.done, Total: rv.total})
	}
	return nil
}

type revertPlan struct {
	out     sheets.RecordOutcome
	restore map[string]string // field → value written back
	ok      bool
}

// write updates the sheet's rows for what was reverted and records the
// outcomes, in one transaction.
func (rv *reverter) write(plans []revertPlan, deleted []sheets.RecordOutcome, outs []sheets.RecordOutcome) error {
	rv.run.APICalls = int(rv.count.Calls())
	rv.run.SalesforceTime = rv.count.Waited()
	// Rows are read inside the transaction, so an edit made in the grid
	// meanwhile is never overwritten by a stale copy.
	err := rv.s.store.Batch(func(tx *store.Tx) error {
		var rows []*sheets.Row
		if rv.sh != nil {
			for _, p := range plans {
				if !p.ok {
					continue
				}
				r, err := tx.RowByRecordID(rv.sh.ID, p.out.RecordID)
				if errors.Is(err, store.ErrNotFound) {
					continue // the row was deleted from the sheet since
				}
				if err != nil {
					return err
				}
				for f, v := range p.restore {
					col, ok := rv.sh.ColumnByField(f)
					if !ok {
						continue // a lookup id: the next pull refreshes its path column
					}
					if r.Cells[col.ID] == p.out.After[f] {
						setCellOn(&r.Cells, col.ID, v)
					}
					setCellOn(&r.Base, col.ID, v)
				}
				r.Touch()
				rows = append(rows, r)
			}
			for _, o := range deleted {
				r, err := tx.RowByRecordID(rv.sh.ID, o.RecordID)
				if errors.Is(err, store.ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				r.State = sheets.StateDeletedRemotely
				r.Conflicts, r.Candidates = nil, nil
				r.Error = fmt.Sprintf("deleted in Salesforce by the revert of run %d; the row keeps its values and is never sent again unless you choose Create again", rv.run.RevertOf)
				rows = append(rows, r)
			}
		}
		if len(rows) > 0 {
			if err := tx.UpdateRows(rv.sh.ID, rows); err != nil {
				return err
			}
		}
		if len(outs) > 0 {
			if err := tx.AddOutcomes(rv.run.ID, outs); err != nil {
				return err
			}
		}
		return tx.UpdateRun(rv.run)
	})
	if err != nil {
		return fmt.Errorf("record the revert: %w", err)
	}
	return nil
}

func (rv *reverter) finish(ctx context.Context, orig *sheets.Run, runErr error) (*sheets.Run, error) {
	r := rv.run
	r.Ended = rv.s.now()
	r.APICalls = int(rv.count.Calls())
	r.SalesforceTime = rv.count.Waited()
	u := rv.c.Usage()
	r.APIUsed, r.APILimit = u.Used, u.Max
	switch {
	case ctx.Err() != nil:
		r.Status, r.Message, runErr = sheets.RunCancelled, "revert cancelled; what was reverted is recorded", nil
	case runErr != nil:
		r.Status, r.Message = sheets.RunFailed, crm.RedactSecrets(runErr.Error())
	case r.Counts.Failed > 0:
		r.Status = sheets.RunPartial
	default:
		r.Status = sheets.RunSucceeded
	}
	if r.Message == "" {
		r.Message = fmt.Sprintf("revert of run %d", orig.ID)
	}
	err := rv.s.store.Batch(func(tx *store.Tx) error {
		if err := tx.UpdateRun(r); err != nil {
			return err
		}
		if r.Status == sheets.RunSucceeded || r.Status == sheets.RunPartial {
			orig.RevertedBy = r.ID
			return tx.UpdateRun(orig)
		}
		return nil
	})
	if err != nil {
		return r, errors.Join(runErr, fmt.Errorf("record the end of the revert: %w", err))
	}
	return r, runErr
}

// sameValue compares canonical values of a field, ids by their 18-char form.
func sameValue(f *crm.Field, a, b string) bool {
	if f.Type == "reference" || f.Type == "id" {
		return normID(a) == normID(b)
	}
	return a == b
}

func pick(m map[string]string, keys map[string]string) map[string]string {
	out := make(map[string]string, len(keys))
	for k := range keys {
		out[k] = m[k]
	}
	return out
}

func setCellOn(m *map[string]string, col, v string) {
	if *m == nil {
		*m = map[string]string{}
	}
	setCell(*m, col, v)
}

// RecreateRows is the user asking to create again the records of rows
// marked "Deleted in Salesforce" (by a revert or by someone in Salesforce):
// each such row forgets the deleted record and becomes a new row, which the
// next push creates when Create missing is on (after looking it up by key).
// Other rows are left as they are. It returns how many rows changed.
func (s *Service) RecreateRows(sheetID string, ids []sheets.RowID) (int, error) {
	n := 0
	err := s.store.Batch(func(tx *store.Tx) error {
		rows, err := tx.RowsByID(sheetID, ids)
		if err != nil {
			return err
		}
		var out []*sheets.Row
		for _, r := range rows {
			if r.State != sheets.StateDeletedRemotely {
				continue
			}
			r.RecordID, r.Base, r.State, r.Error, r.RemoteModified = "", nil, sheets.StateNew, "", time.Time{}
			out = append(out, r)
		}
		n = len(out)
		if n == 0 {
			return nil
		}
		return tx.UpdateRows(sheetID, out)
	})
	if err != nil {
		return 0, fmt.Errorf("create again rows of %s: %w", sheetID, err)
	}
	return n, nil
}

// DeletedRows lists the rows of a sheet marked "Deleted in Salesforce", for
// the CLI's `recreate --all` (the GUI filters the grid by state).
func (s *Service) DeletedRows(sheetID string) ([]sheets.RowID, error) {
	var out []sheets.RowID
	for r, err := range s.store.Rows(sheetID) {
		if err != nil {
			return nil, fmt.Errorf("list deleted rows of %s: %w", sheetID, err)
		}
		if r.State == sheets.StateDeletedRemotely {
			out = append(out, r.ID)
		}
	}
	return out, nil
}
