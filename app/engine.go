package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"time"

	"crmsheets/app/merge"
	"crmsheets/crm"
	"crmsheets/sheets"
	"crmsheets/sheets/store"
)

// Batch sizes of the engine.
const (
	// pullPageRows is how many pulled records are written per store
	// transaction (one Salesforce query page).
	pullPageRows = 2000
	// pushChunkRows is how many rows a push reads, plans, sends and writes
	// back per round: one sObject Collections call and one transaction.
	pushChunkRows = crm.CollectionBatchSize
	// inQueryValues caps the values of one `IN (…)` query.
	inQueryValues = 200
	// inQueryBytes caps the literal text of one `IN (…)` list, so the
	// encoded query stays well under Salesforce's 16 KB URI limit whatever
	// the values (long e-mails and names, escaped characters).
	inQueryBytes = 8000
	// safetyMinRows: the safety rail ignores runs touching this few records.
	safetyMinRows = 10
)

// bulkPlanRows is how many rows a push through Bulk API 2.0 reads and
// plans at a time; every row still goes in one job per operation (crm
// splits only beyond Salesforce's upload size), sent once all are planned.
// A variable so tests can make rounds of a few rows.
var bulkPlanRows = 5000

// engine is one run (or one dry run) over one sheet.
type engine struct {
	// lean holds the plans a push's lean rows share (see pushRow).
	lean leanPlans
	// spool holds a real Bulk push's lean updates from planning to
	// write-back (nil otherwise; see pushSpool).
	spool *pushSpool
	// writeBackPlan and writeBackOuts are the write-back's scratch: the
	// plan a lean row is given while its outcome is written, and the
	// outcomes of one transaction.
	writeBackPlan pushPlan
	writeBackOuts []sheets.RecordOutcome
	s             *Service
	c             *crm.Client
	sh            *sheets.Sheet
	b             *binding
	opt           SyncOptions
	pl            *merge.Planner // the run's direction: push and both use it for the push phase
	// pullPl merges in the pull phase (direction pull): in a both-ways run
	// the pull never sends, so a sheet-wins field must stay modified for
	// the push phase instead of being rebased as if it had been sent.
	pullPl *merge.Planner
	dry    *Plan       // non-nil for a dry run: nothing is written or sent
	run    *sheets.Run // nil for a dry run
	prog   func(Progress)

	// count counts the run's own calls and waits (see counted).
	count   crm.CallCount
	paused  string // why the run paused (budget, limit); "" when not
	choices relationshipChoices
	// allowDup are the rows the user chose to create although a duplicate
	// rule matched them (duplicates.go); loaded by the first create.
	allowDup      map[sheets.RowID]bool
	allowDupDirty bool
	now           time.Time
	// conflictRows are the rows already counted and recorded as conflicts
	// in this run: a both-ways run meets them in both phases.
	conflictRows map[sheets.RowID]bool
	// newKeys maps the normalized key of each row without a record id seen
	// by this push to that row, so two rows with one key never create two
	// records.
	newKeys map[string]sheets.RowID
	// claimed maps records a push matched by key to the row that takes
	// them, so two rows never hold one record.
	claimed map[string]sheets.RowID
	// snaps are the rows read and not yet written back (see remember).
	snaps map[sheets.RowID]rowSnap
	// inflight are updates sent by a run that may not have written them
	// back (see inflight.go).
	inflight                     inflightUpdates
	inflightDirty, inflightSaved bool
	// inflightFile is the spool file the sheet's in-flight setting names
	// (see pushSpool; "" when none); madeSpool tells that this run made
	// one. A spool file is removed once no saved setting names it.
	inflightFile string
	madeSpool    bool
	// inflightTaken are the entries whose values moved bases in memory
	// only (see inflightMoves): put back at the end of a run stopped
	// before those bases were stored, so the next run moves them again.
	inflightTaken inflightUpdates
	// heldRows counts rows whose edits the blank cells option kept from
	// being sent; heldFirst is the first one's explanation (see held.go).
	heldRows  int
	heldFirst string
	// keyPrefixes maps key prefixes to object names (describeGlobal), read
	// when a push sends direct reference columns (see referenceProblems).
	keyPrefixes map[string]string
	// seen collects the record ids a pull read when the sheet's last sync
	// is older than Salesforce's recycle bin keeps deleted records (see
	// stale.go); nil otherwise.
	seen map[string]bool
	// staleDays is how old the last sync was when that happened, and
	// staleDeleted how many rows the check found deleted.
	staleDays, staleDeleted int
	// org is the connected org the run talks to (see orgbinding.go).
	org OrgBinding
	// rebindMatched and rebindUnmatched count a re-bind's rows found and
	// not found by key in the new org.
	rebindMatched, rebindUnmatched int
	// fresh is what the push's changed-since query found (fresh.go).
	fresh freshness
	// written are the records this push wrote (18-character ids), read
	// back at its end; readingBack is set meanwhile (nothing is counted
	// as pulled).
	written     map[string]bool
	readingBack bool
	// plannedWrites counts the records a plan would write (for the
	// read-back's estimate).
	plannedWrites int
	// leanReadBackMemo caches leanReadBack (the binding does not change
	// during a run, and a plan asks for every row): 0 not yet worked
	// out, 1 false, 2 true.
	leanReadBackMemo uint8
	// fieldSets caches pushFields by the columns a row sends.
	fieldSets map[string]pushFieldSet
	// sendStart is when the push's first write went out (the read-back's
	// window when the sheet has no fresh mark).
	sendStart time.Time
}

