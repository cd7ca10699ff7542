package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"crmsheets/app/merge"
	"crmsheets/crm"
	"crmsheets/sheets"
	"crmsheets/sheets/store"
)

// Sending a chunk of a push and writing back what Salesforce answered, and
// the API calls that costs.

// sendAndWrite marks creates pending, sends the chunk's writes and writes
// back ids, bases, states and outcomes. The updates of a real Bulk push
// waiting in e.spool go first, then the rows of prs.
func (e *engine) sendAndWrite(ctx context.Context, prs []*pushRow, bulk bool) error {
	var memUpdates, creates []*pushRow
	for _, pr := range prs {
		switch {
		case pr.err != nil:
		case pr.op == sheets.OpUpdate:
			memUpdates = append(memUpdates, pr)
		case pr.op == sheets.OpCreate:
			creates = append(creates, pr)
		}
	}
	updates := sendList{spool: e.spool, mem: memUpdates}
	if err := e.storeBaseMoves(prs); err != nil {
		return err
	}
	if calls := writeCalls(updates.len(), len(creates), bulk); calls > 0 && !e.budgetAllows(calls) {
		return nil
	}
	// Crash safety: the updates about to be sent are recorded, and rows
	// about to be created are marked, before the call.
	if updates.len() > 0 {
		if err := e.saveInflight(updates); err != nil {
			return err
		}
	}
	if len(creates) > 0 {
		if err := e.markPending(creates); err != nil {
			return err
		}
	}
	if e.sendStart.IsZero() {
		e.sendStart = e.s.now().UTC()
	}
	var sendErr error
	if updates.len() > 0 {
		sendErr = e.send(ctx, crm.OpUpdate, updates, bulk)
	}
	if len(creates) > 0 && sendErr == nil {
		sendErr = e.send(ctx, crm.OpInsert, sendList{mem: creates}, bulk)
	} else if len(creates) > 0 {
		for _, pr := range creates {
			pr.fail(errNotSent, "")
		}
	}
	var unknown *crm.OutcomeUnknownError
	if errors.As(sendErr, &unknown) {
		sendErr = nil // those rows stay create-pending; the next push reconciles them
	}
	sent := make([]sheets.RowID, len(memUpdates))
	for i, pr := range memUpdates {
		sent[i] = pr.id
	}
	memUpdates, creates = nil, nil // writeBack lets go of the rows as it writes them
	if e.spool != nil {
		// The spooled rows the send took back (refused or not sent) are
		// written back with the others.
		prs = append(prs, e.spool.takenRows...)
		e.spool.takenRows = nil
	}
	if err := e.writeBack(prs); err != nil {
		return errors.Join(sendErr, err)
	}
	e.settled(sent)
	return sendErr
}

// sendList is the rows of one operation a push sends: the rows waiting in
// spool (its rows 0 to spool.n-1; nil when none), then the rows of mem.
type sendList struct {
	spool *pushSpool
	mem   []*pushRow
}

func (l sendList) spooled() int {
	if l.spool == nil {
		return 0
	}
	return l.spool.n
}

func (l sendList) len() int { return l.spooled() + len(l.mem) }

// at returns row i of the list.
func (l sendList) at(e *engine, i int) (*pushRow, error) {
	if n := l.spooled(); i >= n {
		return l.mem[i-n], nil
	}
	return l.spool.row(e, i)
}

// peek is at for a caller done with the row before its next call (see
// pushSpool.peek).
func (l sendList) peek(e *engine, i int) (*pushRow, error) {
	if n := l.spooled(); i >= n {
		return l.mem[i-n], nil
	}
	return l.spool.peek(e, i)
}

// each calls fn with each row of the list in order, until fn returns
// false.
func (l sendList) each(e *engine, fn func(i int, pr *pushRow) bool) error {
	for i := range l.len() {
		pr, err := l.at(e, i)
		if err != nil {
			return err
		}
		if !fn(i, pr) {
			return nil
		}
	}
	return nil
}

