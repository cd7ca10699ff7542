package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"crmsheets/app"
	"crmsheets/internal/demoorg"
	"crmsheets/sheets"
)

// newTestWindow opens a real Service on a temp home with a small embedded
// demo org and builds the main window on a test app.
func newTestWindow(t *testing.T) *MainWindow {
	t.Helper()
	return newTestWindowWith(t, app.Options{})
}

// newTestWindowWith is newTestWindow with engine options (a short
// schedule unit, for instance).
func newTestWindowWith(t *testing.T, opt app.Options) *MainWindow {
	t.Helper()
	t.Setenv(ScreenEnv, "")
	a := test.NewTempApp(t)
	opt.Home, opt.DemoOrg = t.TempDir(), demoorg.New()
	if opt.DemoSeedAccounts == 0 {
		opt.DemoSeedAccounts = 5
	}
	svc, err := app.Open(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	mw := NewMainWindow(a, svc)
	t.Cleanup(mw.stop) // before svc.Close: ends the window's timers
	mw.Window().Resize(fyne.NewSize(1200, 800))
	mw.Start()
	mw.WaitIdle()
	if st := svc.Status(); st.State != app.StateConnected {
		t.Fatalf("demo org not connected: %+v", st)
	}
	return mw
}

// TestFlowTemplatePlanPullEditPushHistory drives the main flow against the
// demo org: a sheet from a template, Plan, pull, edit a cell, push, and the
// runs in History.
func TestFlowTemplatePlanPullEditPushHistory(t *testing.T) {
	mw := newTestWindow(t)
	if got := mw.Window().Title(); got != "CRM Sheets" {
		t.Errorf("title %q", got)
	}
	if got := mw.conn.state.Text; got != "Connected" {
		t.Errorf("badge %q, want Connected", got)
	}
	sh, err := mw.svc.NewSheetFromTemplate("people", "Contacts")
	if err != nil {
		t.Fatal(err)
	}
	mw.sheetCreated(sh)
	if mw.Sheet() == nil || mw.Sheet().ID != sh.ID || len(mw.sidebar.sheets) != 1 {
		t.Fatalf("new sheet not open: %v", mw.Sheet())
	}
	if got := mw.a.Preferences().String(prefLastSheet); got != sh.ID {
		t.Errorf("last sheet remembered %q, want %q", got, sh.ID)
	}

	mw.ShowScreen("sync")
	s := mw.screens.sync
	s.direction.SetSelected("Pull")
	s.doPlan()
	mw.WaitIdle()
	if !strings.Contains(s.plan.Text, "Pull:") || !strings.Contains(s.plan.Text, "API calls") {
		t.Fatalf("plan text %q", s.plan.Text)
	}
	s.doRun(false)
	mw.WaitIdle()
	if !strings.Contains(s.summary.Text, "succeeded") || s.historyBtn.Hidden {
		t.Fatalf("pull summary %q", s.summary.Text)
	}
	g := mw.Grid()
	if g.Model().Len() == 0 {
		t.Fatal("the grid shows no rows after the pull")
	}

	mw.ShowScreen("main")
	title := mw.Sheet().ColumnIndex(colByField(t, mw.Sheet(), "Title"))
	g.Model().Row(0) // page in
	for i := 0; i < title; i++ {
		g.Focusable().TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	}
	g.BeginEdit("Chief Tester", true)
	mw.Window().Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if st := g.Model().Row(0).State; st != sheets.StateModified {
		t.Fatalf("edited row state %v, want modified (status %q)", st, mw.status.Text)
	}

	mw.ShowScreen("sync")
	s.direction.SetSelected("Push")
	s.doRun(false)
	mw.WaitIdle()
	if !strings.Contains(s.summary.Text, "1 updated") {
		t.Fatalf("push summary %q", s.summary.Text)
	}
	if st := g.Model().Row(0).State; st != sheets.StateSynced {
		t.Errorf("row after push %v, want synced", st)
	}

	mw.ShowScreen("history")
	h := mw.screens.history
	mw.WaitIdle()
	if len(h.runs) != 2 || h.runs[0].Direction != sheets.Push || h.runs[1].Direction != sheets.Pull {
		t.Fatalf("history runs %v", h.runs)
	}
	h.show(h.runs[0])
	mw.WaitIdle()
	if h.revert.Disabled() {
		t.Errorf("a push with updates should be revertible")
	}

	mw.ShowScreen("conflicts")
	c := mw.screens.conflicts
	if len(c.items) != 0 || !strings.Contains(c.count.Text, "No conflicts") {
		t.Errorf("conflicts %v %q", c.items, c.count.Text)
	}
}

func colByField(t *testing.T, sh *sheets.Sheet, field string) string {
	t.Helper()
	c, ok := sh.ColumnByField(field)
	if !ok {
		t.Fatalf("no column mapped to %s", field)
	}
	return c.ID
}

func TestUsageAndBadges(t *testing.T) {
	tests := []struct {
		used, limit int
		want        string
	}{
		{0, 0, "API usage unknown"},
		{12, 15000, "API 12 of 15000 used today"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := usageText(tt.used, tt.limit); got != tt.want {
				t.Errorf("usageText = %q", got)
			}
		})
	}
	if text, _ := envLook(app.ConnStatus{Env: app.EnvProduction, Production: true}); text != "PRODUCTION" {
		t.Errorf("production badge %q", text)
	}
	if text, _ := stateLook(app.StateNeedsReauth); text != "Needs reauthorization" {
		t.Errorf("reauth badge %q", text)
	}
}