func (s *Service) newEngine(ctx context.Context, sheetID string, opt SyncOptions, dry bool, prog func(Progress)) (*engine, error) {
	c, err := s.client()
	if err != nil {
		return nil, err
	}
	sh, err := s.Sheet(sheetID)
	if err != nil {
		return nil, err
	}
	opt = opt.resolve(sh)
	var org OrgBinding
	if opt.rebind {
		org, err = s.ConnectedOrg()
	} else {
		org, _, err = s.checkSheetOrg(sh)
	}
	if err != nil {
		return nil, err
	}
	b, err := bind(ctx, c, sh)
	if err != nil {
		s.noteCallErr(err)
		return nil, err
	}
	pl, err := merge.New(sh.Columns, merge.Options{Direction: opt.Direction, Policy: opt.Policy, CreateMissing: sh.Sync.CreateMissing})
	if err != nil {
		return nil, fmt.Errorf("sync %q: %w", sh.Name, err)
	}
	pullPl, err := merge.New(sh.Columns, merge.Options{Direction: sheets.Pull, Policy: opt.Policy, CreateMissing: sh.Sync.CreateMissing})
	if err != nil {
		return nil, fmt.Errorf("sync %q: %w", sh.Name, err)
	}
	ch, err := s.loadChoices(sheetID)
	if err != nil {
		return nil, err
	}
	if prog == nil {
		prog = func(Progress) {}
	}
	e := &engine{s: s, c: c, sh: sh, b: b, opt: opt, pl: pl, pullPl: pullPl, prog: prog, choices: ch, now: s.now(), conflictRows: map[sheets.RowID]bool{}, newKeys: map[string]sheets.RowID{}, claimed: map[string]sheets.RowID{}, snaps: map[sheets.RowID]rowSnap{}, org: org, written: map[string]bool{}}
	if dry {
		e.dry = newPlan(sh, opt, b)
	}
	if e.inflight, e.inflightFile, err = s.loadInflight(sheetID); err != nil {
		return nil, err
	}
	return e, nil
}