// storeBaseMoves stores the bases that values of an earlier, interrupted
// run moved (pr.baseMoves, see inflightMoves) before anything is recorded
// or sent. Their in-flight entries are gone from e.inflight, and
// saveInflight replaces an updated row's entry with what it sends now: a
// run killed before its write-back would otherwise leave the row's base
// at its value before the earlier send while Salesforce holds that send,
// and the row's next edit would come back as a conflict.
func (e *engine) storeBaseMoves(prs []*pushRow) error {
	var ids []sheets.RowID
	var moves []map[string]string
	for _, pr := range prs {
		if pr != nil && len(pr.baseMoves) > 0 {
			ids = append(ids, pr.id)
			moves = append(moves, pr.baseMoves)
		}
	}
	for start := 0; start < len(ids); start += writeBackTxRows {
		end := min(start+writeBackTxRows, len(ids))
		err := e.rewrite(ids[start:end], func(i int, cur *sheets.Row) (*sheets.Row, error) {
			if cur == nil || cur.Base == nil {
				return nil, nil // deleted meanwhile, or never synced: no base to move
			}
			for col, v := range moves[start+i] {
				setCell(cur.Base, col, v)
			}
			if cur.State == sheets.StateModified {
				cur.Touch() // synced when the cells were what was sent
			}
			return cur, nil
		}, nil)
		if err != nil {
			return fmt.Errorf("record the values an interrupted run sent: %w", err)
		}
		e.storedMoves(ids[start:end])
	}
	return nil
}

// bulkJobCalls is what one Bulk API 2.0 ingest job of n records costs:
// create, upload, close, its polls (bulkPolls) and, for creates, the
// successful results that carry the new ids (crm.BulkIngest downloads the
// failed and unprocessed files only when the job's counters say they hold
// rows, which a plan cannot know).
func bulkJobCalls(n int, create bool) int {
	calls := 3 + bulkPolls(n)
	if create {
		calls++
	}
	return calls
}

// bulkPolls is how many polls a job of n records takes: the poller's own
// schedule for a job processed at a typical rate (crm.BulkJobPolls), within
// one poll of what a job up to five times slower or faster takes. The
// benchmarks report the run's calls next to the plan's.
func bulkPolls(n int) int { return crm.BulkJobPolls(n) }

// writeCalls is the API calls a chunk's writes cost: one sObject
// Collections call per 200 records of each operation, or one Bulk API 2.0
// job per operation. The run's budget check and the plan's estimate both
// use it, so a plan promises what the run spends.
func writeCalls(updates, creates int, bulk bool) int {
	if !bulk {
		return ceilDiv(updates, pushChunkRows) + ceilDiv(creates, pushChunkRows)
	}
	n := 0
	if updates > 0 {
		n += bulkJobCalls(updates, false)
	}
	if creates > 0 {
		n += bulkJobCalls(creates, true)
	}
	return n
}

// bulkPhase names a push's Bulk API job state for its progress, whose
// counts are the records Salesforce has processed: a job of a real org
// runs for minutes, and the user watches it work. The words are short: the
// CLI's bar has a terminal line for them, the bar and the counts.
func bulkPhase(state string) string {
	what, ok := map[string]string{
		crm.BulkOpen:           "uploading",
		crm.BulkUploadComplete: "queued",
		crm.BulkInProgress:     "processing",
		crm.BulkJobComplete:    "done",
	}[state]
	if !ok {
		what = strings.ToLower(state)
	}
	return PhasePush + " (Bulk API job: " + what + ")"
}

