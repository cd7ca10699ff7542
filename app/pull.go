package app

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"time"

	"crmsheets/app/merge"
	"crmsheets/crm"
	"crmsheets/sheets"
)

// pullQuery builds the pull's SOQL: Id, LastModifiedDate, SystemModstamp,
// IsDeleted and the mapped fields, the sheet's filter, and for incremental
// pulls SystemModstamp >= watermark - lookback. SystemModstamp, not
// LastModifiedDate: Salesforce moves it for every change, including the
// ones it makes itself (roll-up summary recalculation, workflow field
// updates) that leave LastModifiedDate alone, and it is indexed; Salesforce
// recommends it for sync. It runs through queryAll so records deleted since
// show up with IsDeleted = true.
func (e *engine) pullQuery() (string, error) {
	b := crm.Select(e.b.selectFields("SystemModstamp", "IsDeleted")...).From(e.b.object)
	if e.sh.Filter != "" {
		b = b.WhereClause(e.sh.Filter)
	}
	if !e.opt.Full && !e.sh.Watermark.IsZero() {
		b = b.Where("SystemModstamp", ">=", e.sh.Watermark.Add(-e.sh.Sync.EffectiveLookback()))
	}
	q, err := b.Build()
	if err != nil {
		return "", fmt.Errorf("build the pull query of %q: %w", e.sh.Name, err)
	}
	return q, nil
}

// pull streams the query's pages into the store, one transaction per page:
// rows match by record id, then by key column; unmatched records append
// rows; records deleted in Salesforce mark their rows deleted-remotely; the
// merge settles rows changed on both sides. A complete pull moves the
// sheet's watermark to its start time (or the newest SystemModstamp seen,
// if later).
func (e *engine) pull(ctx context.Context, skipLocal bool) error {
	e.checkRecycleBinWindow()
	q, err := e.pullQuery()
	if err != nil {
		return err
	}
	empty := false
	if n, err := e.s.store.RowCount(e.sh.ID); err != nil {
		return fmt.Errorf("pull into %q: %w", e.sh.Name, err)
	} else {
		empty = n == 0
	}
	if !e.budgetAllows(1) {
		return nil
	}
	// The next incremental pull starts from when this one started (or the
	// newest change seen, when Salesforce's clock is ahead), minus the
	// lookback that absorbs clock skew and slow commits.
	st := &pullState{empty: empty, skipLocal: skipLocal, newest: e.s.now().UTC()}
	fresh := st.newest.Add(-clockMargin)
	done := 0
	// The first query page's totalSize gives the progress its total at
	// no extra call (records deleted since count too: queryAll has them).
	// It comes from the reading goroutine: the progress reads it here.
	var total atomic.Int64
	onTotal := func(n int) { total.Store(int64(n)) }
	// Pages are fetched one ahead of the store (see prefetch); above
	// crm.DefaultBulkQueryThreshold records the read is one Bulk API 2.0
	// query job (see queryRecords).
	for page, err := range prefetch(e.queryRecordsTotal(ctx, q, -1, onTotal), pullPageRows) {
		if err != nil {
			e.s.noteCallErr(err)
			return fmt.Errorf("pull %s into %q: %w", e.b.object, e.sh.Name, err)
		}
		if done == 0 {
			e.prog(Progress{Phase: PhasePull, Total: int(total.Load())})
		}
		if err := e.pullPage(ctx, st, page); err != nil {
			return err
		}
		done += len(page)
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(page) < pullPageRows {
			continue // the last page
		}
		e.prog(Progress{Phase: PhasePull, Done: done, Total: max(int(total.Load()), done)})
		if !e.budgetAllows(1) {
			return nil // paused: the watermark stays, the next pull reads again
		}
	}
	e.prog(Progress{Phase: PhasePull, Done: done, Total: done})
	if err := e.reconcileUnseen(ctx); err != nil {
		return err
	}
	if e.dry != nil || (!st.newest.After(e.sh.Watermark) && !fresh.After(e.sh.Fresh)) {
		return nil
	}
	// The watermark and the fresh mark move only after every page landed.
	sh, err := e.s.store.Sheet(e.sh.ID)
	if err != nil {
		return fmt.Errorf("pull into %q: %w", e.sh.Name, err)
	}
	sh.Watermark = laterOf(sh.Watermark, st.newest)
	sh.Fresh = laterOf(sh.Fresh, fresh)
	if err := e.commit(nil, nil, nil, sh); err != nil {
		return err
	}
	e.sh.Watermark, e.sh.Fresh = sh.Watermark, sh.Fresh
	return nil
}

// laterOf returns the later of two times.
func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

type pullState struct {
	empty     bool // the sheet had no rows: every record appends
	skipLocal bool // dry run of both directions: rows with local changes are left to the push phase
	newest    time.Time
}

