package merge

import (
	"maps"
	"reflect"
	"testing"

	"crmsheets/sheets"
)

// TestLentBasePlansAsACopy: a push lends a row's base as Salesforce's
// values when the record is unchanged since (the planner then reads each
// value once); the plan must be the one a copy of the base gives, for every
// direction, policy, blank rule and read-only flag, and base and sheet
// values that agree, differ, are blank, unknown or differ by a line ending.
func TestLentBasePlansAsACopy(t *testing.T) {
	values := []string{"", "x", "y", "x\r\n", UnknownBase}
	n := 0
	eachPlanner(t, func(dir sheets.Direction, policy sheets.Policy, blank sheets.BlankPolicy, p *Planner) {
		for _, b1 := range values {
			for _, s1 := range values[:4] {
				for _, b2 := range values[:3] {
					for _, s2 := range values[:3] {
						row := func() *sheets.Row {
							r := &sheets.Row{ID: 1, RecordID: recordID, State: sheets.StateModified, LocalEdited: later,
								Cells: map[string]string{}, Base: map[string]string{}}
							for col, v := range map[string]string{"c1": s1, "c2": s2, "c3": s2} {
								if v != "" {
									r.Cells[col] = v
								}
							}
							for col, v := range map[string]string{"c1": b1, "c2": b2, "c3": b1} {
								if v != "" {
									r.Base[col] = v
								}
							}
							return r
						}
						lentRow, copyRow := row(), row()
						lent := p.Plan(lentRow, &Remote{RecordID: recordID, Values: lentRow.Base, Modified: t0})
						copied := p.Plan(copyRow, &Remote{RecordID: recordID, Values: maps.Clone(copyRow.Base), Modified: t0})
						if !reflect.DeepEqual(lent, copied) {
							t.Errorf("%s %s %s base %q/%q sheet %q/%q: lent base plans %+v, a copy %+v", dir, policy, blank, b1, b2, s1, s2, lent, copied)
						}
						// A reused Send map, left dirty by an earlier row, plans the same.
						spare := map[string]Change{"c1": {Before: "old", After: "older"}, "zz": {}}
						reused := p.PlanReusing(row(), &Remote{RecordID: recordID, Values: maps.Clone(copyRow.Base), Modified: t0}, spare)
						if !reflect.DeepEqual(reused, copied) {
							t.Errorf("%s %s %s base %q/%q sheet %q/%q: with a spare map plans %+v, without %+v", dir, policy, blank, b1, b2, s1, s2, reused, copied)
						}
						n++
					}
				}
			}
		}
	})
	if n == 0 {
		t.Fatal("no case ran")
	}
}

// TestPlanReusingCreates: a create planned with a dirty spare Send map is
// the create Plan makes, and a row with nothing to create still has a nil
// Send.
func TestPlanReusingCreates(t *testing.T) {
	cols := []sheets.Column{{ID: "c1", Name: "c1", Field: "F1"}, {ID: "c2", Name: "c2", Field: "F2", ReadOnly: true}}
	for _, create := range []bool{true, false} {
		p, err := New(cols, Options{Direction: sheets.Push, CreateMissing: create})
		if err != nil {
			t.Fatal(err)
		}
		for _, cells := range []map[string]string{{"c1": "a"}, {"c2": "b"}, {}} {
			row := &sheets.Row{ID: 2, Cells: cells, State: sheets.StateNew}
			want := p.Plan(row, nil)
			got := p.PlanReusing(row, nil, map[string]Change{"c9": {After: "stale"}})
			if !reflect.DeepEqual(got, want) {
				t.Errorf("create=%v cells %v: with a spare map plans %+v, without %+v", create, cells, got, want)
			}
			if len(want.Send) == 0 && got.Send != nil {
				t.Errorf("create=%v cells %v: nothing sent, yet Send is %v", create, cells, got.Send)
			}
		}
	}
}

// eachPlanner calls fn with a planner for every direction, conflict policy
// and blank rule, over a sheet of a column mapped to F1, a read-only one
// mapped to F2 and a local-only one (c1, c2, c3), creating missing records.
func eachPlanner(t *testing.T, fn func(sheets.Direction, sheets.Policy, sheets.BlankPolicy, *Planner)) {
	t.Helper()
	policies := []sheets.Policy{sheets.PolicySalesforceWins, sheets.PolicySheetWins, sheets.PolicyMostRecent, sheets.PolicyReview}
	blanks := []sheets.BlankPolicy{sheets.BlankLeave, sheets.BlankClear, sheets.BlankFillEmpty}
	for _, dir := range []sheets.Direction{sheets.Pull, sheets.Push, sheets.Both} {
		for _, policy := range policies {
			for _, blank := range blanks {
				cols := []sheets.Column{
					{ID: "c1", Name: "c1", Field: "F1", Blank: blank},
					{ID: "c2", Name: "c2", Field: "F2", Blank: blank, ReadOnly: true},
					{ID: "c3", Name: "c3"}, // local only
				}
				p, err := New(cols, Options{Direction: dir, Policy: policy, CreateMissing: true})
				if err != nil {
					t.Fatal(err)
				}
				fn(dir, policy, blank, p)
			}
		}
	}
}