// send writes records with sObject Collections (or Bulk API 2.0) and
// stores each result on its row.
func (e *engine) send(ctx context.Context, op crm.BulkOperation, rows sendList, bulk bool) error {
	n := rows.len()
	// A spooled row that does not read back becomes a record without an
	// id, which crm refuses to upload: the job is never sent, so nothing
	// wrong is written.
	var readErr error
	// Records are made when sent: a Bulk push would hold a map per row.
	// recInto fills fields (cleared) with row i's and returns its record.
	recInto := func(i int, fields map[string]any) crm.Record {
		clear(fields)
		pr, err := rows.peek(e, i)
		if err != nil {
			readErr = cmp.Or(readErr, err)
			return crm.Record{Type: e.b.object, Fields: fields}
		}
		_, _ = e.sendFields(pr, func(f string, v any) { fields[f] = v }) // checked by prepareSend
		r := crm.Record{Type: e.b.object, Fields: fields}
		if op == crm.OpUpdate {
			r.ID = pr.itemRecordID()
		}
		return r
	}
	recOf := func(i int) crm.Record { return recInto(i, map[string]any{}) }
	shared := map[string]any{}
	// BulkIngestEach is done with each record before asking for the next.
	recShared := func(i int) crm.Record { return recInto(i, shared) }
	records := func() []crm.Record {
		recs := make([]crm.Record, n)
		for i := range n {
			recs[i] = recOf(i)
		}
		return recs
	}
	prs := rows.mem // Collections pushes and creates never spool
	var res []crm.Result
	var err error
	// A Bulk job's answers: which records it answered for, and for an
	// update only the refused ones (see resultOf).
	var answered []bool
	var refused map[int]crm.Result
	if op == crm.OpInsert && bulk {
		if err := e.loadAllowDup(); err != nil {
			return err
		}
		if slices.ContainsFunc(prs, func(pr *pushRow) bool { return e.allowDup[pr.id] }) {
			bulk = false // Bulk API 2.0 takes no duplicate rule header: these go by Collections
		}
	}
	switch {
	case bulk:
		// Creates are matched to their result rows by the key column's
		// field (Salesforce re-spells the values it echoes).
		match := ""
		if op == crm.OpInsert && e.b.key != nil && !e.b.key.path {
			match = e.b.key.field.Name
		}
		// An update keeps only the results of records Salesforce did not
		// take: a bit per record answered, not a Result each.
		answered = make([]bool, n)
		if op == crm.OpInsert {
			res = make([]crm.Result, n)
		} else {
			refused = map[int]crm.Result{}
		}
		err = e.c.BulkIngestEach(ctx, e.b.object, op, match, n, recShared, func(p crm.BulkProgress) {
			if jobs := e.run.BulkJobs; p.JobID != "" && (len(jobs) == 0 || jobs[len(jobs)-1] != p.JobID) {
				e.run.BulkJobs = append(jobs, p.JobID) // stored with the run's next update
			}
			e.prog(Progress{Phase: bulkPhase(p.State), Done: p.Processed, Total: p.Total})
		}, func(i int, r crm.Result) {
			answered[i] = true
			switch {
			case res != nil:
				res[i] = r
			case !r.Success:
				refused[i] = r
			}
		})
	case op == crm.OpInsert:
		res, err = e.create(ctx, prs, records())
	default:
		res, err = e.c.Update(ctx, e.b.object, records())
	}
	if bulk && op == crm.OpInsert && err == nil {
		e.explainBulkDuplicates(ctx, n, recOf, res)
	}
	var unknown *crm.OutcomeUnknownError
	errors.As(err, &unknown)
	lost := map[int]bool{}
	if unknown != nil {
		for _, i := range unknown.Indexes {
			lost[i] = true
		}
	}
	spooled := rows.spooled()
	readBack := e.leanReadBack()
	// resultOf is record i's result; false when Salesforce gave none (not
	// sent).
	resultOf := func(i int) (crm.Result, bool) {
		switch {
		case answered != nil && !answered[i]:
			return crm.Result{}, false
		case res != nil:
			return res[i], true
		case answered != nil:
			if r, ok := refused[i]; ok {
				return r, true
			}
			return crm.Result{Success: true}, true
		}
		if i >= len(res) {
			return crm.Result{}, false
		}
		return res[i], true
	}
	for i := range n {
		r, got := resultOf(i)
		ok := !lost[i] && got && r.Success
		if i < spooled && ok && (op != crm.OpUpdate || !readBack) {
			continue // a spooled update Salesforce took: the write-back reads it
		}
		pr, rerr := rows.at(e, i)
		if rerr != nil {
			// The results of the rows left are not read: none of the
			// spool is written back as a success (writeBackSpool).
			readErr = cmp.Or(readErr, rerr)
			rows.spool.unread = rerr
			break
		}
		if i < spooled && !ok {
			// Taken back into memory: its outcome is its own.
			rows.spool.take(i, pr)
		}
		switch {
		case lost[i]:
			pr.fail(crm.ErrOutcomeUnknown, "OUTCOME_UNKNOWN")
		case !got || (r.ID == "" && !r.Success && len(r.Errors) == 0):
			pr.fail(errNotSent, "")
		case !r.Success:
			code := pr.code
			if len(r.Errors) > 0 {
				code = r.Errors[0].StatusCode
			}
			pr.fail(r.Err(), code)
		case op == crm.OpInsert:
			pr.createdID = r.ID
			if !pr.lean {
				pr.item.RecordID = r.ID
			}
			e.written[normID(r.ID)] = true
			if e.allowDup[pr.id] {
				delete(e.allowDup, pr.id)
				e.allowDupDirty = true
			}
		case e.needsReadBack(pr):
			e.written[normID(pr.itemRecordID())] = true
		}
	}
	if op == crm.OpInsert {
		if derr := e.noteDuplicates(ctx, prs, res); derr != nil && err == nil {
			err = derr
		}
	}
	if readErr != nil && err == nil {
		err = fmt.Errorf("push: %w", readErr)
	}
	if err != nil && unknown == nil {
		e.s.noteCallErr(err)
		return fmt.Errorf("%s %d %s records: %w", op, n, e.b.object, err)
	}
	return err
}