// pullPage merges one page of records into the sheet in one transaction.
func (e *engine) pullPage(ctx context.Context, st *pullState, recs []crm.Record) error {
	if len(recs) == 0 {
		return nil
	}
	defer clear(e.snaps)
	var inserts, updates []*sheets.Row
	var outs []sheets.RecordOutcome
	touched := map[sheets.RowID]*sheets.Row{}
	for _, rec := range recs {
		mod := parseSalesforceTime(rec.Fields["LastModifiedDate"])
		if stamp := parseSalesforceTime(recordValue(rec, "SystemModstamp")); stamp.After(st.newest) {
			st.newest = stamp
		}
		deleted, _ := recordValue(rec, "IsDeleted").(bool)
		if e.seen != nil {
			e.seen[normID(rec.ID)] = true
		}
		row, err := e.matchPulled(st, rec, touched)
		if err != nil {
			return err
		}
		if row == nil && e.readingBack {
			continue // written, then deleted from the sheet meanwhile
		}
		if deleted {
			if row == nil || row.State == sheets.StateDeletedRemotely {
				continue
			}
			e.countPull(func(c *sheets.RunCounts) { c.Deleted++ })
			if e.dry != nil {
				e.dry.DeletedRemotely++
				continue
			}
			row.State = sheets.StateDeletedRemotely
			touched[row.ID] = row
			o := e.outcome(row, rec.ID, sheets.OpDelete)
			o.OK, o.Message = true, "deleted in Salesforce; the row is kept and marked"
			outs = append(outs, o)
			continue
		}
		cells := e.b.remoteCells(rec)
		e.countPull(func(c *sheets.RunCounts) { c.Pulled++ })
		if e.dry != nil {
			e.dry.Pulled++
		}
		if row == nil {
			if e.dry != nil {
				e.dry.New++
				e.dry.addChange(CellChange{RecordID: rec.ID, Record: RecordName(e.sh, cells), Op: OpAdd, Target: "sheet"})
				continue
			}
			r := &sheets.Row{RecordID: rec.ID, Cells: cells}
			r.MarkSynced(mod)
			inserts = append(inserts, r)
			e.countPull(func(c *sheets.RunCounts) { c.Added++ })
			continue
		}
		if st.skipLocal && len(row.Changed()) > 0 {
			continue
		}
		attached := false
		if e.opt.rebind && row.RecordID == "" && row.Base != nil {
			// Re-bind: the row's last synced values (of the old org) stay
			// its base, so its own edits are told from the new org's
			// differences.
			row.RecordID = rec.ID
			attached = true
		}
		if row.Base == nil {
			// A row never synced (typed in, or imported from a file) holds
			// the user's values, not a stale copy of Salesforce; the merge
			// would take Salesforce's values for such a row on a pull.
			if e.opt.Direction == sheets.Both {
				continue // the push phase settles it by the conflict policy
			}
			// Pull only: attach the record and compare against an empty
			// ancestor, so the pull fills the row's blanks, keeps its values
			// where Salesforce has none, and settles real differences by the
			// policy (kept as conflicts under review).
			if row.RecordID == "" {
				row.RecordID = rec.ID
			}
			row.Base = map[string]string{}
			attached = true
		}
		adjusted := e.applyInflight(row, cells)
		item := e.pullPl.Plan(row, &merge.Remote{RecordID: rec.ID, Values: cells, Modified: mod})
		if e.dry != nil {
			e.dry.addItem(e, row, &item)
			continue
		}
		e.countItem(&item)
		if o, ok := e.conflictOutcome(row, &item); ok {
			outs = append(outs, o)
		}
		switch {
		case item.Writes():
			e.pullPl.Apply(row, item, merge.Outcome{})
			touched[row.ID] = row
		case attached || adjusted:
			row.Touch()
			touched[row.ID] = row
		}
	}
	for _, r := range touched {
		updates = append(updates, r)
	}
	if e.dry != nil {
		return nil
	}
	return e.commit(inserts, updates, outs, nil)
}

// matchPulled finds the row of a pulled record: by record id, then by key
// column among rows without a record id. Rows already touched in this page
// are reused so two records never update one stale copy.
func (e *engine) matchPulled(st *pullState, rec crm.Record, touched map[sheets.RowID]*sheets.Row) (*sheets.Row, error) {
	if st.empty {
		return nil, nil
	}
	row, err := e.s.store.RowByRecordID(e.sh.ID, rec.ID)
	switch {
	case err == nil:
		if t, ok := touched[row.ID]; ok {
			return t, nil
		}
		e.remember(row)
		return row, nil
	case !errors.Is(err, ErrNotFound):
		return nil, fmt.Errorf("pull into %q: find row of %s: %w", e.sh.Name, rec.ID, err)
	}
	if e.b.key == nil {
		return nil, nil
	}
	kv := cellFromSalesforce(e.b.key, recordValue(rec, e.b.key.queryPath()))
	if sheets.NormalizeKey(kv) == "" {
		return nil, nil
	}
	rows, err := e.s.store.RowsByKey(e.sh.ID, kv)
	if err != nil {
		return nil, fmt.Errorf("pull into %q: find row by key %q: %w", e.sh.Name, kv, err)
	}
	for _, r := range rows {
		if r.RecordID != "" {
			continue
		}
		if t, ok := touched[r.ID]; ok {
			if t.RecordID != "" {
				continue
			}
			return t, nil
		}
		e.remember(r)
		return r, nil
	}
	return nil, nil
}

func (e *engine) countPull(f func(*sheets.RunCounts)) {
	if e.run != nil && !e.readingBack {
		f(&e.run.Counts)
	}
}

// countItem adds a merged row to the run's counts.
func (e *engine) countItem(it *merge.Item) {
	if e.run == nil || e.readingBack {
		return
	}
	c := &e.run.Counts
	switch it.Action {
	case merge.Unchanged:
		if len(it.Held) > 0 {
			c.Skipped++ // nothing sent: the blank cells option held its edits
			break
		}
		c.Unchanged++
	case merge.Refresh:
		c.Refreshed++
	case merge.Conflict: // counted with its outcome, once per row (conflictOutcome)
	case merge.DeletedRemotely:
		if it.Writes() {
			c.Deleted++
		}
	}
	if it.Action != merge.Refresh && len(it.Refresh) > 0 {
		c.Refreshed++
	}
}

// fieldNames maps column ids to their fields (or paths), for history.
func (e *engine) fieldNames(cols []string) []string {
	out := make([]string, 0, len(cols))
	for _, id := range cols {
		if bc, ok := e.b.byCol[id]; ok {
			out = append(out, bc.col.Field)
		}
	}
	return out
}