// begin records the run as running, before any call that changes data.
func (e *engine) begin(revertOf uint64) error {
	e.run = &sheets.Run{
		SheetID: e.sh.ID, SheetName: e.sh.Name, Object: e.sh.Object,
		Direction: e.opt.Direction, Policy: e.opt.Policy, Trigger: e.opt.Trigger,
		Started: e.now, Status: sheets.RunRunning, RevertOf: revertOf, OrgID: e.org.OrgID,
	}
	if !e.opt.rebind {
		if err := e.bindOnFirstRun(); err != nil {
			return err
		}
	}
	if err := e.s.store.CreateRun(e.run); err != nil {
		return fmt.Errorf("record the run of %q: %w", e.sh.Name, err)
	}
	return nil
}

// counted is ctx counting the run's calls and waits in e.count: each of
// the run's calls goes through it, so a run beside another on the same
// client (a scheduled sync and one the user started) counts its own
// calls only.
func (e *engine) counted(ctx context.Context) context.Context {
	return crm.WithCallCount(ctx, &e.count)
}

// account fills the run's API figures from its count and the client's
// usage.
func (e *engine) account() {
	if e.run == nil {
		return
	}
	e.run.APICalls = int(e.count.Calls())
	e.run.SalesforceTime = e.count.Waited()
	u := e.c.Usage()
	e.run.APIUsed, e.run.APILimit = u.Used, u.Max
}

// finish records how the run ended: cancelled when ctx ended, failed on an
// error that stopped it, partial when some records failed or the budget
// paused it, succeeded otherwise. It returns the run and the error to hand
// the caller (nil for cancelled and paused runs: they are outcomes, not
// failures of the call).
func (e *engine) finish(ctx context.Context, runErr error) (*sheets.Run, error) {
	r := e.run
	r.Ended = e.s.now()
	e.account()
	switch {
	case ctx.Err() != nil && (runErr == nil || errors.Is(runErr, ctx.Err())):
		r.Status = sheets.RunCancelled
		r.Message = "cancelled; what was done before is recorded"
		runErr = nil
	case runErr != nil && crm.IsLimitExceeded(runErr):
		r.Status = sheets.RunPartial
		r.Message = "stopped: the org's daily API limit is used up (REQUEST_LIMIT_EXCEEDED); the next run resumes"
		runErr = nil
	case runErr != nil:
		r.Status = sheets.RunFailed
		r.Message = crm.RedactSecrets(runErr.Error())
	case e.paused != "":
		r.Status = sheets.RunPartial
		r.Message = e.paused
	case r.Counts.Unconfirmed > 0:
		r.Status = sheets.RunPartial
		r.Message = fmt.Sprintf("%d row(s) were sent but Salesforce's answer was lost, so they are not confirmed; the next run reconciles them by key before sending anything (no duplicates)", r.Counts.Unconfirmed)
	case r.Counts.Failed > 0 || r.Counts.Invalid > 0:
		r.Status = sheets.RunPartial
	default:
		r.Status = sheets.RunSucceeded
	}
	if m := e.staleMessage(); m != "" && r.Message == "" {
		r.Message = m
	}
	if m := e.heldRunMessage(); m != "" && r.Message == "" {
		r.Message = m
	}
	if r.Counts.Skipped > 0 && r.Message == "" {
		r.Message = fmt.Sprintf("left out %d row(s) not found in Salesforce (Create missing is off) or with nothing to send; each says why", r.Counts.Skipped)
	}
	if len(e.b.missing) > 0 && r.Message == "" {
		r.Message = fmt.Sprintf("skipped %d unmapped column(s): %s", len(e.b.missing), e.b.missing[0])
	}
	if runErr == nil && r.Status != sheets.RunCancelled {
		e.s.noteCallOK()
	}
	if r.Status != sheets.RunSucceeded {
		e.restoreTakenInflight()
	}
	if err := e.flushInflight(); err != nil {
		runErr = errors.Join(runErr, err)
	}
	if err := e.s.store.UpdateRun(r); err != nil {
		return r, errors.Join(runErr, fmt.Errorf("record the end of run %d: %w", r.ID, err))
	}
	e.s.log.Info("run ended", "run", r.ID, "sheet", r.SheetName, "status", r.Status, "calls", r.APICalls)
	return r, runErr
}

