package cli

import (
	"bytes"
	"strings"
	"testing"

	"crmsheets/app"
)

// TestProductionConfirmation: a big production run goes ahead only when
// the sheet's name is typed on a terminal; a script is told to review the
// plan and pass --yes; small runs are never asked about. (The typed answer
// needs a terminal, so it is tested here with the command's real IO; the
// script's refusal and --yes run end to end in TestBigProductionPushNeedsYes.)
func TestProductionConfirmation(t *testing.T) {
	big := app.ProductionConfirmThreshold + 1
	tests := []struct {
		name        string
		interactive bool
		typed       string
		n           int
		wantErr     string
	}{
		{"small run, no question", false, "", app.ProductionConfirmThreshold, ""},
		{"typed the name", true, "Leads Q3\n", big, ""},
		{"typed another name", true, "leads\n", big, "not confirmed"},
		{"nothing typed", true, "", big, "not confirmed"},
		{"script without --yes", false, "Leads Q3\n", big, "--yes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errb bytes.Buffer
			e := &env{io: IO{In: strings.NewReader(tt.typed), Out: &bytes.Buffer{}, Err: &errb, Interactive: tt.interactive}}
			err := e.askProduction("Leads Q3", tt.n)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err %v, want one saying %q", err, tt.wantErr)
			}
			if tt.interactive && tt.n > app.ProductionConfirmThreshold && !strings.Contains(errb.String(), "PRODUCTION") {
				t.Errorf("the question does not say the org is production: %q", errb.String())
			}
		})
	}
}
