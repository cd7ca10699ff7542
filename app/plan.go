package app

import (
	"context"
	"fmt"
	"strings"

	"crmsheets/app/merge"
	"crmsheets/crm"
	"crmsheets/sheets"
)

// ProductionConfirmThreshold is the number of record writes above which a
// run against a production org is confirmed first: the app asks for the
// sheet's name to be typed, the CLI asks the same or wants --yes.
const ProductionConfirmThreshold = 500

// Writes is the number of records the run would create or update in
// Salesforce, what a production confirmation counts.
func (p *Plan) Writes() int { return p.Creates + p.Updates }

// MaxPlanChanges caps the per-cell diff a Plan lists; counts stay exact.
const MaxPlanChanges = 10000

// Plan is a dry run: what a sync would do, computed against Salesforce's
// current values without writing anything to the sheet or the org.
type Plan struct {
	SheetID   string           `json:"sheetId"`
	SheetName string           `json:"sheetName"`
	Object    string           `json:"object"`
	Direction sheets.Direction `json:"direction"`
	Policy    sheets.Policy    `json:"policy"`
	Full      bool             `json:"full"`

	New             int `json:"new"`       // records a pull would add as rows
	Pulled          int `json:"pulled"`    // records the pull read
	Creates         int `json:"creates"`   // records a push would create
	Updates         int `json:"updates"`   // records a push would update
	Refreshes       int `json:"refreshes"` // rows that would take values from Salesforce
	Unchanged       int `json:"unchanged"`
	Conflicts       int `json:"conflicts"` // rows with conflicts kept for review
	Settled         int `json:"settled"`   // conflicting fields the policy settles
	DeletedRemotely int `json:"deletedRemotely"`
	Skipped         int `json:"skipped"` // rows left out, or whose only edits are held (see Held)
	Invalid         int `json:"invalid"` // rows that would not be sent, see Problems
	// Held counts rows with edits the columns' blank cells option keeps
	// from being sent (a blanked cell under "Leave Salesforce as it is", a
	// value Salesforce already has under "Fill only where Salesforce is
	// blank"). Each is in Problems with op skip and a reason saying how to
	// send it, and its cells in Changes with op OpHeld.
	Held int `json:"held"`

	// Changes is the per-cell diff, at most MaxPlanChanges entries
	// (Truncated says when more exist).
	Changes   []CellChange `json:"changes"`
	Truncated bool         `json:"truncated"`
	// Unlisted counts the records a first pull would add beyond the ones
	// Changes names (see FirstPullListed): "and Unlisted more".
	Unlisted int `json:"unlisted,omitempty"`
	// Problems lists rows that would be refused or skipped, with reasons.
	Problems []RowProblemReport `json:"problems"`
	// Unmapped lists columns whose field no longer exists in the org.
	Unmapped []string `json:"unmapped"`

	// APICallsSpent is what computing the plan cost; APICalls is what the
	// run itself is expected to spend. APIRemaining and APILimit are the
	// org's daily figures; APIReserve is the part a run leaves untouched.
	APICallsSpent int `json:"apiCallsSpent"`
	APICalls      int `json:"apiCalls"`
	APIRemaining  int `json:"apiRemaining"`
	APILimit      int `json:"apiLimit"`
	APIReserve    int `json:"apiReserve"`
	// WouldPause: the run would stop at the reserve before finishing.
	WouldPause bool `json:"wouldPause"`
	// writeCalls is what sending the planned writes costs (see writeCalls).
	writeCalls int
	// readBackCalls is what reading the written records back costs.
	readBackCalls int

	// SafetyStop is the safety rail's refusal when the run would overwrite
	// too many records (run it with SyncOptions.Force after review); nil
	// otherwise. The plan's counts, diff and API calls are those of the
	// whole run either way: they are what the user reviews before forcing.
	SafetyStop *TooManyChangesError `json:"safetyStop"`
}

// OpHeld is the CellChange.Op of an edit the push keeps in the sheet but
// does not send (see Plan.Held): Target is "", Old is Salesforce's value,
// which stays, and New the cell's.
const OpHeld = "held"

// OpAdd is the op of a plan change for a record a pull would add to the
// sheet as a new row (New counts them; Changes lists them, one line each).
const OpAdd = "add"

// CellChange is one cell of the diff. Target says which side changes:
// "salesforce" (Old is Salesforce's value now, New what the push sends),
// "sheet" (Old is the cell, New Salesforce's value it takes) or "" when
// neither does (a conflict kept for review, an edit held).
type CellChange struct {
	RowID    sheets.RowID `json:"rowId"`
	RecordID string       `json:"recordId"`
	// Record names the record the way a person knows it: the key column's
	// value, else its Name (or first and last name), else the first
	// filled cell.
	Record   string `json:"record"`
	Op       string `json:"op"` // create, update, refresh, conflict, held (OpHeld), add (OpAdd)
	Target   string `json:"target"`
	ColumnID string `json:"columnId"`
	Column   string `json:"column"`
	Field    string `json:"field"`
	Old      string `json:"old"`
	New      string `json:"new"`
}

