package ui

import (
	"fmt"
	"slices"
	"strings"

	"crmsheets/app"
	"crmsheets/ui/uiloop"
)

// changeHeaders are the plan table's column titles.
var changeHeaders = []string{"Operation", "Record", "Column", "Now", "After the run"}

// changeCells is one plan change as the table shows it: the record named,
// a new row from a pull said as such.
func changeCells(c app.CellChange) []string {
	if c.Op == app.OpAdd {
		return []string{"add row", app.ChangeRecord(c), "", "", "new row from Salesforce"}
	}
	return []string{c.Op, app.ChangeRecord(c), c.Column, c.Old, c.New}
}

// sortChanges sorts the plan table by a column (again: the other way).
func (s *syncScreen) sortChanges(col int) {
	if s.sortCol == col {
		s.sortDesc = !s.sortDesc
	} else {
		s.sortCol, s.sortDesc = col, false
	}
	s.applySort()
	s.changes.Refresh()
}

// applySort orders the rows by the chosen column, stably.
func (s *syncScreen) applySort() {
	if s.sortCol < 0 {
		return
	}
	col, desc := s.sortCol, s.sortDesc
	slices.SortStableFunc(s.rows, func(a, b app.CellChange) int {
		c := strings.Compare(strings.ToLower(changeCells(a)[col]), strings.ToLower(changeCells(b)[col]))
		if desc {
			return -c
		}
		return c
	})
}

// doPlan runs a dry run and shows what a run would do and cost.
func (s *syncScreen) doPlan() {
	sh := s.mw.sheet
	if sh == nil {
		return
	}
	s.plan.SetText("Planning…")
	s.planBtn.Disable()
	opt := s.options()
	s.mw.goBackground(func() {
		p, err := s.mw.svc.Plan(s.mw.ctx, sh.ID, opt)
		uiloop.Do(func() {
			s.planBtn.Enable()
			if err != nil {
				s.plan.SetText("Plan failed: " + err.Error())
				s.offerRebind(err)
				return
			}
			s.plan.SetText(planSummary(p))
			s.rows = slices.Clone(p.Changes)
			s.applySort()
			s.changes.Refresh()
			s.mw.conn.usageChanged()
		})
	})
}

// planSummary is the Plan in a few lines a user reads before pressing Run.
func planSummary(p *app.Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s of %q (%s, conflicts: %s)\n", strings.ToUpper(string(p.Direction[:1]))+string(p.Direction[1:]), p.SheetName, p.Object, p.Policy)
	newRows := fmt.Sprintf("%d new rows", p.New)
	if p.Unlisted > 0 { // said early: the summary shows its first lines
		newRows += fmt.Sprintf(" (the first %d listed below; %d more would be added too)", len(p.Changes), p.Unlisted)
	}
	fmt.Fprintf(&b, "Pull: %d read, %s, %d rows refreshed.  Push: %d creates, %d updates.  %d unchanged, %d conflicts (%d settled by the policy), %d deleted in Salesforce, %d invalid.\n",
		p.Pulled, newRows, p.Refreshes, p.Creates, p.Updates, p.Unchanged, p.Conflicts, p.Settled, p.DeletedRemotely, p.Invalid)
	fmt.Fprintf(&b, "API calls: about %d (planning spent %d); %d of %d left today, %d kept in reserve.", p.APICalls, p.APICallsSpent, p.APIRemaining, p.APILimit, p.APIReserve)
	if p.WouldPause {
		b.WriteString("\n⚠ The run would reach the API reserve and pause before finishing.")
	}
	if p.SafetyStop != nil {
		fmt.Fprintf(&b, "\n⚠ %v", p.SafetyStop)
	}
	if len(p.Unmapped) > 0 {
		fmt.Fprintf(&b, "\nNot synced (unmapped columns): %s", strings.Join(p.Unmapped, ", "))
	}
	for i, pr := range p.Problems {
		if i == 5 {
			fmt.Fprintf(&b, "\n… and %d more invalid rows", len(p.Problems)-5)
			break
		}
		fmt.Fprintf(&b, "\nInvalid: %s %s — %s", pr.Op, pr.RecordID, pr.Reason)
	}
	if p.Truncated {
		fmt.Fprintf(&b, "\n(the list below shows the first %d changes)", len(p.Changes))
	}
	return b.String()
}

// changesOf is the number of record writes a plan would make.
func changesOf(p *app.Plan) int { return p.Writes() }