// writeBackTxRows is how many rows one write-back transaction holds: a
// Bulk push of 100k rows commits (and syncs the file) ten times, not fifty;
// a transaction's rows are read, changed and let go one at a time, so its
// memory is the pages it dirties and its rows' history entries.
const writeBackTxRows = 10_000

// markPending marks the rows about to be created create-pending, as they
// are stored now (edits made since planning stay), in one transaction per
// 2,000 rows.
func (e *engine) markPending(prs []*pushRow) error {
	for start := 0; start < len(prs); start += pullPageRows {
		part := prs[start:min(start+pullPageRows, len(prs))]
		ids := make([]sheets.RowID, len(part))
		for i, pr := range part {
			ids[i] = pr.id
		}
		err := e.rewrite(ids, func(_ int, cur *sheets.Row) (*sheets.Row, error) {
			if cur == nil {
				return nil, nil
			}
			cur.State = sheets.StateCreatePending
			return cur, nil
		}, nil)
		if err != nil {
			return err
		}
	}
	return nil
}

// rewrite rewrites rows as they are stored now (store's RewriteRows) and
// adds the outcomes outs returns afterwards, with the run's counts, in one
// transaction, so a crash never separates a row from its history. For many
// rows fn runs on a goroutine of RewriteRows's own while this one waits, so
// fn may change the engine's state but must not use the store.
func (e *engine) rewrite(ids []sheets.RowID, fn func(i int, cur *sheets.Row) (*sheets.Row, error), outs func() []sheets.RecordOutcome) error {
	e.account()
	err := e.s.store.Batch(func(tx *store.Tx) error {
		if err := tx.RewriteRows(e.sh.ID, ids, fn); err != nil {
			return err
		}
		if outs != nil {
			if o := outs(); len(o) > 0 {
				if err := tx.AddOutcomes(e.run.ID, o); err != nil {
					return err
				}
			}
		}
		return tx.UpdateRun(e.run)
	})
	if err != nil {
		return fmt.Errorf("write %d rows of %q: %w", len(ids), e.sh.Name, err)
	}
	return nil
}

// writeBack applies each row's outcome through the merge and stores rows,
// outcomes and counts, one transaction per writeBackTxRows rows: bbolt rewrites
// every page a transaction touches, so each commit stays small, while a
// row and its history still land together. Each transaction's rows are let
// go once written, so a Bulk round's memory shrinks as it is written back.
func (e *engine) writeBack(prs []*pushRow) error {
	if err := e.writeBackSpool(); err != nil {
		e.keepInflight(prs)
		return err
	}
	for len(prs) > 0 {
		n := min(len(prs), writeBackTxRows)
		if err := e.writeBackRows(prs[:n]); err != nil {
			e.keepInflight(prs) // not written back: the next run recognises them
			return err
		}
		clear(prs[:n])
		prs = prs[n:]
	}
	if checkLeanPlans {
		e.lean.check()
	}
	if err := e.saveAllowDup(); err != nil {
		return err
	}
	return nil
}

