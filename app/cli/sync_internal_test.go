package cli

import (
	"errors"
	"testing"

	"crmsheets/app"
	"crmsheets/sheets"
)

// Each sheet's error of sync --all goes beside its own run; a sheet that
// failed before a run was recorded gets an entry naming it; an error of
// one sheet's sync goes beside its run.
func TestRunSummariesPairErrorsWithRuns(t *testing.T) {
	a := &sheets.Run{ID: 1, SheetID: "a", SheetName: "A"}
	b := &sheets.Run{ID: 2, SheetID: "b", SheetName: "B"}
	err := errors.Join(
		&app.SheetSyncError{SheetID: "a", Sheet: "A", Err: errors.New("a broke")},
		&app.SheetSyncError{SheetID: "c", Sheet: "C", Err: errors.New("c refused")},
	)
	got := runSummaries([]*sheets.Run{a, b}, err)
	if len(got) != 3 || got[0].Run != a || got[0].Error != "a broke" || got[1].Run != b || got[1].Error != "" ||
		got[2].Run != nil || got[2].Sheet != "C" || got[2].Error != "c refused" {
		t.Fatalf("summaries %+v", got)
	}
	one := runSummaries([]*sheets.Run{a}, errors.New("push: failed"))
	if len(one) != 1 || one[0].Error != "push: failed" {
		t.Fatalf("one sheet's sync: %+v", one)
	}
	if none := runSummaries(nil, nil); none == nil || len(none) != 0 {
		t.Fatalf("no runs: %+v, want an empty list", none)
	}
}
