package app

import (
	"context"
	"fmt"
	"time"

	"crmsheets/crm"
	"crmsheets/sheets"
)

// Salesforce keeps deleted records in its recycle bin for 15 days, then
// purges them: queryAll no longer returns them and getDeleted refuses a
// start before the window (INVALID_REPLICATION_DATE). An incremental pull
// learns about deletions only through queryAll's IsDeleted rows, so for a
// sheet last synced longer ago than that, records deleted in between may
// have vanished without a trace, and their rows would go on looking alive.
// Such a pull therefore reads every record (a full pull) and then checks
// the rows it did not see: a record that no longer exists (or is in the bin)
// marks its row deleted in Salesforce; one that exists but no longer
// matches the sheet's filter is left alone, as on any pull.

// RecycleBinWindow is how long Salesforce keeps deleted records where
// queryAll finds them.
const RecycleBinWindow = 15 * 24 * time.Hour

// checkRecycleBinWindow turns a pull of a sheet last synced before the
// recycle bin window into a full pull that reconciles the rows it does not
// see (reconcileUnseen).
func (e *engine) checkRecycleBinWindow() {
	if e.sh.Watermark.IsZero() || e.now.Sub(e.sh.Watermark) <= RecycleBinWindow {
		return
	}
	e.opt.Full = true
	e.seen = map[string]bool{}
	e.staleDays = int(e.now.Sub(e.sh.Watermark).Hours() / 24)
}

// reconcileUnseen runs after a complete full pull of a stale sheet: rows
// holding a record id the pull did not read are looked up by id through
// queryAll (without the filter), and those whose record is gone or deleted
// are marked deleted in Salesforce.
func (e *engine) reconcileUnseen(ctx context.Context) error {
	if e.seen == nil || e.paused != "" {
		return nil
	}
	seen := e.seen
	e.seen = nil // once per run (a both-ways run pulls once)
	var ids []string
	rowOf := map[string]sheets.RowID{}
	for r, err := range e.s.store.Rows(e.sh.ID) {
		if err != nil {
			return fmt.Errorf("pull into %q: %w", e.sh.Name, err)
		}
		if r.RecordID == "" || r.State == sheets.StateDeletedRemotely || r.State == sheets.StateCreatePending || seen[normID(r.RecordID)] {
			continue
		}
		ids = append(ids, r.RecordID)
		rowOf[normID(r.RecordID)] = r.ID
	}
	gone := map[string]bool{}
	for _, batch := range inBatches(ids) {
		if !e.budgetAllows(1) {
			return nil
		}
		q, err := crm.Select("Id", "IsDeleted").From(e.b.object).InStrings("Id", batch).Build()
		if err != nil {
			return fmt.Errorf("check rows not pulled: %w", err)
		}
		alive := map[string]bool{}
		for rec, err := range e.c.QueryAll(ctx, q) {
			if err != nil {
				e.s.noteCallErr(err)
				return fmt.Errorf("check %d rows of %q not seen by the full pull: %w", len(batch), e.sh.Name, err)
			}
			if del, _ := recordValue(rec, "IsDeleted").(bool); !del {
				alive[normID(rec.ID)] = true
			}
		}
		for _, id := range batch {
			if !alive[normID(id)] {
				gone[normID(id)] = true
			}
		}
	}
	e.staleDeleted = len(gone)
	if len(gone) == 0 {
		return nil
	}
	if e.dry != nil {
		e.dry.DeletedRemotely += len(gone)
		return nil
	}
	rowIDs := make([]sheets.RowID, 0, len(gone))
	for id := range gone {
		rowIDs = append(rowIDs, rowOf[id])
	}
	for start := 0; start < len(rowIDs); start += pullPageRows {
		rows, err := e.readRows(rowIDs[start:min(start+pullPageRows, len(rowIDs))])
		if err != nil {
			return err
		}
		var outs []sheets.RecordOutcome
		for _, r := range rows {
			r.State = sheets.StateDeletedRemotely
			o := e.outcome(r, r.RecordID, sheets.OpDelete)
			o.OK = true
			o.Message = fmt.Sprintf("deleted in Salesforce and already purged from its recycle bin (the sheet was last synced %d days ago, longer than the %d days Salesforce keeps deleted records); the row is kept and marked", e.staleDays, int(RecycleBinWindow.Hours()/24))
			outs = append(outs, o)
			e.countPull(func(c *sheets.RunCounts) { c.Deleted++ })
		}
		if err := e.commit(nil, rows, outs, nil); err != nil {
			return err
		}
		clear(e.snaps)
	}
	return nil
}

// staleMessage is the run's note after a stale sheet's full pull.
func (e *engine) staleMessage() string {
	if e.staleDays == 0 {
		return ""
	}
	return fmt.Sprintf("last synced %d days ago, longer than Salesforce keeps deleted records (%d days): read every record instead of the changes, and marked %d row(s) whose record is gone as deleted in Salesforce",
		e.staleDays, int(RecycleBinWindow.Hours()/24), e.staleDeleted)
}