// writeBackSpool writes back the updates waiting in e.spool that Salesforce
// took, writeBackTxRows at a time, read back from the spool in order (the
// rows it refused were taken back into memory by send).
func (e *engine) writeBackSpool() error {
	s := e.spool
	if s == nil || s.n == 0 {
		return nil
	}
	if s.unread != nil {
		// The rows stay modified: where Salesforce took a send, the
		// next run finds the row's edit and Salesforce agreeing.
		return fmt.Errorf("write back the push: %w", s.unread)
	}
	list := sendList{spool: s}
	chunk := make([]*pushRow, 0, min(s.n, writeBackTxRows))
	ids := make([]sheets.RowID, 0, cap(chunk))
	flush := func(next int) error {
		if len(chunk) == 0 {
			return nil
		}
		if err := e.writeBackRows(chunk); err != nil {
			// Not written back: the next run recognises what was sent.
			e.keepInflight(chunk)
			_ = list.each(e, func(i int, pr *pushRow) bool {
				if i >= next && !s.taken[i] {
					e.keepInflight([]*pushRow{pr})
				}
				return true
			})
			return err
		}
		for _, pr := range chunk {
			ids = append(ids, pr.id)
		}
		e.settled(ids)
		clear(chunk)
		chunk, ids = chunk[:0], ids[:0]
		return nil
	}
	var ferr error
	err := list.each(e, func(i int, pr *pushRow) bool {
		if s.taken[i] {
			return true
		}
		chunk = append(chunk, pr)
		if len(chunk) == cap(chunk) {
			ferr = flush(i + 1)
		}
		return ferr == nil
	})
	if err == nil && ferr == nil {
		ferr = flush(s.n)
	}
	if err != nil {
		return fmt.Errorf("write back the push: %w", err)
	}
	return ferr
}

// writeBackRows is writeBack for one transaction's rows. Each row is
// taken as stored now: when the user edited it since it was planned (the
// grid stays editable during a sync), the edits are kept and the row stays
// modified, so they go out with the next push.
func (e *engine) writeBackRows(prs []*pushRow) error {
	ids := make([]sheets.RowID, len(prs))
	for i, pr := range prs {
		ids[i] = pr.id
	}
	// The outcomes, about one a row, are stored in the transaction: one
	// slice serves every transaction of the push.
	outs := e.writeBackOuts[:0]
	defer func() {
		clear(outs) // let the values go
		e.writeBackOuts = outs[:0]
	}()
	return e.rewrite(ids, func(i int, cur *sheets.Row) (*sheets.Row, error) {
		return e.writeBackRow(prs[i], cur, &outs), nil
	}, func() []sheets.RecordOutcome { return outs })
}

