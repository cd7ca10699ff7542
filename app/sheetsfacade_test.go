package app

import "testing"

// TestDeleteSheetDeletesItsSettings checks that deleting a sheet leaves no
// setting of it behind: org binding, push in flight, candidate choices and
// the scheduler's last run (they were orphaned before), while another
// sheet's stay.
func TestDeleteSheetDeletesItsSettings(t *testing.T) {
	svc := openXLSXService(t)
	gone, err := svc.NewSheetFromTemplate("people", "Gone")
	if err != nil {
		t.Fatal(err)
	}
	kept, err := svc.NewSheetFromTemplate("people", "Kept")
	if err != nil {
		t.Fatal(err)
	}
	// The keys by their own functions, not sheetSettingKeys: a key
	// missing from that list fails here.
	keys := func(id string) []string {
		return []string{orgBindingKey(id), inflightKey(id), choicesKey(id), settingLastScheduled(id), historySeenKey(id)}
	}
	for _, id := range []string{gone.ID, kept.ID} {
		for _, key := range keys(id) {
			if err := svc.store.PutSetting(key, "x"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := svc.DeleteSheet(gone.ID); err != nil {
		t.Fatal(err)
	}
	for _, key := range keys(gone.ID) {
		var v string
		if ok, err := svc.store.GetSetting(key, &v); err != nil || ok {
			t.Errorf("setting %s after the sheet was deleted: %v %q", key, err, v)
		}
	}
	for _, key := range keys(kept.ID) {
		var v string
		if ok, err := svc.store.GetSetting(key, &v); err != nil || !ok {
			t.Errorf("setting %s of the other sheet gone: %v", key, err)
		}
	}
}
