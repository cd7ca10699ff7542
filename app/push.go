package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"crmsheets/app/fieldmap"
	"crmsheets/app/merge"
	"crmsheets/crm"
	"crmsheets/sheets"
)

// pushCandidates scans the sheet for rows a push must look at: rows with
// local changes, rows without a record id (to match by key or create) and
// rows whose create is pending. Deleted-remotely and empty rows are left.
func (e *engine) pushCandidates() (ids, pending []sheets.RowID, overwrites int, err error) {
	for r, err := range e.s.store.Rows(e.sh.ID) {
		if err != nil {
			return nil, nil, 0, fmt.Errorf("push %q: scan rows: %w", e.sh.Name, err)
		}
		switch {
		case r.State == sheets.StateDeletedRemotely:
		case r.State == sheets.StateCreatePending:
			pending = append(pending, r.ID)
		case r.RecordID == "":
			if len(r.Cells) > 0 {
				ids = append(ids, r.ID)
			}
		case len(r.Changed()) > 0:
			ids = append(ids, r.ID)
			overwrites++
		}
	}
	return ids, pending, overwrites, nil
}

// push sends the sheet's changes: reconcile pending creates, apply the
// safety rail, then per chunk re-read Salesforce, merge, validate, resolve
// relationships, send and write back.
func (e *engine) push(ctx context.Context) error {
	ids, pending, overwrites, err := e.pushCandidates()
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		again, err := e.reconcilePending(ctx, pending)
		if err != nil {
			return err
		}
		ids = append(ids, again...)
		slices.Sort(ids)
	}
	if err := e.safetyRail(overwrites); err != nil {
		var tm *TooManyChangesError
		if e.dry == nil || !errors.As(err, &tm) {
			return err
		}
		// A plan shows the whole run the rail would stop: it is what the
		// user reviews before confirming with Force.
		e.dry.SafetyStop = tm
	}
	if len(ids) == 0 {
		return nil
	}
	if err := e.freshen(ctx, ids); err != nil {
		return e.pausedOr(err)
	}
	chunk := e.s.opt.PushBatchSize
	bulk := e.c.UseBulk(len(ids))
	if bulk {
		chunk = bulkChunkRows
	}
	for start := 0; start < len(ids); start += chunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(start+chunk, len(ids))
		if err := e.pushChunk(ctx, ids[start:end], bulk); err != nil {
			return err
		}
		e.prog(Progress{Phase: PhasePush, Done: end, Total: len(ids)})
		if e.paused != "" {
			return nil
		}
	}
	if e.dry != nil {
		e.dry.readBackCalls = e.readBackCalls(e.plannedWrites)
		return nil
	}
	return e.pausedOr(e.readBack(ctx, e.written))
}

// safetyRail refuses runs that would overwrite more than the allowed share
// of the sheet's records, unless forced.
func (e *engine) safetyRail(overwrites int) error {
	limit := e.s.opt.MaxChangeShare
	if e.opt.Force || limit >= 1 || overwrites <= safetyMinRows {
		return nil
	}
	total, err := e.s.store.RowCount(e.sh.ID)
	if err != nil {
		return fmt.Errorf("push %q: %w", e.sh.Name, err)
	}
	if float64(overwrites) > limit*float64(total) {
		return &TooManyChangesError{Sheet: e.sh.Name, Changes: overwrites, Rows: total, Limit: limit}
	}
	return nil
}

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

// pushRow is one row's progress through a chunk.
type pushRow struct {
	row    *sheets.Row
	item   merge.Item
	remote crm.Record // the record read back (nil Fields for creates)
	op     string     // create or update when something is sent
	fields map[string]any
	before map[string]string // field → Salesforce value before (revert)
	after  map[string]string
	err    error // invalid, unresolved or refused by Salesforce
	code   string
	cands  map[string][]sheets.Candidate
	// resolvedIDs holds the record id each relationship column resolved to.
	resolvedIDs map[string]string
	createdID   string
	// forceWrite: the row changed before planning (an in-flight update
	// recognised) and must be written back.
	forceWrite bool
}