// writeBackRow applies one row's outcome to the row as stored now (cur;
// nil when it was deleted meanwhile: only its history is written) and
// returns the row to store (nil to leave it).
func (e *engine) writeBackRow(pr *pushRow, cur *sheets.Row, outs *[]sheets.RecordOutcome) *sheets.Row {
	if pr.lean {
		// A plan of its own only while its outcome is written: the
		// scratch plan, and the shared one back after (a failed
		// transaction's rows go to keepInflight as they were).
		shared := pr.pushPlan
		pr.materializeInto(&e.writeBackPlan)
		defer func() { pr.pushPlan, pr.lean = shared, true }()
	}
	c := &e.run.Counts
	r := cur
	if r == nil {
		// Deleted meanwhile: its id and record id name the history entry.
		r = &sheets.Row{ID: pr.id, RecordID: pr.recordID, State: pr.state0}
	}
	switch {
	case errors.Is(pr.err, errNotSent):
		if pr.op == sheets.OpCreate && cur != nil && cur.State == sheets.StateCreatePending {
			cur.State = pr.state0 // undo the create-pending mark: nothing was sent
			return cur
		}
		return nil
	case errors.Is(pr.err, crm.ErrOutcomeUnknown):
		// Sent, but Salesforce's answer was lost: a create stays
		// create-pending (marked before the call) and the next run
		// reconciles it by key; an update is recorded in flight. Either
		// way the run did not see it land, so it is not a success.
		c.Unconfirmed++
		o := e.outcome(r, pr.item.RecordID, pr.opName())
		o.StatusCode = codeOutcomeUnknown
		o.Message = "sent, but Salesforce's answer was lost; the next run checks whether it landed before sending anything again"
		if pr.op == sheets.OpCreate && e.b.key != nil {
			o.Message = fmt.Sprintf("sent, but Salesforce's answer was lost; the next run looks the record up by %s %q before creating anything, so it is never created twice",
				e.b.key.col.Name, r.Cells[e.b.key.col.ID])
		}
		*outs = append(*outs, o)
		return nil
	}
	pr.expand()
	edited := cur != nil && !pr.unchanged(cur)
	var userCells map[string]string // refreshed cells the user edited since
	if edited {
		for id := range pr.item.Refresh {
			if v := cur.Cells[id]; v != pr.refreshOld[id] {
				if userCells == nil {
					userCells = map[string]string{}
				}
				userCells[id] = v
			}
		}
	}
	if cur != nil {
		for col, v := range pr.baseMoves {
			if cur.Base != nil {
				setCell(cur.Base, col, v)
			}
		}
	}
	// A row Salesforce took changes (its base moves to what was
	// sent): only the others are compared, to skip untouched rows.
	var before *sheets.Row
	if cur != nil && !edited && (pr.err != nil || pr.op == "") {
		before = r.Clone()
	}
	out := merge.Outcome{CreatedID: pr.createdID, Err: pr.err}
	if pr.err == nil && pr.item.Action == merge.Skip {
		r.Error = pr.item.Reason // the row says why it was not sent
	}
	if pr.err != nil || pr.item.Writes() {
		if pr.err != nil && pr.item.Action == merge.Skip {
			r.State = sheets.StateError
			r.Error = pr.err.Error()
		} else {
			// cur was just decoded by RewriteRows: its maps are the
			// row's alone, so the new base reuses the old one's map.
			e.pl.ApplyOwned(r, pr.item, out)
		}
	}
	if pr.err == nil && len(pr.item.Held) > 0 {
		// The row stays modified and says why its edit did not go out
		// (after Apply, which clears the last error).
		r.Error, _ = e.heldReport(&pr.item)
	}
	if len(pr.cands) > 0 {
		r.Candidates = pr.cands
	} else if pr.err == nil && r.Candidates != nil {
		r.Candidates = nil
	}
	if edited {
		for id, v := range userCells {
			setCell(r.Cells, id, v)
		}
		if r.State == sheets.StateSynced || r.State == sheets.StateError {
			r.State = sheets.StateModified
		}
		r.Touch()
	}
	write := cur != nil && (before == nil || pr.forceWrite || !rowEqual(before, r))
	e.countItem(&pr.item)
	if o, ok := e.conflictOutcome(r, &pr.item); ok {
		*outs = append(*outs, o)
	}
	if pr.err == nil {
		if o, ok := e.heldOutcome(r, &pr.item); ok {
			*outs = append(*outs, o)
		}
	}
	switch {
	case pr.err != nil:
		o := e.outcome(r, pr.item.RecordID, pr.opName())
		o.StatusCode, o.Message = pr.code, crm.RedactSecrets(pr.err.Error())
		var re crm.RecordError
		if errors.As(pr.err, &re) {
			o.Fields = re.Fields
		}
		var inv *invalidRowError
		if errors.As(pr.err, &inv) || pr.code == codeInvalidValue || pr.code == codeNotFoundValue || pr.code == codeAmbiguousValue || pr.code == codeInactiveUser || pr.code == codeDuplicateKey || pr.code == codeDuplicateKeyInSheet {
			if inv != nil {
				o.Fields = inv.fields()
			}
			o.Op = sheets.OpInvalid
			c.Invalid++
		} else {
			c.Failed++
		}
		*outs = append(*outs, o)
	case pr.item.Action == merge.Skip:
		c.Skipped++
		o := e.outcome(r, pr.item.RecordID, sheets.OpSkip)
		o.StatusCode, o.Message = pr.code, pr.item.Reason
		*outs = append(*outs, o)
	case pr.op == sheets.OpCreate:
		c.Created++
		o := e.outcome(r, pr.createdID, sheets.OpCreate)
		_, after := e.sentValues(pr)
		o.OK, o.After, o.Fields = true, after, sortedKeys(after)
		*outs = append(*outs, o)
	case pr.op == sheets.OpUpdate:
		c.Updated++
		o := e.outcome(r, pr.item.RecordID, sheets.OpUpdate)
		before, after := e.sentValues(pr)
		o.OK, o.Before, o.After, o.Fields = true, before, after, sortedKeys(after)
		*outs = append(*outs, o)
	}
	if !write {
		return nil
	}
	return r
}

// rowEqual reports whether a row is unchanged by a write-back, so untouched
// rows cost no store write.
func rowEqual(a, b *sheets.Row) bool {
	return a.RecordID == b.RecordID && a.State == b.State && a.Error == b.Error &&
		maps.Equal(a.Cells, b.Cells) && maps.Equal(a.Base, b.Base) && (a.Base == nil) == (b.Base == nil) &&
		a.RemoteModified.Equal(b.RemoteModified) && maps.Equal(a.Conflicts, b.Conflicts) && len(a.Candidates) == len(b.Candidates)
}

// sortedKeys is slices.Sorted(maps.Keys(m)) in one allocation (a push
// writes back one outcome a row).
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
