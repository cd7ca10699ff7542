package merge

import (
	"errors"
	"reflect"
	"testing"

	"crmsheets/sheets"
)

// TestApplyOwnedAppliesAsApply: ApplyOwned builds the new base in the row's
// old base map; the row it leaves must be the one Apply leaves, for every
// direction, policy and blank rule, a remote that agrees, differs or is
// missing, base and sheet values that agree, differ or are blank, a base
// entry of a column no longer in the sheet, a row with no base, and a send
// that succeeded or failed.
func TestApplyOwnedAppliesAsApply(t *testing.T) {
	values := []string{"", "x", "y", UnknownBase}
	outcomes := []Outcome{{}, {Err: errors.New("refused")}}
	n, writes := 0, 0
	eachPlanner(t, func(dir sheets.Direction, policy sheets.Policy, blank sheets.BlankPolicy, p *Planner) {
		for _, b1 := range values {
			for _, s1 := range values[:3] {
				for _, r1 := range values[:3] {
					for _, noBase := range []bool{false, true} {
						row := func() *sheets.Row {
							r := &sheets.Row{ID: 1, RecordID: recordID, State: sheets.StateModified, LocalEdited: later,
								Cells: map[string]string{"c2": "z", "c3": "local"}, Base: map[string]string{"c2": "z", "c3": "old", "gone": "a removed column's"}}
							if s1 != "" {
								r.Cells["c1"] = s1
							}
							if b1 != "" {
								r.Base["c1"] = b1
							}
							if noBase {
								r.Base = nil
							}
							return r
						}
						remote := map[string]string{"c2": "z"}
						if r1 != "" {
							remote["c1"] = r1
						}
						it := p.Plan(row(), &Remote{RecordID: recordID, Values: remote, Modified: t0})
						if it.Writes() {
							writes++
						}
						for _, out := range outcomes {
							applied, owned := row(), row()
							p.Apply(applied, it, out)
							p.ApplyOwned(owned, it, out)
							if !reflect.DeepEqual(applied, owned) {
								t.Errorf("%s %s %s base %q sheet %q remote %q no base %v, err %v: Apply left %+v, ApplyOwned %+v",
									dir, policy, blank, b1, s1, r1, noBase, out.Err, applied, owned)
							}
							n++
						}
					}
				}
			}
		}
	})
	if n == 0 || writes == 0 {
		t.Fatalf("%d cases, %d that write: the test compares nothing", n, writes)
	}
}
