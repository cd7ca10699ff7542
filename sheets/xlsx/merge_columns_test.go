package xlsx

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPlanMergeReportsColumnPairs pins MergePlan.Columns: the preview shows
// which file column lands in which sheet column, so it must be filled.
func TestPlanMergeReportsColumnPairs(t *testing.T) {
	s, rows := leadSheet()
	p, err := PlanMerge(s, seq(rows), fileTable([]string{"Acme", "acme.com", "12", "Hot", "", "555"}), MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range p.Columns {
		got[c.Name] = c.ColumnID
	}
	want := map[string]string{"company": "c1", "WEBSITE": "c2", "Number of Employees": "c3", "Rating": "c4"}
	for name, id := range want {
		if got[name] != id {
			t.Errorf("file column %q paired with %q, want %q (all: %v)", name, got[name], id, cmp.Diff(want, got))
		}
	}
	if len(p.UnmatchedColumns) == 0 {
		t.Error("Fax should be unmatched")
	}
}
