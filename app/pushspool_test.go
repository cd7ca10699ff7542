package app

import (
	"path/filepath"
	"slices"
	"testing"

	"crmsheets/sheets"
)

// TestBulkPushThroughWorkFile: a real Bulk push keeps its lean updates in
// a work file between planning and write-back. Records deleted in
// Salesforce after planning make the job refuse their rows: those rows
// come back into memory with Salesforce's error in their history and keep
// their edit for the next push, every other row is synced to what was
// sent, and the work file is gone once the run ends.
func TestBulkPushThroughWorkFile(t *testing.T) {
	rounds := bulkPlanRows
	bulkPlanRows = 4 // rows are planned, spooled and let go in rounds
	t.Cleanup(func() { bulkPlanRows = rounds })
	env := newTestEnv(t, withServiceOptions(func(o *Options) { o.BulkThreshold = 1; o.MaxChangeShare = 1 }))
	ids := env.seedContacts(30)
	sh := env.contactSheet(false)
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	title := col(t, sh, "Title")
	before := map[string]string{}
	for _, r := range env.rows(sh.ID) {
		before[r.RecordID] = r.Cells[title]
	}
	env.editAll(sh.ID, title, "Spooled", 0)
	gone := []string{ids[3], ids[14], ids[27]}
	var workFiles []string
	once := true
	env.onWrite(func() {
		if !once {
			return
		}
		once = false // after the job is created, before its upload
		workFiles, _ = filepath.Glob(filepath.Join(env.home, "inflight-*.spool"))
		for _, id := range gone {
			if err := env.org.Delete("Contact", id); err != nil {
				t.Error(err)
			}
		}
	})
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
	env.onWrite(nil)
	if len(workFiles) != 1 {
		t.Errorf("work files during the push: %v, want one", workFiles)
	}
	if left, _ := filepath.Glob(filepath.Join(env.home, "inflight-*")); len(left) > 0 {
		t.Errorf("work files left after the push: %v", left)
	}
	if ok, _ := env.svc.store.GetSetting(inflightKey(sh.ID), &inflightUpdates{}); ok {
		t.Error("in-flight updates left behind after the run")
	}
	if run.Counts.Updated != 27 || run.Counts.Failed != 3 {
		t.Fatalf("push %s %+v (%s), want 27 updated and 3 failed", run.Status, run.Counts, run.Message)
	}
	outs, err := env.svc.Outcomes(run.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	ok := 0
	for _, o := range outs {
		switch {
		case !o.OK:
			failed = append(failed, o.RecordID)
			if o.StatusCode == "" || o.Message == "" {
				t.Errorf("failure of %s without Salesforce's error: %+v", o.RecordID, o)
			}
		case o.Op == sheets.OpUpdate:
			ok++
			if o.After["Title"] != "Spooled" || o.Before["Title"] != before[o.RecordID] {
				t.Errorf("outcome of %s: before %v after %v, want %q → Spooled", o.RecordID, o.Before, o.After, before[o.RecordID])
			}
		}
	}
	slices.Sort(failed)
	want := slices.Clone(gone)
	slices.Sort(want)
	if !slices.Equal(failed, want) || ok != 27 {
		t.Errorf("history: %d updated, failed %v; want 27 and %v", ok, failed, want)
	}
	for _, r := range env.rows(sh.ID) {
		refused := slices.Contains(gone, r.RecordID)
		switch {
		case refused && (r.State == sheets.StateSynced || r.Base[title] != before[r.RecordID] || r.Cells[title] != "Spooled"):
			t.Errorf("refused row %d: %s, cell %q base %q; want the edit kept for the next push", r.ID, r.State, r.Cells[title], r.Base[title])
		case !refused && (r.State != sheets.StateSynced || r.Base[title] != "Spooled"):
			t.Errorf("row %d: %s, base %q; want synced to what was sent", r.ID, r.State, r.Base[title])
		}
	}
	for _, id := range ids {
		if slices.Contains(gone, id) {
			continue
		}
		if got := env.get("Contact", id, "Title"); got != "Spooled" {
			t.Errorf("contact %s Title %v", id, got)
		}
	}
}
