package app

import (
	"context"
	"fmt"
	"iter"
	"time"

	"crmsheets/app/merge"
	"crmsheets/crm"
	"crmsheets/sheets"
)

// Freshness before a push and read-back after it.
//
// A push compares each row with Salesforce's current values (the three-way
// merge), so it must know them. Reading every row it sends by id costs one
// query per 200 rows (500 calls for 100k rows). Instead it asks Salesforce
// once what changed since the sheet was last known to match it:
// `SystemModstamp > Sheet.Fresh` over the sheet's object and filter, pages
// of 2,000 (or one Bulk API 2.0 query above bulkQueryRows). A row whose
// record is not in that answer still has its base as Salesforce's value.
// What that cannot cover is read by id: rows never synced (no base), rows
// with conflicts kept for review, rows whose relationship cells changed
// (the push records the referenced id it replaces, for revert), and every
// row while the sheet has no Fresh mark yet.
//
// After the writes, the records written are read back in the same run, so
// formula fields, LastModifiedDate and values Salesforce fills or
// normalizes are current in the sheet: one changed-since query again (our
// writes moved their SystemModstamp), by id only for written records that
// answer does not hold (they left the filter). When both queries held
// nothing but the push's own rows, the sheet is known to match Salesforce
// up to the newest SystemModstamp read back, and Fresh moves there.
//
// A record someone else changed so that it left the sheet's filter is not
// in the changed-since answer, so its row is compared with its base: the
// push then sends only the sheet's changed fields, as an incremental pull
// (same filter) leaves such a row as it was. A full pull settles both.

// clockMargin is how far before a pull's start (on this computer's clock)
// Sheet.Fresh is set: it absorbs a Salesforce clock behind ours and
// records changed while the pull was paging.
const clockMargin = time.Minute

// freshness is what the push's changed-since query found.
type freshness struct {
	known   bool                  // the query ran: rows it can cover need no read by id
	since   time.Time             // the Fresh mark it read from
	records map[string]crm.Record // changed records, by 18-character id
	// others counts changed records that are not rows this push sends:
	// their changes are not in the sheet, so Fresh cannot move past them.
	others int
}

// changedSinceQuery is the SOQL of records of the sheet's object and filter
// whose SystemModstamp is after since (queryAll: deletions show).
func (e *engine) changedSinceQuery(since time.Time) (string, error) {
	b := crm.Select(e.b.selectFields(append(e.b.referenceFields(), "SystemModstamp", "IsDeleted")...)...).From(e.b.object)
	if e.sh.Filter != "" {
		b = b.WhereClause(e.sh.Filter)
	}
	q, err := b.Where("SystemModstamp", ">", since).Build()
	if err != nil {
		return "", fmt.Errorf("build the changed-since query of %q: %w", e.sh.Name, err)
	}
	return q, nil
}

// freshen runs the changed-since query before a push of the rows ids.
func (e *engine) freshen(ctx context.Context, ids []sheets.RowID) error {
	e.fresh = freshness{}
	if e.sh.Fresh.IsZero() || len(ids) == 0 {
		return nil // nothing to read from: every row is read by id
	}
	q, err := e.changedSinceQuery(e.sh.Fresh)
	if err != nil {
		return err
	}
	if !e.budgetAllows(1) {
		return errPaused
	}
	f := freshness{known: true, since: e.sh.Fresh, records: map[string]crm.Record{}}
	for rec, err := range e.queryRecords(ctx, q, -1) {
		if err != nil {
			return fmt.Errorf("re-read %s changed since %s: %w", e.b.object, e.sh.Fresh.Format(time.RFC3339), err)
		}
		f.records[normID(rec.ID)] = rec
	}
	if len(f.records) > 0 {
		cand := make(map[sheets.RowID]bool, len(ids))
		for _, id := range ids {
			cand[id] = true
		}
		for id := range f.records {
			r, err := e.s.store.RowByRecordID(e.sh.ID, id)
			if err != nil || !cand[r.ID] {
				f.others++
			}
		}
	}
	e.fresh = f
	return nil
}

// covers reports whether the changed-since query tells a row's Salesforce
// values: when its record is not in the answer, they are its base.
func (e *engine) covers(r *sheets.Row) bool {
	if !e.fresh.known || r.RecordID == "" || r.Base == nil || len(r.Conflicts) > 0 {
		return false
	}
	for _, bc := range e.b.pathCols {
		if r.Cells[bc.col.ID] != r.Base[bc.col.ID] {
			return false // the push keeps the id it replaces, for revert
		}
	}
	return true
}

