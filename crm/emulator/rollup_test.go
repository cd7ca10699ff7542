package emulator

import (
	"testing"
	"time"
)

// TestRollupBumpsOnlySystemModstamp: changing an opportunity recomputes its
// account's roll-up summary, which moves the account's SystemModstamp and
// leaves LastModifiedDate as it was, as on Salesforce.
func TestRollupBumpsOnlySystemModstamp(t *testing.T) {
	clock := newTestClock()
	srv, err := New(Options{Seed: 1, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	acc, err := srv.Insert("Account", map[string]any{"Name": "Rollup Co"})
	if err != nil {
		t.Fatal(err)
	}
	opp, err := srv.Insert("Opportunity", map[string]any{"Name": "Deal", "AccountId": acc, "StageName": "Prospecting", "CloseDate": "2026-06-01", "Amount": 1000.0})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := srv.Get("Account", acc)
	if before[rollupField] != 1000.0 {
		t.Fatalf("roll-up after the first opportunity = %v, want 1000", before[rollupField])
	}
	clock.Advance(time.Hour)
	if err := srv.Update("Opportunity", opp, map[string]any{"Amount": 2500.5}); err != nil {
		t.Fatal(err)
	}
	after, _ := srv.Get("Account", acc)
	if after[rollupField] != 2500.5 {
		t.Errorf("roll-up = %v, want 2500.5", after[rollupField])
	}
	if after["LastModifiedDate"] != before["LastModifiedDate"] {
		t.Errorf("LastModifiedDate moved %v → %v: nobody edited the account", before["LastModifiedDate"], after["LastModifiedDate"])
	}
	if after["SystemModstamp"] == before["SystemModstamp"] || after["SystemModstamp"] != formatDateTime(clock.Now()) {
		t.Errorf("SystemModstamp %v → %v, want the recalculation time %s", before["SystemModstamp"], after["SystemModstamp"], formatDateTime(clock.Now()))
	}
	if err := srv.Delete("Opportunity", opp); err != nil {
		t.Fatal(err)
	}
	if got, _ := srv.Get("Account", acc); got[rollupField] != 0.0 {
		t.Errorf("roll-up after the opportunity's deletion = %v, want 0", got[rollupField])
	}
}
