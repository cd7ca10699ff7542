package cli

import (
	"testing"

	"crmsheets/sheets"
)

// A conflict kept for review or a row left out is listed for what it is,
// never as "failed".
func TestOutcomeStatusWords(t *testing.T) {
	for _, tc := range []struct {
		o    sheets.RecordOutcome
		want string
	}{
		{sheets.RecordOutcome{Op: sheets.OpUpdate, OK: true}, "ok"},
		{sheets.RecordOutcome{Op: sheets.OpConflict}, "conflict (kept for review)"},
		{sheets.RecordOutcome{Op: sheets.OpSkip}, "skipped"},
		{sheets.RecordOutcome{Op: sheets.OpSkip, StatusCode: "NOT_FOUND_BY_KEY"}, "NOT_FOUND_BY_KEY"},
		{sheets.RecordOutcome{Op: sheets.OpUpdate, StatusCode: "UNABLE_TO_LOCK_ROW"}, "UNABLE_TO_LOCK_ROW"},
		{sheets.RecordOutcome{Op: sheets.OpUpdate}, "failed"},
	} {
		if got := outcomeStatus(tc.o); got != tc.want {
			t.Errorf("outcomeStatus(%+v) = %q, want %q", tc.o, got, tc.want)
		}
	}
}
