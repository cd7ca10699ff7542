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
	policies := []sheets.Policy{sheets.PolicySalesforceWins, sheets.PolicySheetWins, sheets.PolicyMostRecent, sheets.PolicyReview}
	blanks := []sheets.BlankPolicy{sheets.BlankLeave, sheets.BlankClear, sheets.BlankFillEmpty}
	outcomes := []Outcome{{}, {Err: errors.New("refused")}}
	n, writes := 0, 0
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
			}
		}
	}
	if n == 0 || writes == 0 {
		t.Fatalf("%d cases, %d that write: the test compares nothing", n, writes)
	}
}
