package cli_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"crmsheets/internal/clitest"
)

// binary is the crmsheets executable built once for the end-to-end tests:
// they run the real binary against a real emulator process, as a script or a
// scheduler would.
var binary string

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "crmsheets-e2e")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		if binary, err = clitest.Build(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return m.Run()
	}())
}

func newCLI(t *testing.T) *clitest.CLI { return &clitest.CLI{Bin: binary, Home: t.TempDir()} }

func TestUsageAndHelp(t *testing.T) {
	c := newCLI(t)
	if r := c.Run(t, time.Minute, "--help"); r.Code != 0 || !strings.Contains(r.Out, "Examples:") {
		t.Errorf("--help: exit %d, output:\n%s", r.Code, r.Out)
	}
	if r := c.Run(t, time.Minute, "sync", "--help"); r.Code != 0 || !strings.Contains(r.Out, "--direction") || !strings.Contains(r.Out, "Examples:") {
		t.Errorf("sync --help: exit %d, output:\n%s", r.Code, r.Out)
	}
	for _, args := range [][]string{
		{"sync", "--bogus"},
		{"sync", "--sheet", "x", "--direction", "sideways"},
		{"sync", "--sheet", "x", "--policy", "coin-flip"},
		{"sync", "--direction", "pull"},
		{"revert", "not-a-number"},
		{"revert"},
		{"new", "--template", "people"},
		{"login"},
		{"frobnicate"},
	} {
		if r := c.Run(t, time.Minute, args...); r.Code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)\nstderr: %s", args, r.Code, r.Err)
		}
	}
	if r := c.Run(t, time.Minute, "new", "--template", "no-such-template", "--name", "X"); r.Code != 1 || !strings.Contains(r.Err, "people") {
		t.Errorf("unknown template: exit %d, stderr %q (want the list of templates)", r.Code, r.Err)
	}
	if r := c.Run(t, time.Minute, "history", "--sheet", "No Such Sheet"); r.Code != 1 || !strings.Contains(r.Err, "No Such Sheet") {
		t.Errorf("unknown sheet: exit %d, stderr %q", r.Code, r.Err)
	}
}

func TestEndToEndAgainstEmulatorProcess(t *testing.T) {
	emu := clitest.StartEmulator(t, binary, "--seed-accounts", "30")
	c := newCLI(t)

	if r := c.Login(t, emu.URL); r.Code != 0 || !strings.Contains(r.Out, "Connected") {
		t.Fatalf("login: exit %d\nstdout %s\nstderr %s", r.Code, r.Out, r.Err)
	}
	var orgs []map[string]any
	c.JSON(t, &orgs, "orgs")
	active := 0
	for _, o := range orgs {
		if o["active"] == true {
			active++
			if o["url"] != emu.URL {
				t.Errorf("active org %v is not the emulator %s", o, emu.URL)
			}
		}
	}
	if active != 1 {
		t.Fatalf("want exactly one active org, got %v", orgs)
	}

	c.Must(t, "new", "--template", "people", "--name", "Contacts E2E")
	var list []map[string]any
	c.JSON(t, &list, "sheets")
	if len(list) != 1 || list[0]["name"] != "Contacts E2E" {
		t.Fatalf("sheets --json: %v", list)
	}

	var runs []map[string]any
	c.JSON(t, &runs, "sync", "--sheet", "Contacts E2E", "--direction", "pull", "--full")
	org, err := clitest.OpenOrg(emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	contacts, err := org.Query("SELECT Id FROM Contact")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0]["status"] != "succeeded" || runs[0]["counts"].(map[string]any)["pulled"].(float64) != float64(len(contacts)) {
		t.Fatalf("pull run %v, want %d contacts pulled", runs, len(contacts))
	}
	c.JSON(t, &list, "sheets")
	if int(list[0]["rows"].(float64)) != len(contacts) {
		t.Fatalf("sheet has %v rows, org %d contacts", list[0]["rows"], len(contacts))
	}

	// Nothing changed: the push plan sends nothing.
	var plan map[string]any
	c.JSON(t, &plan, "plan", "--sheet", "Contacts E2E", "--direction", "push")
	if plan["Creates"].(float64) != 0 || plan["Updates"].(float64) != 0 {
		t.Fatalf("plan after a clean pull wants changes: %v", plan)
	}

	var hist []map[string]any
	c.JSON(t, &hist, "history")
	if len(hist) != 1 {
		t.Fatalf("history: %v", hist)
	}
	if r := c.Run(t, time.Minute, "history", "--run", fmt.Sprint(hist[0]["id"]), "--errors"); r.Code != 0 || !strings.Contains(r.Out, "No failed records") {
		t.Fatalf("history --run --errors: %d %s %s", r.Code, r.Out, r.Err)
	}

	// Logging out forgets the token: a sync now fails with advice, exit 1.
	c.Must(t, "logout")
	if r := c.Run(t, time.Minute, "sync", "--sheet", "Contacts E2E", "--direction", "pull"); r.Code != 1 || !strings.Contains(r.Err, "login") {
		t.Fatalf("sync after logout: exit %d, stderr %s", r.Code, r.Err)
	}
}