// budgetAllows reports whether `calls` more API calls leave the org's
// reserve untouched; when not, it records why the run pauses. With usage
// unknown (no call made yet) it allows.
func (e *engine) budgetAllows(calls int) bool {
	u := e.c.Usage()
	if !u.Known() || e.count.Calls() == 0 {
		return true // no figure from this run yet: its first call brings a fresh one
	}
	share := e.sh.Sync.APIReserve
	if share <= 0 {
		share = sheets.DefaultAPIReserve
	}
	reserve := int(math.Ceil(share * float64(u.Max)))
	if u.Remaining()-calls >= reserve {
		return true
	}
	if e.paused == "" {
		e.paused = fmt.Sprintf("paused: %d of the org's %d daily API calls left, below the reserve of %d; the next run resumes where this one stopped",
			u.Remaining(), u.Max, reserve)
	}
	return false
}

// commit writes one batch's rows, outcomes and the run's counts in one
// store transaction, so a crash never separates a record's id from the row
// or the row from its history.
func (e *engine) commit(insert, update []*sheets.Row, outs []sheets.RecordOutcome, sheetDef *sheets.Sheet) error {
	if e.dry != nil {
		return nil
	}
	e.account()
	err := e.s.store.Batch(func(tx *store.Tx) error {
		if len(insert) > 0 {
			if err := tx.InsertRows(e.sh.ID, insert); err != nil {
				return err
			}
		}
		if len(update) > 0 {
			rows, err := e.keepConcurrentEdits(tx, update)
			if err != nil {
				return err
			}
			if err := tx.UpdateRows(e.sh.ID, rows); err != nil {
				return err
			}
		}
		if len(outs) > 0 {
			if err := tx.AddOutcomes(e.run.ID, outs); err != nil {
				return err
			}
		}
		if sheetDef != nil {
			if err := tx.SaveSheet(sheetDef); err != nil {
				return err
			}
		}
		return tx.UpdateRun(e.run)
	})
	if err != nil {
		return fmt.Errorf("write %d new and %d changed rows of %q: %w", len(insert), len(update), e.sh.Name, err)
	}
	return nil
}

// rowSnap is a row's cells as the engine read them.
type rowSnap struct {
	cells  map[string]string
	edited time.Time
}

// remember notes the cells of a row the engine read, so that its write-back
// can tell edits the user made in the meantime (the grid stays editable
// during a sync).
func (e *engine) remember(rows ...*sheets.Row) {
	for _, r := range rows {
		e.snaps[r.ID] = rowSnap{cells: maps.Clone(r.Cells), edited: r.LocalEdited}
	}
}

// readRows reads rows by id, skipping rows deleted since the engine listed
// them, and remembers what it read.
func (e *engine) readRows(ids []sheets.RowID) ([]*sheets.Row, error) {
	rows, err := e.readPushRows(ids)
	if err != nil {
		return nil, err
	}
	e.remember(rows...)
	return rows, nil
}