// pushChunk runs one round: read, merge, validate, resolve, send, write.
func (e *engine) pushChunk(ctx context.Context, ids []sheets.RowID, bulk bool) error {
	defer clear(e.snaps)
	rows, err := e.readRows(ids)
	if err != nil {
		return fmt.Errorf("push: %w", err)
	}
	remote, fromBase, err := e.remoteOf(ctx, rows)
	if err != nil {
		return e.pausedOr(err)
	}
	keyed, err := e.lookupByKey(ctx, rows)
	if err != nil {
		return e.pausedOr(err)
	}
	prs := make([]*pushRow, 0, len(rows))
	for _, r := range rows {
		pr := &pushRow{row: r}
		var rem *merge.Remote
		switch {
		case r.RecordID != "":
			if rec, ok := remote[normID(r.RecordID)]; ok {
				if fromBase[normID(r.RecordID)] {
					// Unchanged since the sheet's fresh mark: Salesforce
					// holds the row's base.
					rem = &merge.Remote{RecordID: r.RecordID, Values: maps.Clone(r.Base), Modified: r.RemoteModified}
				} else {
					rem = e.toRemote(rec)
				}
				pr.remote = rec
				pr.forceWrite = e.applyInflight(r, rem.Values)
			}
		case len(keyed[r.ID]) == 1:
			rec := keyed[r.ID][0]
			if other, err := e.rowOfRecord(rec.ID, r.ID); err != nil {
				return err
			} else if other != 0 {
				// Attaching would make two rows of one record, the other
				// left stale yet shown as synced.
				pr.err = fmt.Errorf("the Salesforce record with %s %q is already row %d of this sheet; merge the two rows", e.b.key.col.Name, r.Cells[e.b.key.col.ID], other)
				pr.code = codeDuplicateKeyInSheet
				break
			}
			rem = e.toRemote(rec)
			pr.remote = rec
		case len(keyed[r.ID]) > 1:
			pr.err = fmt.Errorf("%d Salesforce records have %s %q; the row was not sent so no duplicate is made", len(keyed[r.ID]), e.b.key.col.Name, r.Cells[e.b.key.col.ID])
			pr.code = codeDuplicateKey
		case e.b.key != nil && e.sh.Sync.CreateMissing:
			// Two rows of the sheet with one key would create two records.
			if k := sheets.NormalizeKey(r.Cells[e.b.key.col.ID]); k != "" {
				if other, dup := e.newKeys[k]; dup && other != r.ID {
					pr.err = fmt.Errorf("row %d has the same %s %q and is created first; merge the two rows", other, e.b.key.col.Name, r.Cells[e.b.key.col.ID])
					pr.code = codeDuplicateKeyInSheet
				} else {
					e.newKeys[k] = r.ID
				}
			}
		}
		if pr.err == nil {
			pr.item = e.pl.Plan(r, rem)
			pr.code = e.explainSkip(&pr.item, r, rem)
		} else {
			pr.item = merge.Item{RowID: r.ID, Action: merge.Skip, Reason: pr.err.Error()}
		}
		prs = append(prs, pr)
	}
	if err := e.resolveRelationships(ctx, prs); err != nil {
		return e.pausedOr(err)
	}
	if err := e.loadKeyPrefixes(ctx); err != nil {
		return e.pausedOr(err)
	}
	for _, pr := range prs {
		e.prepareSend(pr)
	}
	if e.dry != nil {
		updates, creates := 0, 0
		for _, pr := range prs {
			switch {
			case pr.err != nil:
			case pr.op == sheets.OpUpdate:
				updates++
			case pr.op == sheets.OpCreate:
				creates++
			}
		}
		e.dry.writeCalls += writeCalls(updates, creates, bulk)
		for _, pr := range prs {
			if pr.err == nil && (pr.op == sheets.OpCreate || pr.op == sheets.OpUpdate && e.needsReadBack(pr)) {
				e.plannedWrites++
			}
		}
		for _, pr := range prs {
			if pr.err != nil {
				e.dry.Invalid++
				e.dry.addProblem(pr.row, pr.opName(), pr.err.Error())
				continue
			}
			e.dry.addItem(e, pr.row, &pr.item)
		}
		return nil
	}
	return e.sendAndWrite(ctx, prs, bulk)
}

