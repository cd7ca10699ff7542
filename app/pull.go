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
	"crmsheets/sheets/store"
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

// pull streams the query's pages into the store, one transaction per page
// or per few pages (see pullCommitRows): rows match by record id, then by key column; unmatched records append
// rows; records deleted in Salesforce mark their rows deleted-remotely; the
// merge settles rows changed on both sides. A complete pull moves the
// sheet's watermark to its start time (or the newest SystemModstamp seen,
// if later).
func (e *engine) pull(ctx context.Context, skipLocal bool) (err error) {
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
	// query job (see queryRecords). A page whose successor is already
	// waiting joins the next one's transaction, up to pullCommitRows:
	// when the store is the slower side (Bulk results arrive faster than
	// rows are written) it commits a few large transactions instead of many
	// small ones, each of which rewrites the key index's pages it touches;
	// when the network is slower, every page commits as it lands.
	pages, ready := prefetch(e.queryRecordsTotal(ctx, q, -1, onTotal), pullPageRows)
	b := &pullBatch{touched: map[sheets.RowID]*sheets.Row{}}
	// Into an empty sheet every record is a new row: their key-index
	// entries are written once, sorted, when the pages are in (see
	// store.Tx.InsertRowsDeferKeys), and on every way out.
	b.deferKeys = empty && e.dry == nil && e.sh.KeyColumn != ""
	if b.deferKeys {
		defer func() { err = errors.Join(err, e.indexPendingKeys()) }()
	}
	// (before the indexing above) no commit outlives the pull
	defer func() { err = errors.Join(err, b.wait()) }()
	for page, err := range pages {
		if err != nil {
			e.s.noteCallErr(err)
			err = fmt.Errorf("pull %s into %q: %w", e.b.object, e.sh.Name, err)
			// the pages already read are kept, as if committed one by one
			return errors.Join(err, e.flushPull(b))
		}
		if done == 0 {
			e.prog(Progress{Phase: PhasePull, Total: int(total.Load())})
		}
		if err := e.planPull(st, page, b); err != nil {
			return err
		}
		done += len(page)
		last := len(page) < pullPageRows
		if b.records >= pullCommitRows || last || !ready() || ctx.Err() != nil {
			if err := e.commitPull(b); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return errors.Join(err, b.wait())
		}
		if last {
			continue
		}
		e.prog(Progress{Phase: PhasePull, Done: done, Total: max(int(total.Load()), done)})
		if !e.budgetAllows(1) {
			// paused: the watermark stays, the next pull reads again
			return e.flushPull(b)
		}
	}
	if err := e.flushPull(b); err != nil {
		return err
	}
	if b.deferKeys {
		if err := e.indexPendingKeys(); err != nil {
			return err
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

// pullCommitRows bounds the records a pull plans into one transaction when
// pages are folded together (see pull): about 25 MB of rows in memory.
const pullCommitRows = 5 * pullPageRows

// pullBatch is the pending transaction of a pull: planned rows not yet
// written, and the outcomes to record with them.
type pullBatch struct {
	inserts []*sheets.Row
	// touched are the rows changed, by id: two records never update one
	// stale copy of a row, and a record a query returns twice finds the
	// row its first copy added (added, by record id)
	touched map[sheets.RowID]*sheets.Row
	added   map[string]*sheets.Row
	outs    []sheets.RecordOutcome
	records int // planned since the last commit
	// deferKeys: new rows leave their key-index entries pending, until
	// the pull's end indexes them (indexPendingKeys)
	deferKeys bool
	// inflight is the result of a commit of new rows still running (see
	// commitPull)
	inflight chan error
}

// wait returns the result of the commit in flight, if any.
func (b *pullBatch) wait() error {
	if b.inflight == nil {
		return nil
	}
	err := <-b.inflight
	b.inflight = nil
	return err
}

// flushPull commits the batch and waits for every commit to end.
func (e *engine) flushPull(b *pullBatch) error {
	return errors.Join(e.commitPull(b), b.wait())
}

// indexPendingKeys writes the key-index entries a pull into an empty sheet
// left pending; a no-op read when none are.
func (e *engine) indexPendingKeys() error {
	if err := e.s.store.IndexPendingKeys(e.sh.ID); err != nil {
		return fmt.Errorf("pull into %q: index the new rows' keys: %w", e.sh.Name, err)
	}
	return nil
}

// pullPage merges one page of records into the sheet in one transaction.
func (e *engine) pullPage(_ context.Context, st *pullState, recs []crm.Record) error {
	b := &pullBatch{touched: map[sheets.RowID]*sheets.Row{}}
	if err := e.planPull(st, recs, b); err != nil {
		clear(e.snaps)
		return err
	}
	return e.flushPull(b)
}

// commitPull writes a batch's rows and outcomes in one transaction and
// empties it. A batch of new rows only (into an empty sheet) is written by
// a goroutine while the pull plans the next page, since planning new rows
// reads nothing from the store: one commit at a time, in order, with a
// snapshot of the run's counts; b.wait (flushPull) collects its result.
func (e *engine) commitPull(b *pullBatch) error {
	defer clear(e.snaps)
	if e.dry != nil || b.records == 0 {
		return nil
	}
	var err error
	if b.deferKeys && len(b.touched) == 0 {
		if err := b.wait(); err != nil {
			return err
		}
		e.account()
		run := *e.run
		insert, outs := b.inserts, b.outs
		ch := make(chan error, 1)
		b.inflight = ch
		go func() { ch <- e.commitNew(&run, insert, outs) }()
	} else {
		if err := b.wait(); err != nil {
			return err
		}
		updates := make([]*sheets.Row, 0, len(b.touched))
		for _, r := range b.touched {
			updates = append(updates, r)
		}
		err = e.commit(b.inserts, updates, b.outs, nil)
	}
	b.inserts, b.outs, b.records = nil, nil, 0
	clear(b.touched)
	clear(b.added)
	return err
}

// commitNew is commit for a batch of new rows only, their key entries
// left pending (see pullBatch.deferKeys) until the pull's end indexes them
// (store.Store.IndexPendingKeys, in transactions of their own).
func (e *engine) commitNew(run *sheets.Run, insert []*sheets.Row, outs []sheets.RecordOutcome) error {
	err := e.s.store.Batch(func(tx *store.Tx) error {
		if len(insert) > 0 {
			if err := tx.InsertRowsDeferKeys(e.sh.ID, insert); err != nil {
				return err
			}
		}
		if len(outs) > 0 {
			if err := tx.AddOutcomes(run.ID, outs); err != nil {
				return err
			}
		}
		return tx.UpdateRun(run)
	})
	if err != nil {
		return fmt.Errorf("write %d new rows of %q: %w", len(insert), e.sh.Name, err)
	}
	return nil
}

// planPull merges one page of records into the batch: matched rows,
// new rows, outcomes; commitPull writes them.
func (e *engine) planPull(st *pullState, recs []crm.Record, b *pullBatch) error {
	touched := b.touched
	b.records += len(recs)
	for _, rec := range recs {
		mod := parseSalesforceTime(rec.Fields["LastModifiedDate"])
		if stamp := parseSalesforceTime(recordValue(rec, "SystemModstamp")); stamp.After(st.newest) {
			st.newest = stamp
		}
		deleted, _ := recordValue(rec, "IsDeleted").(bool)
		if e.seen != nil {
			e.seen[normID(rec.ID)] = true
		}
		// row.ID is 0 for a row added earlier in this batch (a record the
		// query returned twice): the merge updates it in place, and the
		// batch inserts it as it ends up
		row, err := e.matchPulled(st, rec, b)
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
			if row.ID != 0 {
				touched[row.ID] = row
			}
			o := e.outcome(row, rec.ID, sheets.OpDelete)
			o.OK, o.Message = true, "deleted in Salesforce; the row is kept and marked"
			b.outs = append(b.outs, o)
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
			if st.empty {
				// A new row's base is its cells. Into an empty sheet the
				// batch only writes the row and drops it (no later record
				// can match it), so the base shares the cells' map instead
				// of copying it; elsewhere a second copy of the record may
				// still merge into the row.
				r.Cells = nil
				r.MarkSynced(mod)
				r.Cells, r.Base = cells, cells
			} else {
				r.MarkSynced(mod)
			}
			b.inserts = append(b.inserts, r)
			if !st.empty {
				if b.added == nil {
					b.added = map[string]*sheets.Row{}
				}
				b.added[normID(rec.ID)] = r
			}
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
			b.outs = append(b.outs, o)
		}
		switch {
		case item.Writes():
			e.pullPl.Apply(row, item, merge.Outcome{})
			if row.ID != 0 {
				touched[row.ID] = row
			}
		case attached || adjusted:
			row.Touch()
			if row.ID != 0 {
				touched[row.ID] = row
			}
		}
	}
	return nil
}

// matchPulled finds the row of a pulled record: by record id, then by key
// column among rows without a record id. Rows already touched in this page
// are reused so two records never update one stale copy.
func (e *engine) matchPulled(st *pullState, rec crm.Record, b *pullBatch) (*sheets.Row, error) {
	if st.empty {
		return nil, nil
	}
	if r, ok := b.added[normID(rec.ID)]; ok {
		return r, nil
	}
	touched := b.touched
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