// RowProblemReport is a row a run would refuse or skip, and why.
type RowProblemReport struct {
	RowID    sheets.RowID `json:"rowId"`
	RecordID string       `json:"recordId"`
	Op       string       `json:"op"`
	Reason   string       `json:"reason"`
}

func newPlan(sh *sheets.Sheet, opt SyncOptions, b *binding) *Plan {
	return &Plan{SheetID: sh.ID, SheetName: sh.Name, Object: sh.Object, Direction: opt.Direction,
		Policy: opt.Policy, Full: opt.Full, Unmapped: b.missing}
}

func (p *Plan) addChange(c CellChange) {
	if p.full() {
		p.Truncated = true
		return
	}
	p.Changes = append(p.Changes, c)
}

func (p *Plan) addProblem(r *sheets.Row, op, reason string) {
	p.Problems = append(p.Problems, RowProblemReport{RowID: r.ID, RecordID: r.RecordID, Op: op, Reason: reason})
}

// full reports whether the plan lists MaxPlanChanges changes already.
func (p *Plan) full() bool { return len(p.Changes) >= MaxPlanChanges }

// addItem counts a merged row and lists its cell changes.
func (p *Plan) addItem(e *engine, r *sheets.Row, it *merge.Item) {
	switch it.Action {
	case merge.Unchanged:
		if len(it.Held) > 0 {
			p.Skipped++ // nothing would be sent: its edits are held
			break
		}
		p.Unchanged++
	case merge.Update:
		p.Updates++
	case merge.Refresh:
		p.Refreshes++
	case merge.Create:
		p.Creates++
	case merge.Conflict:
		p.Conflicts++
	case merge.DeletedRemotely:
		p.DeletedRemotely++
	case merge.Skip:
		p.Skipped++
		p.addProblem(r, sheets.OpSkip, it.Reason)
	}
	if it.Action != merge.Refresh && len(it.Refresh) > 0 {
		p.Refreshes++
	}
	p.Settled += len(it.Conflicts) - it.KeptConflicts()
	op := sheets.OpUpdate
	if it.Action == merge.Create {
		op = sheets.OpCreate
	}
	if p.full() {
		// Past the cap a plan only counts: the changes are not made to
		// be dropped (a 100k-row push lists 10k of them).
		p.Truncated = p.Truncated || len(it.Send) > 0 || len(it.Refresh) > 0 || it.KeptConflicts() > 0
	} else {
		it.EachSend(func(id string, ch merge.Change) {
			p.addChange(e.cellChange(r, it, id, op, "salesforce", ch.Before, ch.After))
		})
		it.EachRefresh(func(id, v string) {
			p.addChange(e.cellChange(r, it, id, sheets.OpRefresh, "sheet", r.Cells[id], v))
		})
		it.EachConflict(func(id string, c merge.FieldConflict) {
			if c.Kept() {
				p.addChange(e.cellChange(r, it, id, sheets.OpConflict, "", c.Sheet, c.Remote))
			}
		})
	}
	if msg, _ := e.heldReport(it); msg != "" {
		p.Held++
		p.addProblem(r, sheets.OpSkip, msg)
		if p.full() {
			p.Truncated = true
		} else {
			it.EachHeld(func(id string, h merge.Held) {
				p.addChange(e.cellChange(r, it, id, OpHeld, "", h.Remote, h.Sheet))
			})
		}
	}
}

func (e *engine) cellChange(r *sheets.Row, it *merge.Item, colID, op, target, old, nu string) CellChange {
	cc := CellChange{RowID: r.ID, RecordID: it.RecordID, Record: RecordName(e.sh, r.Cells), Op: op, Target: target, ColumnID: colID, Old: old, New: nu}
	if bc, ok := e.b.byCol[colID]; ok {
		cc.Column, cc.Field = bc.col.Name, bc.col.Field
	} else if col, ok := e.sh.Column(colID); ok {
		cc.Column = col.Name
	}
	return cc
}

// ChangeRecord names a change's record for a person: its name, else its
// Salesforce id, else "(new row)".
func ChangeRecord(c CellChange) string {
	switch {
	case c.Record != "":
		return c.Record
	case c.RecordID != "":
		return c.RecordID
	}
	return "(new row)"
}

// RecordName names a row the way a person knows its record: the key
// column's value, else the column mapped to Name (or First and Last Name),
// else the first filled cell. The plan, the Conflicts tab and History use
// it instead of record ids.
func RecordName(sh *sheets.Sheet, cells map[string]string) string {
	if v := strings.TrimSpace(cells[sh.KeyColumn]); sh.KeyColumn != "" && v != "" {
		return v
	}
	if c, ok := sh.ColumnByField("Name"); ok && strings.TrimSpace(cells[c.ID]) != "" {
		return cells[c.ID]
	}
	var parts []string
	for _, f := range []string{"FirstName", "LastName"} {
		if c, ok := sh.ColumnByField(f); ok && strings.TrimSpace(cells[c.ID]) != "" {
			parts = append(parts, strings.TrimSpace(cells[c.ID]))
		}
	}
	if len(parts) > 0 {
		return strings.Join(parts, " ")
	}
	for _, c := range sh.Columns {
		if v := strings.TrimSpace(cells[c.ID]); v != "" {
			return v
		}
	}
	return ""
}

