package merge

import (
	"bytes"
	"crmsheets/internal/golden"
	"fmt"
	"path/filepath"
	"testing"

	"crmsheets/sheets"
)

// TestEveryCombination plans one column for every combination of base,
// sheet and Salesforce values (equal, different, blank, never synced), every
// direction, policy (most-recent with either side newer), blank policy and
// read-only flag. Each case must keep the package's invariants, and the
// whole decision table is pinned in testdata/decisions.golden, so a change of
// behaviour shows up as a readable diff in review (go test -update rewrites
// it).
func TestEveryCombination(t *testing.T) {
	bases := []string{unknown, "", "x"}
	values := []string{"", "x", "y", "z"}
	type pol struct {
		policy     sheets.Policy
		sheetNewer bool
		label      string
	}
	policies := []pol{
		{sheets.PolicySalesforceWins, false, "salesforce-wins"},
		{sheets.PolicySheetWins, false, "sheet-wins"},
		{sheets.PolicyMostRecent, false, "most-recent(sf newer)"},
		{sheets.PolicyMostRecent, true, "most-recent(sheet newer)"},
		{sheets.PolicyReview, false, "review"},
	}
	blanks := []sheets.BlankPolicy{sheets.BlankLeave, sheets.BlankClear, sheets.BlankFillEmpty}
	var golden bytes.Buffer
	golden.WriteString("# direction policy blank read-only | base sheet remote -> outcome   (? = never synced)\n")
	for _, dir := range []sheets.Direction{sheets.Pull, sheets.Push, sheets.Both} {
		for _, pl := range policies {
			for _, blank := range blanks {
				for _, ro := range []bool{false, true} {
					for _, b := range bases {
						for _, s := range values[:3] {
							for _, r := range values {
								sc := oneColumn(dir, pl.policy, blank, ro, b, s, r, pl.sheetNewer)
								name := fmt.Sprintf("%s %s blank=%q ro=%v | %q %q %q", dir, pl.label, blank, ro, b, s, r)
								p, err := New(sc.cols, sc.opts)
								if err != nil {
									t.Fatal(err)
								}
								it := p.Plan(sc.row, sc.remote)
								if !ro {
									fmt.Fprintf(&golden, "%-4s %-24s %-10s | %-3q %-3q %-3q -> %s\n",
										dir, pl.label, blankName(blank), b, s, r, columnOutcome(it, "c"))
								}
								if t.Failed() {
									continue // keep the output of the first failures readable
								}
								t.Run(name, func(t *testing.T) { checkInvariants(t, sc) })
							}
						}
					}
				}
			}
		}
	}
	compareGolden(t, "decisions.golden", golden.Bytes())
}

func blankName(b sheets.BlankPolicy) string {
	if b == "" {
		return "leave"
	}
	return string(b)
}

// compareGolden compares got with testdata/name, or rewrites it with -update.
func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got)
}