// explainSkip returns the status code of a row the push leaves out
// ("" when it is not left out). A new row Salesforce does not have while
// creating missing records is off gets a reason naming the key it was
// looked up by, for the row, the plan and the history.
func (e *engine) explainSkip(it *merge.Item, r *sheets.Row, rem *merge.Remote) string {
	if it.Action != merge.Skip {
		return ""
	}
	if rem != nil || r.RecordID != "" || e.sh.Sync.CreateMissing {
		return codeSkipped
	}
	it.Reason = "not in Salesforce, and the sheet has no key column to look it up by; turn on Create missing to create it"
	if e.b.key != nil {
		it.Reason = fmt.Sprintf("not found in Salesforce by %s; turn on Create missing to create it", e.b.key.col.Name)
	}
	return codeNotFoundByKey
}

// rowOfRecord returns the row of the sheet, other than row, that holds the
// record or that this run already attached to it by key (0 when none), and
// claims the record for row otherwise.
func (e *engine) rowOfRecord(recordID string, row sheets.RowID) (sheets.RowID, error) {
	id := normID(recordID)
	if other, ok := e.claimed[id]; ok && other != row {
		return other, nil
	}
	r, err := e.s.store.RowByRecordID(e.sh.ID, recordID)
	switch {
	case err == nil && r.ID != row:
		return r.ID, nil
	case err != nil && !errors.Is(err, ErrNotFound):
		return 0, fmt.Errorf("push %q: find the row of %s: %w", e.sh.Name, recordID, err)
	}
	e.claimed[id] = row
	return 0, nil
}

func (pr *pushRow) opName() string {
	if pr.item.Action == merge.Create || pr.row.RecordID == "" && pr.item.Action != merge.Skip {
		return sheets.OpCreate
	}
	return sheets.OpUpdate
}

// pausedOr turns the budget's unwinding into a clean stop.
func (e *engine) pausedOr(err error) error {
	if errors.Is(err, errPaused) {
		return nil
	}
	e.s.noteCallErr(err)
	return err
}

// toRemote converts a read record into the merge's view of Salesforce.
func (e *engine) toRemote(rec crm.Record) *merge.Remote {
	return &merge.Remote{RecordID: rec.ID, Values: e.b.remoteCells(rec), Modified: parseSalesforceTime(rec.Fields["LastModifiedDate"])}
}

// prepareSend turns a planned item's sends into the record to write,
// validated against the describe; invalid rows get pr.err and send nothing.
func (e *engine) prepareSend(pr *pushRow) {
	if pr.err != nil || len(pr.item.Send) == 0 || (pr.item.Action != merge.Update && pr.item.Action != merge.Create && pr.item.Action != merge.Conflict) {
		return
	}
	create := pr.item.Action == merge.Create
	pr.op = sheets.OpUpdate
	if create {
		pr.op = sheets.OpCreate
	}
	send := make(map[string]bool, len(pr.item.Send))
	for id := range pr.item.Send {
		send[id] = true
	}
	if problems := e.validatePush(pr.row, send, create); len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, p := range problems {
			msgs[i] = p.Message
		}
		pr.err = &invalidRowError{msg: strings.Join(msgs, "; "), problems: problems}
		pr.code = problems[0].Code
		return
	}
	pr.fields = map[string]any{}
	pr.before, pr.after = map[string]string{}, map[string]string{}
	for _, colID := range pr.item.SendColumns() {
		ch := pr.item.Send[colID]
		bc, ok := e.b.byCol[colID]
		if !ok || !bc.writable(create) {
			continue
		}
		if bc.path {
			id, ok := pr.resolved(colID)
			if !ok {
				continue // resolution failed: pr.err is set
			}
			pr.fields[bc.field.Name] = nilIfEmpty(id)
			pr.before[bc.field.Name] = fieldString(pr.remote, bc.field.Name)
			pr.after[bc.field.Name] = id
			continue
		}
		v, err := valueToSalesforce(bc.field, ch.After)
		if err != nil {
			pr.err = fmt.Errorf("column %q: %w", bc.col.Name, err)
			pr.code = codeInvalidValue
			return
		}
		pr.fields[bc.field.Name] = v
		pr.before[bc.field.Name] = ch.Before
		pr.after[bc.field.Name] = ch.After
	}
	if pr.err == nil && len(pr.fields) == 0 {
		pr.op = "" // only read-only or non-writable columns changed
	}
}

