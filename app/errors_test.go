package app

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"crmsheets/sheets"
	"crmsheets/sheets/store"
)

// The Service's sentinels are app's own: a caller that imports only app
// branches on them, and they are not the store's values under other names.
func TestStoreSentinelsAreTranslated(t *testing.T) {
	for _, p := range storeSentinels {
		if p.app == p.store || errors.Is(p.app, p.store) || errors.Is(p.store, p.app) {
			t.Errorf("app sentinel %q is the store's %q: it must be app's own value", p.app, p.store)
		}
	}

	svc := openXLSXService(t)

	// Not found, from a plain read and from a write inside a batch.
	if _, err := svc.RunRecord(4242); !errors.Is(err, ErrNotFound) {
		t.Errorf("RunRecord(missing) = %v, want app.ErrNotFound", err)
	}
	if _, err := svc.Sheet("no-such-sheet-id"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Sheet(missing) = %v, want app.ErrNotFound", err)
	}
	if err := svc.DeleteSheet("no-such-sheet-id"); !errors.Is(err, ErrNotFound) {
		t.Errorf("DeleteSheet(missing) = %v, want app.ErrNotFound", err)
	}
	if _, err := svc.ConfigVersions("no-such-sheet-id"); err != nil && !errors.Is(err, ErrNotFound) {
		t.Errorf("ConfigVersions(missing) = %v, want app.ErrNotFound or no error", err)
	}

	// A name already taken.
	sh := &sheets.Sheet{Name: "Leads", Columns: []sheets.Column{{ID: "c1", Name: "Name", Type: sheets.TypeText}}}
	if _, err := svc.NewLocalSheet(sh); err != nil {
		t.Fatal(err)
	}
	again := &sheets.Sheet{Name: "leads", Columns: []sheets.Column{{ID: "c1", Name: "Name", Type: sheets.TypeText}}}
	_, err := svc.NewLocalSheet(again)
	if !errors.Is(err, ErrDuplicate) {
		t.Errorf("second sheet named like the first: %v, want app.ErrDuplicate", err)
	}
	if err != nil && err.Error() == "" {
		t.Error("the translated error lost its message")
	}

	// Another process (here, a second Service) holding the store.
	_, err = Open(context.Background(), Options{Home: svc.home, OpenTimeout: 50 * time.Millisecond})
	if !errors.Is(err, ErrStoreLocked) {
		t.Errorf("second Open of the same home = %v, want app.ErrStoreLocked", err)
	}
}

// fromStore keeps the store's chain (app's internals inside a Batch still
// match the store's sentinel), translates once, and leaves other errors be.
func TestFromStore(t *testing.T) {
	if fromStore(nil) != nil {
		t.Error("fromStore(nil) != nil")
	}
	plain := errors.New("disk full")
	if got := fromStore(plain); got != plain {
		t.Errorf("fromStore(plain) = %v, want it untouched", got)
	}
	err := fromStore(fmt.Errorf("run 7: %w", store.ErrNotFound))
	if !errors.Is(err, ErrNotFound) || !errors.Is(err, store.ErrNotFound) {
		t.Errorf("translated %v does not match both sentinels", err)
	}
	if err.Error() != "run 7: not found" {
		t.Errorf("message = %q, want the store's unchanged", err.Error())
	}
	if twice := fromStore(err); twice != err {
		t.Error("an error already translated was wrapped again")
	}
}
