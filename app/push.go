package app

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"crmsheets/app/fieldmap"
	"crmsheets/app/merge"
	"crmsheets/crm"
	"crmsheets/sheets"
)

// pushCandidates scans the sheet for rows a push must look at: rows with
// local changes, rows without a record id (to match by key or create) and
// rows whose create is pending. Deleted-remotely and empty rows are left.
// It reads the rows' summaries, not the rows: a push of a few edits on a
// large sheet decodes only the rows it sends.
func (e *engine) pushCandidates() (ids, pending []sheets.RowID, overwrites int, err error) {
	for r, err := range e.s.store.RowSummaries(e.sh.ID) {
		if err != nil {
			return nil, nil, 0, fmt.Errorf("push %q: scan rows: %w", e.sh.Name, err)
		}
		switch {
		case r.State == sheets.StateDeletedRemotely:
		case r.State == sheets.StateCreatePending:
			pending = append(pending, r.ID)
		case r.RecordID == "":
			if r.HasCells {
				ids = append(ids, r.ID)
			}
		case r.Changed:
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
		clear(e.snaps) // its rows were written back
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
	if e.c.UseBulk(len(ids)) {
		return e.pushBulk(ctx, ids)
	}
	chunk := e.s.opt.PushBatchSize
	for start := 0; start < len(ids); start += chunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(start+chunk, len(ids))
		prs, err := e.planChunk(ctx, ids[start:end])
		if err != nil {
			return err
		}
		if err := e.resolveDeferred(ctx, prs); err != nil {
			return err
		}
		if e.paused != "" {
			return nil // the budget stopped the reads: nothing is sent
		}
		if e.dry != nil {
			e.planned(prs, false)
		} else if err := e.sendAndWrite(ctx, prs, false); err != nil {
			return err
		}
		e.prog(Progress{Phase: PhasePush, Done: end, Total: len(ids)})
		if e.paused != "" {
			return nil
		}
	}
	return e.pushDone(ctx)
}

// pushBulk is push through Bulk API 2.0: one job per operation for every
// row, so the rows are planned in rounds of bulkPlanRows and each planned
// row is kept compact (see compact) until its job ends: memory stays about
// flat with the sheet's size instead of holding every row, its snapshot
// and its maps at once.
func (e *engine) pushBulk(ctx context.Context, ids []sheets.RowID) error {
	defer relaxGC()()
	var all []*pushRow
	if e.dry != nil {
		all = make([]*pushRow, 0, len(ids))
	} else {
		// A real run keeps its lean updates in a work file until their
		// write-back (see pushSpool): its memory stays flat.
		spool, err := newPushSpool(e.s.home, e.sh.ID)
		if err != nil {
			return fmt.Errorf("push: %w", err)
		}
		e.spool = spool
		e.madeSpool = true
		defer func() {
			spool.close()
			e.spool = nil
		}()
	}
	listed := 0 // rows of all a plan has listed
	rounds, stop := e.prefetchRows(ids)
	defer stop()
	for round := range rounds {
		if err := ctx.Err(); err != nil {
			return err
		}
		if round.err != nil {
			return fmt.Errorf("push: %w", round.err)
		}
		prs, err := e.planRows(ctx, round.rows)
		if err != nil {
			return err
		}
		if e.paused != "" {
			return nil // the budget stopped the reads: nothing is sent
		}
		for _, pr := range prs {
			if e.spool != nil && e.spoolable(pr) {
				if err := e.spool.add(e, pr); err != nil {
					return fmt.Errorf("push: %w", err)
				}
				continue
			}
			all = append(all, pr)
		}
		// A plan lists rows in order as soon as they are prepared, and
		// keeps only what it counts of them.
		for ; e.dry != nil && listed < len(all) && !all[listed].deferred; listed++ {
			e.reportRow(all[listed])
			all[listed].compactPlanned(&e.lean)
		}
	}
	if err := e.resolveDeferred(ctx, all); err != nil {
		return err
	}
	if e.paused != "" {
		return nil
	}
	if e.spool != nil {
		if err := e.spool.finish(); err != nil {
			return fmt.Errorf("push: %w", err)
		}
	}
	if e.dry != nil {
		e.planned(all, true)
	} else if err := e.sendAndWrite(ctx, all, true); err != nil {
		return err
	}
	if e.paused != "" {
		return nil // the budget stopped it before its job: nothing was sent
	}
	e.prog(Progress{Phase: PhasePush, Done: len(ids), Total: len(ids)})
	return e.pushDone(ctx)
}

// rowRound is one round of rows read for planning.
type rowRound struct {
	rows []*sheets.Row
	err  error
}

// prefetchRows reads the rows of ids in rounds of bulkPlanRows one round
// ahead of the planning, on its own goroutine: decoding the next round
// overlaps planning this one. stop ends the reads early.
func (e *engine) prefetchRows(ids []sheets.RowID) (<-chan rowRound, func()) {
	out := make(chan rowRound, 1)
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		for start := 0; start < len(ids); start += bulkPlanRows {
			rows, err := e.readPushRows(ids[start:min(start+bulkPlanRows, len(ids))])
			select {
			case out <- rowRound{rows: rows, err: err}:
			case <-quit:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	var once sync.Once
	return out, func() {
		once.Do(func() { close(quit) })
		<-done
	}
}

// pushDone ends a push: the read-back of what it wrote (its estimate, for
// a plan).
func (e *engine) pushDone(ctx context.Context) error {
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

// pushRow is one row's progress through a chunk. A Bulk push keeps one
// for every row it sends until its job ends, so it holds only what every
// row needs to the end; the rest is in the pushPlan it points to. Most
// rows of a push plan alike (an update of a record unchanged in
// Salesforce): once compacted, such a row is lean and shares one plan
// with the rows whose plan differs from its own only by row, record and
// Salesforce's last modified time, which it keeps (see compact and
// materialize).
type pushRow struct {
	// id and recordID are the row's.
	id       sheets.RowID
	recordID string
	op       string // create or update when something is sent
	// sends is item.Send once compacted, packed in one string (see
	// packSends: a map of one entry costs about ten times its entry, a
	// slice of them three allocations); writeBackRow puts the map back.
	sends string
	// createdID is the record Salesforce created for the row.
	createdID string
	// remoteModified is item.RemoteModified of a lean row.
	remoteModified time.Time
	// What the write-back needs of the row as planned once it is let go
	// (compact): its state and a print of its cells, to tell whether the
	// user edited it since.
	edited int64 // editStamp of the row's last local edit
	print  uint64
	state0 sheets.State
	// forceWrite: the row changed before planning (an in-flight update
	// recognised) and must be written back.
	forceWrite bool
	// deferred: the row sends a relationship column, resolved once for
	// every row of the push (resolveDeferred) before prepareSend.
	deferred  bool
	compacted bool
	// dryDone: a plan has counted and listed the row (reportPlanned).
	dryDone bool
	// lean: pushPlan is shared with other rows (read only; materialize
	// gives the row its own).
	lean bool
	*pushPlan
}

// pushPlan is a row's plan: its item and outcome, what only planning
// needs, and the maps few rows fill.
type pushPlan struct {
	item merge.Item
	err  error // invalid, unresolved or refused by Salesforce
	code string
	// row is the row as read, until the row is compacted (nil after).
	row    *sheets.Row
	remote crm.Record // the record read back (nil Fields for creates)
	// pathBefore holds, by field, the record id a relationship column
	// replaces (for revert); sentValues gives the other fields' values.
	pathBefore map[string]string
	cands      map[string][]sheets.Candidate
	// resolvedIDs holds the record id each relationship column resolved to.
	resolvedIDs map[string]string
	// baseMoves are the base values applyInflight moved (written back
	// with the row).
	baseMoves map[string]string
	// refreshOld holds the cells Refresh overwrites, as planned.
	refreshOld map[string]string
}

// leanPlans are the plans a push's lean rows share, each with the item it
// was made from (for checkLeanPlans). A push has a few: one per action and
// flags its rows' items share.
type leanPlans struct {
	plans []*pushPlan
	keys  []merge.Item
	// spareSends are Send maps compacted rows let go of (their sends are
	// packed), planned into again by the next round's rows (see
	// merge.Planner.PlanReusing): a push then makes a map per row only
	// for its first round. At most maxSpareSends are kept.
	spareSends []map[string]merge.Change
}

// maxSpareSends bounds leanPlans.spareSends: a round's worth.
const maxSpareSends = 8192

// maxLeanPlans bounds the shared plans a push looks through per row.
const maxLeanPlans = 8

// find returns the shared plan of item (with no row, record or time), made
// on first use; nil when the push has maxLeanPlans already.
func (l *leanPlans) find(it merge.Item) *pushPlan {
	for i := range l.keys {
		if l.keys[i].Same(&it) {
			return l.plans[i]
		}
	}
	if len(l.plans) >= maxLeanPlans {
		return nil
	}
	l.plans = append(l.plans, &pushPlan{item: it})
	l.keys = append(l.keys, it)
	return l.plans[len(l.plans)-1]
}

// plan plans a row with a spare Send map when there is one (see
// spareSends); the map is the item's once its Send is not nil.
func (l *leanPlans) plan(pl *merge.Planner, r *sheets.Row, rem *merge.Remote) merge.Item {
	n := len(l.spareSends)
	if n == 0 {
		return pl.Plan(r, rem)
	}
	it := pl.PlanReusing(r, rem, l.spareSends[n-1])
	if it.Send != nil {
		l.spareSends[n-1] = nil
		l.spareSends = l.spareSends[:n-1]
	}
	return it
}

// spare keeps a Send map no row holds any more for a later row.
func (l *leanPlans) spare(m map[string]merge.Change) {
	if m != nil && len(l.spareSends) < maxSpareSends {
		l.spareSends = append(l.spareSends, m)
	}
}

// checkLeanPlans is set by the tests: a push then checks at its end that
// no row wrote to a shared plan.
var checkLeanPlans bool

// check panics when a shared plan was written to (tests only).
func (l *leanPlans) check() {
	for i, p := range l.plans {
		if !reflect.DeepEqual(*p, pushPlan{item: l.keys[i]}) {
			panic(fmt.Sprintf("a push wrote to a plan its rows share: %+v", *p))
		}
	}
}

// materialize gives a lean row a plan of its own, its item whole again.
func (pr *pushRow) materialize() {
	if pr.lean {
		pr.materializeInto(new(pushPlan))
	}
}

// materializeInto is materialize into a plan the caller owns: the
// write-back's scratch plan, as a lean row needs a plan of its own only
// while its outcome is written (100k rows would make 100k plans).
func (pr *pushRow) materializeInto(p *pushPlan) {
	if !pr.lean {
		return
	}
	*p = *pr.pushPlan
	p.item.RowID, p.item.RecordID, p.item.RemoteModified = pr.id, pr.recordID, pr.remoteModified
	if pr.createdID != "" {
		p.item.RecordID = pr.createdID
	}
	pr.pushPlan, pr.lean = p, false
}

// itemRecordID is pr.item.RecordID, lean or not.
func (pr *pushRow) itemRecordID() string {
	switch {
	case !pr.lean:
		return pr.item.RecordID
	case pr.createdID != "":
		return pr.createdID
	}
	return pr.recordID
}

// fail sets the row's error and its code (a lean row gets a plan of its
// own unless both are empty).
func (pr *pushRow) fail(err error, code string) {
	if pr.lean && err == nil && code == "" {
		return
	}
	p := pr.ownPlan()
	p.err, p.code = err, code
}

// ownPlan makes sure the row's plan is its own (not shared) before it is
// written to.
func (pr *pushRow) ownPlan() *pushPlan {
	pr.materialize()
	return pr.pushPlan
}

// planChunk reads, merges and validates one round of rows (see planRows).
func (e *engine) planChunk(ctx context.Context, ids []sheets.RowID) ([]*pushRow, error) {
	rows, err := e.readPushRows(ids)
	if err != nil {
		return nil, fmt.Errorf("push: %w", err)
	}
	return e.planRows(ctx, rows)
}

// planRows merges and validates one round of rows read. Rows that send a
// relationship column are left deferred (resolveDeferred prepares them);
// the others are prepared and, in a real run, compacted.
func (e *engine) planRows(ctx context.Context, rows []*sheets.Row) ([]*pushRow, error) {
	remote, err := e.remoteOf(ctx, rows)
	if err != nil {
		return nil, e.pausedOr(err)
	}
	keyed, err := e.lookupByKey(ctx, rows)
	if err != nil {
		return nil, e.pausedOr(err)
	}
	prs := make([]*pushRow, 0, len(rows))
	// The round's rows in one allocation: a real run lets go of the rows
	// it spools together, a plan keeps them all.
	slab := make([]pushRow, len(rows))
	// A real run's plans too: most rows share a plan once compacted, and
	// the few that keep their own are moved out of the slab at the end
	// (see ownPlans), so nothing holds it after the round. A plan compacts
	// its rows later: each gets its own.
	var plans []pushPlan
	if e.dry == nil {
		plans = make([]pushPlan, len(rows))
	}
	for i, r := range rows {
		pr := &slab[i]
		var p *pushPlan
		if plans != nil {
			p = &plans[i]
			p.row = r
		} else {
			p = &pushPlan{row: r}
		}
		*pr = pushRow{id: r.ID, recordID: r.RecordID, pushPlan: p}
		var rem *merge.Remote
		switch {
		case r.RecordID != "":
			if rr := remote[i]; rr.ok {
				rec := rr.rec
				if rr.fromBase {
					// Unchanged since the sheet's fresh mark: Salesforce
					// holds the row's base. The base itself is lent, not
					// copied (100k copies a Bulk round): the planner only
					// reads it, and applyInflight moves a base only where
					// it differs from the remote value, never here.
					rem = &merge.Remote{RecordID: r.RecordID, Values: r.Base, Modified: r.RemoteModified}
				} else {
					rem = e.toRemote(rec)
				}
				pr.remote = rec
				if len(e.inflight) > 0 { // else there is nothing to look up (and no key to make)
					pr.baseMoves = e.inflightMoves(r, rem.Values)
					pr.forceWrite = len(pr.baseMoves) > 0
				}
			}
		case len(keyed[r.ID]) == 1:
			rec := keyed[r.ID][0]
			if other, err := e.rowOfRecord(rec.ID, r.ID); err != nil {
				return nil, err
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
			pr.item = e.lean.plan(e.pl, r, rem)
			pr.code = e.explainSkip(&pr.item, r, rem)
		} else {
			pr.item = merge.Item{RowID: r.ID, Action: merge.Skip, Reason: pr.err.Error()}
		}
		prs = append(prs, pr)
	}
	if err := e.loadKeyPrefixes(ctx); err != nil {
		return nil, e.pausedOr(err)
	}
	for _, pr := range prs {
		if pr.err == nil && e.sendsRelationship(pr) {
			pr.deferred = true
			continue
		}
		e.prepareSend(pr)
		if e.dry == nil {
			pr.compact(&e.lean)
		}
	}
	if plans != nil {
		ownPlans(prs)
	}
	return prs, nil
}

// ownPlans moves the plans of rows that did not become lean (they are
// still in planRows' slab) into allocations of their own, so that the
// slab is let go with the round.
func ownPlans(prs []*pushRow) {
	for _, pr := range prs {
		if !pr.lean {
			p := new(pushPlan)
			*p = *pr.pushPlan
			pr.pushPlan = p
		}
	}
}

// sendsRelationship reports whether a planned row sends a relationship
// column, whose value must be resolved to a record id before it is sent.
func (e *engine) sendsRelationship(pr *pushRow) bool {
	if pr.item.Action != merge.Update && pr.item.Action != merge.Create && pr.item.Action != merge.Conflict {
		return false
	}
	for _, bc := range e.b.pathCols {
		if _, ok := pr.item.Send[bc.col.ID]; ok {
			return true
		}
	}
	return false
}

// resolveDeferred resolves the relationship values of the deferred rows
// among prs, all at once (one query per 200 distinct values over the whole
// push, as one round would), then prepares and compacts them.
func (e *engine) resolveDeferred(ctx context.Context, prs []*pushRow) error {
	var deferred []*pushRow
	for _, pr := range prs {
		if pr.deferred {
			deferred = append(deferred, pr)
		}
	}
	if len(deferred) == 0 {
		return nil
	}
	if err := e.resolveRelationships(ctx, deferred); err != nil {
		return e.pausedOr(err)
	}
	for _, pr := range deferred {
		pr.deferred = false
		e.prepareSend(pr)
		if e.dry == nil {
			pr.compact(&e.lean)
		}
	}
	return nil
}

// reportRow lists one planned row in the plan (once).
func (e *engine) reportRow(pr *pushRow) {
	if pr.dryDone {
		return
	}
	pr.dryDone = true
	if pr.err == nil && (pr.op == sheets.OpCreate || pr.op == sheets.OpUpdate && e.needsReadBack(pr)) {
		e.plannedWrites++
	}
	if pr.err != nil {
		e.dry.Invalid++
		e.dry.addProblem(pr.row, pr.opName(), pr.err.Error())
		return
	}
	e.dry.addItem(e, pr.row, &pr.item)
}

// planned adds planned rows to the plan: their write calls (as one round:
// bulk is one job per operation) and the rows not listed yet.
func (e *engine) planned(prs []*pushRow, bulk bool) {
	updates, creates := 0, 0
	for _, pr := range prs {
		switch {
		case pr.err != nil:
		case pr.op == sheets.OpUpdate:
			updates++
		case pr.op == sheets.OpCreate:
			creates++
		}
		e.reportRow(pr)
	}
	e.dry.writeCalls += writeCalls(updates, creates, bulk)
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
	if pr.item.Action == merge.Create || pr.recordID == "" && pr.item.Action != merge.Skip {
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
	if problems := e.validatePush(pr.row, pr.item.Send, create); len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, p := range problems {
			msgs[i] = p.Message
		}
		pr.err = &invalidRowError{msg: strings.Join(msgs, "; "), problems: problems}
		pr.code = problems[0].Code
		return
	}
	n := 0
	if bc, err := e.walkSendFields(pr, false, func(string, any) { n++ }); err != nil {
		pr.err = fmt.Errorf("column %q: %w", bc.col.Name, err)
		pr.code = codeInvalidValue
		return
	}
	for _, bc := range e.b.pathCols {
		if _, sent := pr.item.Send[bc.col.ID]; !sent || !bc.writable(create) {
			continue
		}
		if _, ok := pr.resolved(bc.col.ID); ok {
			if pr.pathBefore == nil {
				pr.pathBefore = map[string]string{}
			}
			pr.pathBefore[bc.field.Name] = fieldString(pr.remote, bc.field.Name)
		}
	}
	if pr.err == nil && n == 0 {
		pr.op = "" // only read-only or non-writable columns changed
	}
}

// sendFields calls fn with each field a planned row sends and its value
// for Salesforce, in column order; on a value that does not convert it
// stops and returns the column. prepareSend checks and counts them; the
// send makes each record from them when it is written (records are not
// kept for every row of a push).
func (e *engine) sendFields(pr *pushRow, fn func(field string, v any)) (*boundColumn, error) {
	return e.walkSendFields(pr, true, fn)
}

// walkSendFields is sendFields; without values it only checks that each
// value converts and calls fn with nil for it: prepareSend only counts the
// fields, and a value made for each row's cell is an allocation per row.
func (e *engine) walkSendFields(pr *pushRow, values bool, fn func(field string, v any)) (*boundColumn, error) {
	create := pr.item.Action == merge.Create
	var err error
	var bad *boundColumn
	each := func(colID string, ch merge.Change) {
		if err != nil {
			return
		}
		bc, ok := e.b.byCol[colID]
		if !ok || !bc.writable(create) {
			return
		}
		if bc.path {
			if id, ok := pr.resolved(colID); ok {
				var v any
				if values {
					v = nilIfEmpty(id)
				}
				fn(bc.field.Name, v)
			}
			return // else resolution failed: pr.err is set
		}
		var v any
		var verr error
		if values {
			v, verr = valueToSalesforce(bc.field, ch.After)
		} else {
			verr = fieldmap.CheckSalesforce(bc.field, ch.After)
		}
		if verr != nil {
			err, bad = verr, bc
			return
		}
		fn(bc.field.Name, v)
	}
	pr.eachSendSorted(each)
	return bad, err
}

// eachSendSorted is eachSend in column order (a compacted row's sends are
// kept sorted).
func (pr *pushRow) eachSendSorted(fn func(col string, ch merge.Change)) {
	if pr.sends != "" {
		eachPacked(pr.sends, fn)
		return
	}
	pr.item.EachSend(fn)
}

// sentValues returns, by field, Salesforce's values before a row's send
// and the values sent, as prepareSend turned the item into fields; the
// history records them (revert reads them). They are made when the
// outcome is written, not kept for every row of a push.
func (e *engine) sentValues(pr *pushRow) (before, after map[string]string) {
	create := pr.op == sheets.OpCreate
	n := max(countPacked(pr.sends), len(pr.item.Send))
	before, after = make(map[string]string, n), make(map[string]string, n)
	pr.eachSendSorted(func(colID string, ch merge.Change) {
		bc, ok := e.b.byCol[colID]
		if !ok || !bc.writable(create) {
			return
		}
		if bc.path {
			if id, ok := pr.resolved(colID); ok {
				before[bc.field.Name], after[bc.field.Name] = pr.pathBefore[bc.field.Name], id
			}
			return
		}
		before[bc.field.Name], after[bc.field.Name] = ch.Before, ch.After
	})
	return before, after
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

// compact lets go of a planned row's cells, base, remote record and
// snapshot, keeping what the send and the write-back need: the item, the
// outcome maps and the row's id, record id and state, its last local edit
// time and a print of its cells (see unchanged). The write-back reads the
// row again as stored then, inside its transaction. A plan (dry run)
// compacts its rows with compactPlanned instead: nothing is written back,
// so it does not print the cells.
func (pr *pushRow) compact(lean *leanPlans) { pr.compactFor(lean, true) }

// compactPlanned is compact for a row a plan has listed (see compact).
func (pr *pushRow) compactPlanned(lean *leanPlans) { pr.compactFor(lean, false) }

// compactFor is compact; writeBack says the row's outcome will be
// written back, which compares the print of its cells.
func (pr *pushRow) compactFor(lean *leanPlans, writeBack bool) {
	if pr.compacted {
		return
	}
	r := pr.row
	pr.compacted = true
	pr.state0, pr.edited = r.State, editStamp(r.LocalEdited)
	if writeBack {
		pr.print = cellsPrint(r.Cells)
	}
	if len(pr.item.Refresh) > 0 {
		pr.refreshOld = make(map[string]string, len(pr.item.Refresh))
		for id := range pr.item.Refresh {
			pr.refreshOld[id] = strings.Clone(r.Cells[id])
		}
	}
	// The record id and the sends are copied into one string of their
	// own: kept as read, they would hold on to the decoded row.
	var send map[string]merge.Change
	if len(pr.item.Send) > 0 {
		send = pr.item.Send
		pr.item.Send = nil
	}
	packed := packSends(r.RecordID, send)
	pr.recordID, pr.sends = packed[:len(r.RecordID)], packed[len(r.RecordID):]
	lean.spare(send)
	pr.row = nil
	pr.remote = crm.Record{}
	if pr.item.RecordID == r.RecordID {
		pr.item.RecordID = pr.recordID
	}
	p := pr.pushPlan
	if p.err != nil || p.code != "" || p.pathBefore != nil || p.cands != nil || p.resolvedIDs != nil || p.baseMoves != nil || p.refreshOld != nil {
		return
	}
	it := p.item
	if it.RowID != pr.id || it.RecordID != pr.recordID || it.Matched || it.Reason != "" || it.Send != nil || it.Refresh != nil || it.Rebase != nil || it.Conflicts != nil || it.Held != nil {
		return
	}
	it.RowID, it.RecordID, it.RemoteModified = 0, "", time.Time{}
	if shared := lean.find(it); shared != nil {
		pr.remoteModified = p.item.RemoteModified
		pr.pushPlan, pr.lean = shared, true
	}
}

// packSends packs a record id and then a Send map in column order into
// one string: for each column its id, Before and After, each after its
// length as a uvarint. eachPacked reads the sends back as substrings of
// it, so a row keeps one allocation for both.
func packSends(recordID string, send map[string]merge.Change) string {
	// One walk of the map, into an array on the stack for the few sends
	// a row has, sorted there.
	type entry struct {
		col string
		ch  merge.Change
	}
	var buf [8]entry
	ents := buf[:0]
	size := len(recordID)
	for col, ch := range send {
		ents = append(ents, entry{col, ch})
		for _, f := range [3]string{col, ch.Before, ch.After} {
			size += uvarintLen(len(f)) + len(f)
		}
	}
	if len(ents) > 1 {
		slices.SortFunc(ents, func(a, b entry) int { return strings.Compare(a.col, b.col) })
	}
	// Sized exactly, as a Builder's String is its buffer, not a copy.
	var b strings.Builder
	b.Grow(size)
	b.WriteString(recordID)
	var n [binary.MaxVarintLen64]byte
	for _, e := range ents {
		for _, f := range [3]string{e.col, e.ch.Before, e.ch.After} {
			b.Write(binary.AppendUvarint(n[:0], uint64(len(f))))
			b.WriteString(f)
		}
	}
	return b.String()
}

// uvarintLen is the length of n as a uvarint.
func uvarintLen(n int) int {
	l := 1
	for ; n >= 0x80; n >>= 7 {
		l++
	}
	return l
}

// eachPacked calls fn for each send packed by packSends (after the record
// id), in column order.
func eachPacked(s string, fn func(col string, ch merge.Change)) {
	for s != "" {
		var f [3]string
		for i := range f {
			f[i], s = packedField(s)
		}
		fn(f[0], merge.Change{Before: f[1], After: f[2]})
	}
}

// countPacked is the number of sends packed in s.
func countPacked(s string) int {
	n := 0
	for s != "" {
		for range 3 {
			_, s = packedField(s)
		}
		n++
	}
	return n
}

// packedField reads one length-prefixed field of a packed string and
// returns it and the rest.
func packedField(s string) (field, rest string) {
	var n uint64
	var shift uint
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		n |= uint64(c&0x7f) << shift
		if c < 0x80 {
			i++
			break
		}
		shift += 7
	}
	end := i + int(n)
	return s[i:end], s[end:]
}

// eachSend calls fn for each entry of the row's item.Send, compacted or
// not.
func (pr *pushRow) eachSend(fn func(col string, ch merge.Change)) {
	if pr.item.Send != nil {
		for col, ch := range pr.item.Send {
			fn(col, ch)
		}
		return
	}
	eachPacked(pr.sends, fn)
}

// expand puts back the item's Send map of a compacted row (for Apply and
// the outcome).
func (pr *pushRow) expand() {
	if pr.item.Send != nil || pr.sends == "" {
		return
	}
	pr.item.Send = make(map[string]merge.Change, countPacked(pr.sends))
	eachPacked(pr.sends, func(col string, ch merge.Change) { pr.item.Send[col] = ch })
}

// unchanged reports whether the stored row cur still holds the cells the
// row had when it was planned: same last local edit and same cells (by
// print). A compacted row compares prints; any other, its cells.
func (pr *pushRow) unchanged(cur *sheets.Row) bool {
	if !pr.compacted {
		return cur.LocalEdited.Equal(pr.row.LocalEdited) && maps.Equal(cur.Cells, pr.row.Cells)
	}
	return editStamp(cur.LocalEdited) == pr.edited && cellsPrint(cur.Cells) == pr.print
}

// editStamp is a row's last local edit time in 8 bytes (a time.Time takes
// 24): nanoseconds since 1970, math.MinInt64 for none. Times read from the
// store are compared, so the instant is all that matters.
func editStamp(t time.Time) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	return t.UnixNano()
}

// printSeed seeds cellsPrint for the process (prints are never stored).
var printSeed = maphash.MakeSeed()

// cellsPrint is a 64-bit print of a row's cells, blank ones left out (the
// store keeps no blank cell), independent of map order: the sum of each
// column and value's hash. Two different sets of cells share a print with
// a chance of one in 2^64.
func cellsPrint(cells map[string]string) uint64 {
	var sum uint64
	var h maphash.Hash
	h.SetSeed(printSeed)
	for col, v := range cells {
		if v == "" {
			continue
		}
		h.Reset()
		h.WriteString(col)
		h.WriteByte(0)
		h.WriteString(v)
		sum += h.Sum64()
	}
	return sum
}