// resolved returns the record id a relationship cell resolved to.
func (pr *pushRow) resolved(colID string) (string, bool) {
	v, ok := pr.resolvedIDs[colID]
	return v, ok
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// fieldString reads a record's field as a string ("" when absent).
func fieldString(rec crm.Record, field string) string {
	s, _ := recordValue(rec, field).(string)
	return s
}

// sendAndWrite marks creates pending, sends the chunk's writes and writes
// back ids, bases, states and outcomes in one transaction.
func (e *engine) sendAndWrite(ctx context.Context, prs []*pushRow, bulk bool) error {
	var updates, creates []*pushRow
	for _, pr := range prs {
		switch {
		case pr.err != nil:
		case pr.op == sheets.OpUpdate:
			updates = append(updates, pr)
		case pr.op == sheets.OpCreate:
			creates = append(creates, pr)
		}
	}
	if calls := writeCalls(len(updates), len(creates), bulk); calls > 0 && !e.budgetAllows(calls) {
		return nil
	}
	// Crash safety: the updates about to be sent are recorded, and rows
	// about to be created are marked, before the call.
	if len(updates) > 0 {
		if err := e.saveInflight(updates); err != nil {
			return err
		}
	}
	if len(creates) > 0 {
		pend := make([]*sheets.Row, len(creates))
		for i, pr := range creates {
			cp := pr.row.Clone()
			cp.State = sheets.StateCreatePending
			pend[i] = cp
		}
		if err := e.commit(nil, pend, nil, nil); err != nil {
			return err
		}
	}
	if e.sendStart.IsZero() {
		e.sendStart = e.s.now().UTC()
	}
	var sendErr error
	if len(updates) > 0 {
		sendErr = e.send(ctx, crm.OpUpdate, updates, bulk)
	}
	if len(creates) > 0 && sendErr == nil {
		sendErr = e.send(ctx, crm.OpInsert, creates, bulk)
	} else if len(creates) > 0 {
		for _, pr := range creates {
			pr.err, pr.code = errNotSent, ""
		}
	}
	var unknown *crm.OutcomeUnknownError
	if errors.As(sendErr, &unknown) {
		sendErr = nil // those rows stay create-pending; the next push reconciles them
	}
	if err := e.writeBack(prs); err != nil {
		return errors.Join(sendErr, err)
	}
	e.settled(updates)
	return sendErr
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

// bulkPolls is how many polls a job of n records takes: crm polls first
// after tens of milliseconds, doubling the wait until a tenth is processed,
// then when the job's own rate says it will be done. Measured on the demo
// org (BenchmarkBulkThreshold, BenchmarkPush100kChanged and the CLI
// scaling benchmark report the run's calls next to the plan's): up to
// 5,000 records one poll, 10k three, 100k four. It is a model of timing,
// so a busy machine can add a poll.
func bulkPolls(n int) int {
	switch {
	case n <= 5000:
		return 1
	case n <= 50_000:
		return 3
	case n <= 200_000:
		return 4
	}
	return 5
}

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

// send writes records with sObject Collections (or Bulk API 2.0) and
// stores each result on its row.
func (e *engine) send(ctx context.Context, op crm.BulkOperation, prs []*pushRow, bulk bool) error {
	recs := make([]crm.Record, len(prs))
	for i, pr := range prs {
		recs[i] = crm.Record{Type: e.b.object, Fields: pr.fields}
		if op == crm.OpUpdate {
			recs[i].ID = pr.item.RecordID
		}
	}
	var res []crm.Result
	var err error
	if op == crm.OpInsert && bulk {
		if err := e.loadAllowDup(); err != nil {
			return err
		}
		if slices.ContainsFunc(prs, func(pr *pushRow) bool { return e.allowDup[pr.row.ID] }) {
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
		res, err = e.c.BulkIngest(ctx, e.b.object, op, match, recs, func(state string) {
			e.prog(Progress{Phase: PhasePush + " (Bulk API job " + strings.ToLower(state) + ")"})
		})
	case op == crm.OpInsert:
		res, err = e.create(ctx, prs, recs)
	default:
		res, err = e.c.Update(ctx, e.b.object, recs)
	}
	var unknown *crm.OutcomeUnknownError
	errors.As(err, &unknown)
	lost := map[int]bool{}
	if unknown != nil {
		for _, i := range unknown.Indexes {
			lost[i] = true
		}
	}
	for i, pr := range prs {
		switch {
		case lost[i]:
			pr.err, pr.code = crm.ErrOutcomeUnknown, "OUTCOME_UNKNOWN"
		case i >= len(res) || (res[i].ID == "" && !res[i].Success && len(res[i].Errors) == 0):
			pr.err, pr.code = errNotSent, ""
		case !res[i].Success:
			pr.err = res[i].Err()
			if len(res[i].Errors) > 0 {
				pr.code = res[i].Errors[0].StatusCode
			}
		case op == crm.OpInsert:
			pr.item.RecordID = res[i].ID
			pr.createdID = res[i].ID
			e.written[normID(res[i].ID)] = true
			if e.allowDup[pr.row.ID] {
				delete(e.allowDup, pr.row.ID)
				e.allowDupDirty = true
			}
		case e.needsReadBack(pr):
			e.written[normID(pr.item.RecordID)] = true
		}
	}
	if op == crm.OpInsert {
		if derr := e.noteDuplicates(ctx, prs, res); derr != nil && err == nil {
			err = derr
		}
	}
	if err != nil && unknown == nil {
		e.s.noteCallErr(err)
		return fmt.Errorf("%s %d %s records: %w", op, len(prs), e.b.object, err)
	}
	return err
}

// writeBack applies each row's outcome through the merge and stores rows,
// outcomes and counts in one transaction.
func (e *engine) writeBack(prs []*pushRow) error {
	// A Bulk round holds every row: one transaction per 2,000 rows keeps
	// each commit small (bbolt rewrites every page a transaction touches)
	// while a row and its history still land together.
	for len(prs) > pullPageRows {
		if err := e.writeBackRows(prs[:pullPageRows]); err != nil {
			return err
		}
		prs = prs[pullPageRows:]
	}
	return e.writeBackRows(prs)
}

// writeBackRows is writeBack for one transaction's rows.
func (e *engine) writeBackRows(prs []*pushRow) error {
	var rows []*sheets.Row
	var outs []sheets.RecordOutcome
	c := &e.run.Counts
	for _, pr := range prs {
		r := pr.row
		switch {
		case errors.Is(pr.err, errNotSent):
			if pr.op == sheets.OpCreate {
				rows = append(rows, r) // undo the create-pending mark: nothing was sent
			}
			continue
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
			outs = append(outs, o)
			continue
		}
		before := r.Clone()
		out := merge.Outcome{CreatedID: pr.createdID, Err: pr.err}
		if pr.err == nil && pr.item.Action == merge.Skip {
			r.Error = pr.item.Reason // the row says why it was not sent
		}
		if pr.err != nil || pr.item.Writes() {
			if pr.err != nil && pr.item.Action == merge.Skip {
				r.State = sheets.StateError
				r.Error = pr.err.Error()
			} else {
				e.pl.Apply(r, pr.item, out)
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
		if pr.forceWrite || !rowEqual(before, r) {
			rows = append(rows, r)
		}
		e.countItem(&pr.item)
		if o, ok := e.conflictOutcome(r, &pr.item); ok {
			outs = append(outs, o)
		}
		if pr.err == nil {
			if o, ok := e.heldOutcome(r, &pr.item); ok {
				outs = append(outs, o)
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
			outs = append(outs, o)
		case pr.item.Action == merge.Skip:
			c.Skipped++
			o := e.outcome(r, pr.item.RecordID, sheets.OpSkip)
			o.StatusCode, o.Message = pr.code, pr.item.Reason
			outs = append(outs, o)
		case pr.op == sheets.OpCreate:
			c.Created++
			o := e.outcome(r, pr.createdID, sheets.OpCreate)
			o.OK, o.After, o.Fields = true, pr.after, slices.Sorted(maps.Keys(pr.after))
			outs = append(outs, o)
		case pr.op == sheets.OpUpdate:
			c.Updated++
			o := e.outcome(r, pr.item.RecordID, sheets.OpUpdate)
			o.OK, o.Before, o.After, o.Fields = true, pr.before, pr.after, slices.Sorted(maps.Keys(pr.after))
			outs = append(outs, o)
		}
	}
	if err := e.saveAllowDup(); err != nil {
		return err
	}
	return e.commit(nil, rows, outs, nil)
}

// rowEqual reports whether a row is unchanged by a write-back, so untouched
// rows cost no store write.
func rowEqual(a, b *sheets.Row) bool {
	return a.RecordID == b.RecordID && a.State == b.State && a.Error == b.Error &&
		maps.Equal(a.Cells, b.Cells) && maps.Equal(a.Base, b.Base) && (a.Base == nil) == (b.Base == nil) &&
		a.RemoteModified.Equal(b.RemoteModified) && maps.Equal(a.Conflicts, b.Conflicts) && len(a.Candidates) == len(b.Candidates)
}

// Status codes of rows the engine refuses before sending (history shows
// them like Salesforce's own).
const (
	codeNotFoundValue  = "RELATED_RECORD_NOT_FOUND"
	codeAmbiguousValue = "RELATED_RECORD_AMBIGUOUS"
	// codeInactiveUser: an owner column names a user who is inactive.
	codeInactiveUser = "INACTIVE_OWNER_OR_USER"
	codeDuplicateKey = "DUPLICATE_KEY_IN_SALESFORCE"
	// codeDuplicateKeyInSheet: two rows of the sheet hold one key (or one
	// record), so sending both would make a duplicate or a stale twin.
	codeDuplicateKeyInSheet = "DUPLICATE_KEY_IN_SHEET"
	// codeOutcomeUnknown: a row sent whose answer was lost; see
	// RunCounts.Unconfirmed.
	codeOutcomeUnknown = CodeUnconfirmed
	codeInvalidValue   = "INVALID_VALUE"
	// codeNotFoundByKey: a new row Salesforce does not have, left out
	// because creating missing records is off.
	codeNotFoundByKey = "NOT_FOUND_BY_KEY"
	// codeSkipped: any other row a push leaves out (nothing to send).
	codeSkipped = "SKIPPED"
	// codeHeldByBlankOption: edits a push kept in the sheet but did not
	// send because of their columns' blank cells option (see held.go).
	codeHeldByBlankOption = "KEPT_BY_BLANK_CELLS_OPTION"
)

// invalidRowError is a row refused by validation before sending.
type invalidRowError struct {
	msg      string
	problems []fieldmap.RowProblem
}

func (e *invalidRowError) Error() string { return e.msg }

// Unwrap returns the row's problems, so errors.Is(err, ErrWouldBeRejected)
// holds through them (fieldmap.RowProblem is the one type that matches it).
func (e *invalidRowError) Unwrap() []error {
	errs := make([]error, len(e.problems))
	for i := range e.problems {
		errs[i] = &e.problems[i]
	}
	return errs
}

func (e *invalidRowError) fields() []string {
	out := make([]string, 0, len(e.problems))
	for _, p := range e.problems {
		out = append(out, p.Field)
	}
	return out
}