// rowRemote is Salesforce's current record of one row (see remoteOf).
type rowRemote struct {
	rec crm.Record
	ok  bool // the record exists (not deleted since)
	// fromBase: the record is unchanged since the sheet's fresh mark, so
	// its values are the row's base (rec holds only the id).
	fromBase bool
}

// remoteOf returns Salesforce's current record of each row with a record
// id, in the order of rows: from the changed-since answer, from the row's
// base when the answer shows no change, or read by id for the rows the
// answer cannot cover. Records deleted since are not ok, as a read by id
// leaves them out.
func (e *engine) remoteOf(ctx context.Context, rows []*sheets.Row) ([]rowRemote, error) {
	out := make([]rowRemote, len(rows))
	var byID []*sheets.Row
	var at []int
	for i, r := range rows {
		if r.RecordID == "" {
			continue
		}
		if !e.covers(r) {
			byID = append(byID, r)
			at = append(at, i)
			continue
		}
		var rec crm.Record
		changed := false
		if len(e.fresh.records) > 0 {
			rec, changed = e.fresh.records[normID(r.RecordID)]
		}
		switch {
		case !changed:
			out[i] = rowRemote{rec: crm.Record{ID: r.RecordID}, ok: true, fromBase: true}
		case !isDeleted(rec):
			out[i] = rowRemote{rec: rec, ok: true}
		}
	}
	if len(byID) > 0 {
		read, err := e.readByID(ctx, byID)
		if err != nil {
			return nil, err
		}
		for k, i := range at {
			if rec, ok := read[normID(byID[k].RecordID)]; ok {
				out[i] = rowRemote{rec: rec, ok: true}
			}
		}
	}
	return out, nil
}

