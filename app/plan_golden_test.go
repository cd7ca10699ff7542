package app

import (
	"crmsheets/internal/golden"
	"encoding/json"
	"path/filepath"
	"testing"

	"crmsheets/sheets"
)

// TestPlanGolden pins the dry run of a realistic both-ways sync (local
// edits, changes in Salesforce, a conflict, a new row, an invalid row, a
// remote deletion) as JSON: counts, the per-cell diff, problems and the
// API call estimate. Run with -update after an intended change.
func TestPlanGolden(t *testing.T) {
	for _, policy := range []sheets.Policy{sheets.PolicyReview, sheets.PolicySheetWins} {
		t.Run(string(policy), func(t *testing.T) {
			env := newTestEnv(t)
			ids := env.seedContacts(6)
			sh := env.contactSheet(true)
			env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
			title, last, email, first := col(t, sh, "Title"), col(t, sh, "Last"), col(t, sh, "Email"), col(t, sh, "First")
			env.edit(sh.ID, env.rowByRecord(sh.ID, ids[0]).ID, title, "Head of Sales")          // sheet only
			env.org.Update("Contact", ids[1], map[string]any{"Title": "Changed in Salesforce"}) // Salesforce only
			env.edit(sh.ID, env.rowByRecord(sh.ID, ids[2]).ID, title, "Sheet says")             // both: conflict
			env.org.Update("Contact", ids[2], map[string]any{"Title": "Salesforce says"})       //
			env.edit(sh.ID, env.rowByRecord(sh.ID, ids[3]).ID, last, "")                        // required field blanked: leave policy, not sent
			env.edit(sh.ID, env.rowByRecord(sh.ID, ids[4]).ID, first, "Renamed")                // sheet only
			if err := env.org.Delete("Contact", ids[5]); err != nil {                           // deleted remotely
				t.Fatal(err)
			}
			if _, err := env.svc.AddRows(sh.ID, 0, []map[string]string{
				{last: "Newman", email: "newman@example.com", title: "Postman"}, // created
				{email: "nolast@example.com", title: "No last name"},            // invalid: LastName required
			}); err != nil {
				t.Fatal(err)
			}
			p, err := env.svc.Plan(env.ctx, sh.ID, SyncOptions{Direction: sheets.Both, Policy: policy})
			if err != nil {
				t.Fatal(err)
			}
			p.APIRemaining, p.APILimit, p.APIReserve = 0, 0, 0 // the org's running totals, not the plan's
			got, err := json.MarshalIndent(p, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden.Check(t, filepath.Join("testdata", "plan", "both-"+string(policy)+".golden.json"), got)
		})
	}
}