// readPushRows reads rows by id, skipping rows deleted since the engine
// listed them. Unlike readRows it keeps no snapshot: a Bulk push's
// write-back compares the stored row with the plan's print instead.
func (e *engine) readPushRows(ids []sheets.RowID) ([]*sheets.Row, error) {
	rows, err := e.s.store.RowsByID(e.sh.ID, ids)
	if !errors.Is(err, ErrNotFound) {
		if err != nil {
			return nil, fmt.Errorf("read rows of %q: %w", e.sh.Name, err)
		}
		return rows, nil
	}
	rows = rows[:0]
	for _, id := range ids {
		r, err := e.s.store.Row(e.sh.ID, id)
		if errors.Is(err, ErrNotFound) {
			continue // deleted from the sheet meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("read row %d of %q: %w", id, e.sh.Name, err)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// keepConcurrentEdits runs inside the write-back transaction: rows deleted
// from the sheet since they were read are dropped, and cells the user
// edited since are kept (the row then stays modified, so the edit goes out
// with the next push) instead of being overwritten by the engine's copy.
func (e *engine) keepConcurrentEdits(tx *store.Tx, rows []*sheets.Row) ([]*sheets.Row, error) {
	out := make([]*sheets.Row, 0, len(rows))
	for _, r := range rows {
		snap, ok := e.snaps[r.ID]
		if !ok {
			out = append(out, r)
			continue
		}
		cur, err := tx.Row(e.sh.ID, r.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if cur.LocalEdited.Equal(snap.edited) && maps.Equal(cur.Cells, snap.cells) {
			out = append(out, r)
			continue
		}
		m := r.Clone()
		if m.Cells == nil {
			m.Cells = map[string]string{}
		}
		for c := range mapsUnion(cur.Cells, snap.cells) {
			if cur.Cells[c] != snap.cells[c] {
				setCell(m.Cells, c, cur.Cells[c])
			}
		}
		m.LocalEdited = cur.LocalEdited
		if m.State == sheets.StateSynced || m.State == sheets.StateError {
			m.State = sheets.StateModified
		}
		m.Touch()
		out = append(out, m)
	}
	return out, nil
}

func mapsUnion(a, b map[string]string) map[string]bool {
	out := make(map[string]bool, len(a)+len(b))
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// outcome starts a history entry for a row.
func (e *engine) outcome(r *sheets.Row, recordID, op string) sheets.RecordOutcome {
	o := sheets.RecordOutcome{Op: op, RecordID: recordID}
	if e.run != nil {
		o.RunID = e.run.ID
	}
	if r != nil {
		o.RowID = r.ID
		if o.RecordID == "" {
			o.RecordID = r.RecordID
		}
	}
	return o
}

// parseSalesforceTime reads LastModifiedDate ("2024-05-01T10:00:00.000+0000").
func parseSalesforceTime(v any) time.Time {
	s, _ := v.(string)
	// Bulk API 2.0 answers in RFC 3339 ("…Z"): its parser is Go's fast
	// path, and trying the REST layout first cost a failed parse (and its
	// error) per record of a Bulk pull.
	if n := len(s); n > 6 && (s[n-1] == 'Z' || s[n-3] == ':') {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t.UTC()
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.000-0700", time.RFC3339Nano, "2006-01-02T15:04:05-0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// normID returns the 18-character form of a record id (or the input when it
// is not an id), so 15- and 18-char ids compare equal.
func normID(id string) string {
	if id18, err := crm.To18(id); err == nil {
		return id18
	}
	return id
}

// conflictOutcome returns the history entry of a row with conflicts kept
// for review, once per row and run; ok is false when the row was already
// recorded.
func (e *engine) conflictOutcome(r *sheets.Row, it *merge.Item) (sheets.RecordOutcome, bool) {
	kept := it.KeptConflicts()
	if kept == 0 || e.conflictRows[r.ID] {
		return sheets.RecordOutcome{}, false
	}
	e.conflictRows[r.ID] = true
	if e.run != nil {
		e.run.Counts.Conflicts++
	}
	o := e.outcome(r, it.RecordID, sheets.OpConflict)
	o.Message = fmt.Sprintf("%d field(s) changed in both the sheet and Salesforce; settle them in Conflicts", kept)
	o.Fields = e.fieldNames(it.ConflictColumns())
	return o, true
}

// inBatches splits values for `IN (…)` queries: at most inQueryValues per
// batch and about inQueryBytes of quoted literals.
func inBatches(values []string) [][]string {
	var out [][]string
	start, size := 0, 0
	for i, v := range values {
		n := len(crm.Quote(v)) + 2
		if i > start && (i-start == inQueryValues || size+n > inQueryBytes) {
			out = append(out, values[start:i])
			start, size = i, 0
		}
		size += n
	}
	if start < len(values) {
		out = append(out, values[start:])
	}
	return out
}
