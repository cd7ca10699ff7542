package app

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"crmsheets/app/merge"
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
	// Over a thousand rows: the write-back decodes and decides rows on a
	// second goroutine (store.RewriteRows's parallel path), here under
	// the race detector.
	ids := env.seedContacts(1100)
	sh := env.contactSheet(false)
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	title := col(t, sh, "Title")
	before := map[string]string{}
	for _, r := range env.rows(sh.ID) {
		before[r.RecordID] = r.Cells[title]
	}
	env.editAll(sh.ID, title, "Spooled", 0)
	gone := []string{ids[3], ids[14], ids[1027]}
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
	if run.Counts.Updated != len(ids)-3 || run.Counts.Failed != 3 {
		t.Fatalf("push %s %+v (%s), want %d updated and 3 failed", run.Status, run.Counts, run.Message, len(ids)-3)
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
	if !slices.Equal(failed, want) || ok != len(ids)-3 {
		t.Errorf("history: %d updated, failed %v; want %d and %v", ok, failed, len(ids)-3, want)
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

// TestSpoolInflightEntries: a spool file read as an in-flight record gives
// each spooled row's sent cells; a file of another format or cut short
// gives what it holds and an error, never a wrong entry.
func TestSpoolInflightEntries(t *testing.T) {
	dir := t.TempDir()
	e := &engine{}
	sp, err := newPushSpool(dir, "s1")
	if err != nil {
		t.Fatal(err)
	}
	plan := &pushPlan{}
	e.lean.plans = []*pushPlan{plan}
	for i, title := range []string{"CEO", "CTO"} {
		pr := &pushRow{id: sheets.RowID(i + 1), recordID: fmt.Sprintf("003%015d", i), op: sheets.OpUpdate, lean: true, pushPlan: plan}
		pr.sends = packSends("", map[string]merge.Change{"c4": {Before: "Engineer", After: title}})
		if err := sp.add(e, pr); err != nil {
			t.Fatal(err)
		}
	}
	if err := sp.finish(); err != nil {
		t.Fatal(err)
	}
	if pr, err := sp.row(e, 1); err != nil || pr.id != 2 || pr.recordID != "003000000000000001" {
		t.Fatalf("row 1 = %+v, %v", pr, err)
	}
	sp.close()
	m := inflightUpdates{"1": {"c4": "older"}}
	if err := loadSpoolInflight(dir, sp.name, m); err != nil {
		t.Fatal(err)
	}
	if want := (inflightUpdates{"1": {"c4": "CEO"}, "2": {"c4": "CTO"}}); !reflect.DeepEqual(m, want) {
		t.Errorf("entries %v, want %v (the spool's sends replace older entries)", m, want)
	}
	whole, err := os.ReadFile(filepath.Join(dir, sp.name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cut.spool"), whole[:len(whole)-3], 0o600); err != nil {
		t.Fatal(err)
	}
	m = inflightUpdates{}
	if err := loadSpoolInflight(dir, "cut.spool", m); err == nil || len(m) != 1 || m["1"]["c4"] != "CEO" {
		t.Errorf("cut file: entries %v, err %v; want the first row and an error", m, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "other.spool"), []byte("crmsheets-spool-9\n\x01\x02"), 0o600); err != nil {
		t.Fatal(err)
	}
	m = inflightUpdates{}
	if err := loadSpoolInflight(dir, "other.spool", m); err == nil || len(m) != 0 {
		t.Errorf("another format: entries %v, err %v; want none and an error", m, err)
	}
}
