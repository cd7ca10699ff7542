package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"crmsheets/crm"
	"crmsheets/crm/emulator"
	"crmsheets/sheets"
)

// Creates whose answers are lost are not success: the run is partial, the
// rows stay create-pending with an outcome each, and the next runs settle
// them by key without creating any twice.
func TestUnconfirmedCreatesMakeThePushPartial(t *testing.T) {
	retry := crm.RetryPolicy{MaxAttempts: 12, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxElapsed: 10 * time.Second}
	env := newTestEnv(t, withServiceOptions(func(o *Options) { o.Retry = &retry; o.PushBatchSize = 20 }))
	sh := env.contactSheet(true)
	email, last := col(t, sh, "Email"), col(t, sh, "Last")
	var add []map[string]string
	for i := range 100 {
		add = append(add, map[string]string{email: fmt.Sprintf("n%d@lost.example", i), last: fmt.Sprintf("Lost %d", i)})
	}
	if _, err := env.svc.AddRows(sh.ID, 0, add); err != nil {
		t.Fatal(err)
	}
	env.org.SetFaults(emulator.Faults{DropRate: 0.4, Seed: 3})
	r := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if r.Status != sheets.RunPartial || r.Counts.Unconfirmed == 0 || r.Counts.Created+r.Counts.Unconfirmed != 100 ||
		!strings.Contains(r.Message, "reconciles them by key") {
		t.Fatalf("push with lost answers: %s %+v %q, want partial with unconfirmed rows", r.Status, r.Counts, r.Message)
	}
	outs, err := env.svc.Outcomes(r.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range outs {
		if o.StatusCode == CodeUnconfirmed {
			n++
			if !strings.Contains(o.Message, "@lost.example") {
				t.Errorf("unconfirmed outcome %q does not name the row's key", o.Message)
			}
		}
	}
	if n != r.Counts.Unconfirmed {
		t.Errorf("%d unconfirmed outcomes for %d unconfirmed rows", n, r.Counts.Unconfirmed)
	}
	env.org.SetFaults(emulator.Faults{})
	r = env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	if r.Status != sheets.RunSucceeded {
		t.Fatalf("next push: %s %+v %q", r.Status, r.Counts, r.Message)
	}
	seen := map[string]int{}
	for _, c := range env.org.Records("Contact") {
		seen[fmt.Sprint(c["Email"])]++
	}
	for i := range 100 {
		if e := fmt.Sprintf("n%d@lost.example", i); seen[e] != 1 {
			t.Errorf("%s: %d records, want 1", e, seen[e])
		}
	}
	for _, row := range env.rows(sh.ID) {
		if row.State != sheets.StateSynced || row.RecordID == "" {
			t.Errorf("row %d after settling: %s %q", row.ID, row.State, row.RecordID)
		}
	}
}
