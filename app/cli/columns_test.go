package cli_test

import (
	"strings"
	"testing"
	"time"

	"crmsheets/internal/clitest"
)

// TestColumnsBlankSheetAndRemoveOrg drives the spreadsheet basics from the
// CLI against a standalone emulator process: a blank sheet, then add,
// rename, retype (a dry run lists the values that would not convert and a
// refused retype changes nothing), move and remove columns; and a saved
// org removed.
func TestColumnsBlankSheetAndRemoveOrg(t *testing.T) {
	emu := clitest.StartEmulator(t, binary, "--seed-accounts", "5")
	c := newCLI(t)
	if r := c.Login(t, emu.URL); r.Code != 0 {
		t.Fatalf("login: exit %d\n%s", r.Code, r.Err)
	}

	out := c.Must(t, "new", "--blank", "--name", "Event list", "--columns", "Name,Email,Guests")
	if !strings.Contains(out, `"Event list" (local, 3 columns`) {
		t.Fatalf("new --blank: %s", out)
	}
	if r := c.Run(t, time.Minute, "new", "--blank", "--template", "people", "--name", "X"); r.Code != 2 {
		t.Errorf("--blank with --template: exit %d, want 2", r.Code)
	}
	columns := func(sheet string) []string {
		t.Helper()
		var cols []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		}
		c.JSON(t, &cols, "column", "--sheet", sheet)
		var names []string
		for _, col := range cols {
			names = append(names, col.Name+":"+col.Type)
		}
		return names
	}
	if got := strings.Join(columns("Event list"), ","); got != "Name:text,Email:text,Guests:text" {
		t.Fatalf("blank sheet columns %s", got)
	}
	c.Must(t, "column", "add", "--sheet", "Event list", "Arrives", "--type", "date")
	c.Must(t, "column", "rename", "--sheet", "Event list", "guests", "Party size")
	c.Must(t, "column", "move", "--sheet", "Event list", "Arrives", "--to", "1")
	if got := strings.Join(columns("Event list"), ","); got != "Arrives:date,Name:text,Email:text,Party size:text" {
		t.Fatalf("after add, rename, move: %s", got)
	}
	if r := c.Run(t, time.Minute, "column", "add", "--sheet", "Event list", "Name"); r.Code != 1 || !strings.Contains(r.Err, "Name") {
		t.Errorf("duplicate column name: exit %d, %s", r.Code, r.Err)
	}

	// Retype on a pulled sheet with values: Email → number would not convert.
	c.Must(t, "new", "--template", "people", "--name", "People")
	c.Must(t, "sync", "--sheet", "People", "--direction", "pull", "--full")
	r := c.Run(t, time.Minute, "column", "retype", "--sheet", "People", "Email", "number", "--dry-run")
	if r.Code != 1 || !strings.Contains(r.Out, "would not convert to number") || !strings.Contains(r.Out, "@") {
		t.Fatalf("retype --dry-run: exit %d\n%s\n%s", r.Code, r.Out, r.Err)
	}
	if r := c.Run(t, time.Minute, "column", "retype", "--sheet", "People", "Email", "number"); r.Code != 1 {
		t.Fatalf("refused retype: exit %d", r.Code)
	}
	got := strings.Join(columns("People"), ",")
	if !strings.Contains(got, "Email:email") {
		t.Fatalf("a refused retype changed the column: %s", got)
	}
	c.Must(t, "column", "retype", "--sheet", "People", "Email", "text")
	if got := strings.Join(columns("People"), ","); !strings.Contains(got, "Email:text") {
		t.Fatalf("retype to text: %s", got)
	}
	if r := c.Run(t, time.Minute, "column", "remove", "--sheet", "People", "Email"); r.Code != 2 {
		t.Errorf("remove without --yes: exit %d, want 2", r.Code)
	}
	c.Must(t, "column", "remove", "--sheet", "People", "Email", "--yes")
	if got := strings.Join(columns("People"), ","); strings.Contains(got, "Email") {
		t.Fatalf("Email still there: %s", got)
	}

	// Remove the emulator org: the demo org becomes active again.
	var orgs []map[string]any
	c.JSON(t, &orgs, "orgs")
	var emuName string
	for _, o := range orgs {
		if o["url"] == emu.URL {
			emuName = o["name"].(string)
		}
	}
	c.Must(t, "orgs", "--remove", emuName)
	c.JSON(t, &orgs, "orgs")
	for _, o := range orgs {
		if o["url"] == emu.URL {
			t.Fatalf("org still saved: %v", o)
		}
		if o["active"] == true && o["env"] != "demo" {
			t.Errorf("active org after removal %v", o)
		}
	}
	if r := c.Run(t, time.Minute, "orgs", "--remove", "demo"); r.Code != 1 {
		t.Errorf("removing the demo org: exit %d", r.Code)
	}
}