// isDeleted reads IsDeleted from a REST (bool) or Bulk (text) record.
func isDeleted(rec crm.Record) bool {
	switch v := recordValue(rec, "IsDeleted").(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}

// needsReadBack reports whether Salesforce may hold, after an update of
// pr, a value of a mapped column other than the sheet's: when the sheet
// maps a column Salesforce computes (a formula or roll-up, a read-only
// field such as LastModifiedDate) or the update set a relationship (the
// parent's field is read back as Salesforce spells it). A create is always
// read back (defaults, auto-numbers, names). Otherwise Salesforce holds
// what was sent, and reading it back would only spend calls.
func (e *engine) needsReadBack(pr *pushRow) bool {
	return e.leanReadBack() || e.sendsPath(pr)
}

// sendsPath reports whether a planned row sends a relationship column.
func (e *engine) sendsPath(pr *pushRow) bool {
	if len(e.b.pathCols) == 0 {
		return false
	}
	if pr.item.Send != nil {
		for _, bc := range e.b.pathCols {
			if _, ok := pr.item.Send[bc.col.ID]; ok {
				return true
			}
		}
		return false
	}
	path := false
	pr.eachSend(func(colID string, _ merge.Change) {
		if bc, ok := e.b.byCol[colID]; ok && bc.path {
			path = true
		}
	})
	return path
}

// leanReadBack reports whether every update must be read back because the
// sheet maps a column Salesforce computes (see needsReadBack): a spooled
// update sends no relationship column, so this alone decides for it.
func (e *engine) leanReadBack() bool {
	if e.leanReadBackMemo == 0 {
		e.leanReadBackMemo = 1
		for _, bc := range e.b.cols {
			if !bc.path && bc.field != nil && (bc.field.Calculated || !bc.field.Createable && !bc.field.Updateable) {
				e.leanReadBackMemo = 2
				break
			}
		}
	}
	return e.leanReadBackMemo == 2
}

// readBack reads the records the push wrote (by 18-character id) into
// their rows, as a pull would, without counting them as pulled.
func (e *engine) readBack(ctx context.Context, written map[string]bool) error {
	if e.dry != nil || len(written) == 0 {
		return nil
	}
	e.prog(Progress{Phase: PhaseReadBack, Total: len(written)})
	e.readingBack = true
	defer func() { e.readingBack = false }()
	st := &pullState{newest: e.s.now().UTC()}
	seen := map[string]bool{}
	others := e.fresh.others
	var newest time.Time
	page := make([]crm.Record, 0, pullPageRows)
	flush := func() error {
		if len(page) == 0 {
			return nil
		}
		err := e.pullPage(ctx, st, page)
		page = page[:0]
		return err
	}
	// Without a fresh mark, the window starts when this push began
	// sending (less the clock margin): it holds every record written.
	since := e.fresh.since
	if !e.fresh.known {
		since = e.sendStart.Add(-clockMargin)
	}
	if !since.IsZero() {
		q, err := e.changedSinceQuery(since)
		if err != nil {
			return err
		}
		if !e.budgetAllows(1) {
			return errPaused
		}
		for rec, err := range e.queryRecords(ctx, q, len(written)+len(e.fresh.records)) {
			if err != nil {
				return fmt.Errorf("read back %d written %s records: %w", len(written), e.b.object, err)
			}
			id := normID(rec.ID)
			if stamp := parseSalesforceTime(recordValue(rec, "SystemModstamp")); stamp.After(newest) {
				newest = stamp
			}
			if !written[id] {
				if _, before := e.fresh.records[id]; !before {
					others++ // changed by someone else meanwhile
				}
				continue
			}
			seen[id] = true
			page = append(page, rec)
			if len(page) == pullPageRows {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	var missing []string
	for id := range written {
		if !seen[id] {
			missing = append(missing, id)
		}
	}
	for _, batch := range inBatches(missing) {
		if !e.budgetAllows(1) {
			return errPaused
		}
		q, err := crm.Select(e.b.selectFields("SystemModstamp")...).From(e.b.object).InStrings("Id", batch).Build()
		if err != nil {
			return fmt.Errorf("read back %s: %w", e.b.object, err)
		}
		for rec, err := range e.c.Query(ctx, q) {
			if err != nil {
				return fmt.Errorf("read back %d written %s records: %w", len(batch), e.b.object, err)
			}
			page = append(page, rec)
			if len(page) == pullPageRows {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if !e.fresh.known || others > 0 || !newest.After(e.sh.Fresh) {
		return nil
	}
	// Nothing but this push's rows changed since the sheet's mark: the
	// sheet matches Salesforce up to the newest change read back.
	sh, err := e.s.store.Sheet(e.sh.ID)
	if err != nil {
		return fmt.Errorf("read back into %q: %w", e.sh.Name, err)
	}
	sh.Fresh = newest
	if err := e.commit(nil, nil, nil, sh); err != nil {
		return err
	}
	e.sh.Fresh = newest
	return nil
}

// readBackCalls estimates the read-back of n written records for a plan,
// as readBack and queryRecords will spend it.
func (e *engine) readBackCalls(n int) int {
	if n == 0 {
		return 0
	}
	return queryCalls(n + len(e.fresh.records))
}

// queryCalls is what queryRecords spends on about n expected records.
func queryCalls(n int) int {
	if n > crm.DefaultBulkQueryThreshold {
		return bulkQueryCalls(n)
	}
	return max(1, ceilDiv(n, pullPageRows))
}

// bulkQueryCalls is one Bulk API 2.0 query job of n records: create, its
// polls and one results download per 50,000 records (the page size the
// demo org chooses; Salesforce chooses its own).
func bulkQueryCalls(n int) int {
	return 1 + bulkQueryPolls + max(1, ceilDiv(n, 50000))
}

// bulkQueryPolls is the polls of a query job: its progress is not
// reported, so the waits double from crm's first one. Measured against the
// demo org for 100k records (see BenchmarkPush100kChanged).
const bulkQueryPolls = 4

// queryRecords streams soql through queryAll. With expect above
// crm.DefaultBulkQueryThreshold it runs one Bulk API 2.0 queryAll job;
// with expect unknown (< 0) it reads the first REST page and switches to a
// Bulk job when its totalSize is above the threshold (the page's records
// are dropped: the job returns them again). Bulk values are text (see
// crm.BulkQuery): the engine's conversions read text as they read JSON.
func (e *engine) queryRecords(ctx context.Context, soql string, expect int) iter.Seq2[crm.Record, error] {
	return e.queryRecordsTotal(ctx, soql, expect, nil)
}

func (e *engine) queryRecordsTotal(ctx context.Context, soql string, expect int, onTotal func(int)) iter.Seq2[crm.Record, error] {
	threshold := crm.DefaultBulkQueryThreshold
	if e.s.opt.BulkThreshold < 0 {
		threshold = int(^uint(0) >> 1) // Bulk disabled
	}
	bulk := func(yield func(crm.Record, error) bool) {
		for rec, err := range e.c.BulkQueryAll(ctx, soql) {
			if err == nil {
				if v, ok := rec.Fields["IsDeleted"].(string); ok {
					rec.Fields["IsDeleted"] = v == "true"
				}
			}
			if !yield(rec, err) {
				return
			}
		}
	}
	if expect > threshold {
		return bulk
	}
	return func(yield func(crm.Record, error) bool) {
		switchToBulk := false
		total := func(n int) {
			if onTotal != nil {
				onTotal(n)
			}
			switchToBulk = expect < 0 && n > threshold
		}
		for rec, err := range e.c.QueryAllWithTotal(ctx, soql, total) {
			if switchToBulk {
				break
			}
			if !yield(rec, err) {
				return
			}
		}
		if switchToBulk {
			bulk(yield)
		}
	}
}