// Plan computes a sync as a dry run: creates, updates, refreshes,
// unchanged rows, conflicts, invalid rows with reasons, a per-cell diff and
// the API calls the run would spend against the remaining daily limit. It
// reads from Salesforce (the queries a run would make) but writes nothing
// to the sheet, the org or the history.
func (s *Service) Plan(ctx context.Context, sheetID string, opt SyncOptions) (*Plan, error) {
	e, err := s.newEngine(ctx, sheetID, opt, true, nil)
	if err != nil {
		return nil, err
	}
	ctx = e.counted(ctx)
	p := e.dry
	dir := e.opt.Direction
	if n, err := s.store.RowCount(sheetID); err == nil && n == 0 && dir == sheets.Pull {
		// A first pull adds every record: one query page says how many
		// and names the first ones.
		if err := e.planFirstPull(ctx); err != nil {
			s.noteCallErr(err)
			return nil, err
		}
		dir = "" // nothing else to plan
	}
	if dir == sheets.Pull || dir == sheets.Both {
		if err := e.pull(ctx, dir == sheets.Both); err != nil {
			s.noteCallErr(err)
			return nil, err
		}
	}
	pullCalls := int(e.count.Calls())
	if dir == sheets.Push || dir == sheets.Both {
		if err := e.push(ctx); err != nil {
			s.noteCallErr(err)
			return nil, err
		}
	}
	p.APICallsSpent = int(e.count.Calls())
	// A run repeats the plan's reads and adds the writes.
	p.APICalls = p.APICallsSpent + p.writeCalls + p.readBackCalls
	if pullCalls == 0 && (dir == sheets.Pull || dir == sheets.Both) {
		p.APICalls++
	}
	if dir == "" { // first pull: the query's pages (the plan read the first)
		p.APICalls = max(1, ceilDiv(p.New, pullPageRows))
		if p.New > crm.DefaultBulkQueryThreshold && s.opt.BulkThreshold >= 0 {
			// The run reads the first REST page, sees the total and
			// switches to one Bulk API 2.0 job (see queryRecordsTotal).
			p.APICalls = 1 + bulkQueryCalls(p.New)
		}
	}
	if d := e.opt.Direction; d == sheets.Pull || d == sheets.Both {
		// Every pull refreshes the roll-up columns: one query per column
		// and batch of rows.
		if cols := rollupColumns(e.sh); len(cols) > 0 {
			n, _ := s.store.RowCount(sheetID)
			size, err := rollupBatchSize(ctx, e.c, e.sh.Object, cols)
			if err != nil {
				return nil, fmt.Errorf("plan %q: %w", e.sh.Name, err)
			}
			p.APICalls += len(cols) * max(1, ceilDiv(n+p.New, size))
		}
	}
	u := e.c.Usage()
	p.APIRemaining, p.APILimit = u.Remaining(), u.Max
	share := e.sh.Sync.APIReserve
	if share <= 0 {
		share = sheets.DefaultAPIReserve
	}
	p.APIReserve = int(share*float64(u.Max) + 0.999)
	p.WouldPause = u.Known() && p.APIRemaining-p.APICalls < p.APIReserve
	s.noteCallOK()
	return p, nil
}

func ceilDiv(a, b int) int {
	if a <= 0 {
		return 0
	}
	return (a + b - 1) / b
}

// FirstPullListed is how many of a first pull's records the plan lists by
// name; the rest are counted (Plan.Unlisted). The listed records come
// from the first page of the query that counts them, so listing costs no
// extra API call.
const FirstPullListed = 50

// planFirstPull plans the pull of an empty sheet with one query call: the
// first page's totalSize says how many records become new rows, and its
// first FirstPullListed records are listed by name (the iteration stops
// there, so no further page is fetched). Deleted records are left out, as
// the run leaves them out of an empty sheet.
func (e *engine) planFirstPull(ctx context.Context) error {
	b := crm.Select(e.b.selectFields()...).From(e.b.object)
	if e.sh.Filter != "" {
		b = b.WhereClause(e.sh.Filter)
	}
	q, err := b.Build()
	if err != nil {
		return fmt.Errorf("plan the pull of %q: %w", e.sh.Name, err)
	}
	n, listed := 0, 0
	for rec, err := range e.c.QueryWithTotal(ctx, q, func(t int) { n = t }) {
		if err != nil {
			return fmt.Errorf("plan the pull of %q: %w", e.sh.Name, err)
		}
		e.dry.addChange(CellChange{RecordID: rec.ID, Record: RecordName(e.sh, e.b.remoteCells(rec)), Op: OpAdd, Target: "sheet"})
		if listed++; listed == FirstPullListed {
			break
		}
	}
	e.dry.New, e.dry.Pulled = n, n
	e.dry.Unlisted = max(0, n-listed)
	return nil
}
