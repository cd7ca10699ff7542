package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"crmsheets/app"
	"crmsheets/internal/clitest"
)

// binary is the crmsheets executable built once for the end-to-end tests:
// they run the real binary against a real emulator process, as a script or a
// scheduler would.
var binary string

func TestMain(m *testing.M) { os.Exit(clitest.RunWithBinary(m, &binary)) }

func newCLI(t *testing.T) *clitest.CLI { return &clitest.CLI{Bin: binary, Home: t.TempDir()} }

func TestUsageAndHelp(t *testing.T) {
	c := newCLI(t)
	if r := c.Run(t, time.Minute, "--help"); r.Code != 0 || !strings.Contains(r.Out, "Examples:") {
		t.Errorf("--help: exit %d, output:\n%s", r.Code, r.Out)
	}
	if r := c.Run(t, time.Minute, "--version"); r.Code != 0 || strings.TrimSpace(r.Out) != "CRM Sheets "+app.Version {
		t.Errorf("--version: exit %d, output %q, want CRM Sheets %s (the version About shows)", r.Code, r.Out, app.Version)
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

	// The plan of the first pull names the records it would add (by their
	// e-mail, the key column), the first ones, and counts the rest.
	r := c.Run(t, time.Minute, "plan", "--sheet", "Contacts E2E", "--direction", "pull")
	adds := 0
	for _, line := range strings.Split(r.Out, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "add" && strings.Contains(f[1], "@") {
			adds++
		}
	}
	if r.Code != 0 || adds != app.FirstPullListed || !strings.Contains(r.Out, "more new rows, not listed") {
		t.Fatalf("first pull plan: exit %d, %d records named, want %d and the rest counted\n%s%s", r.Code, adds, app.FirstPullListed, r.Out, r.Err)
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
	if waited, _ := runs[0]["salesforceTime"].(float64); waited <= 0 {
		t.Errorf("the pull run does not say how long it waited for Salesforce: %v", runs[0])
	}
	c.JSON(t, &list, "sheets")
	if int(list[0]["rows"].(float64)) != len(contacts) {
		t.Fatalf("sheet has %v rows, org %d contacts", list[0]["rows"], len(contacts))
	}

	// A filter is validated by Salesforce before it is saved; a bad one is
	// refused with Salesforce's words and changes nothing.
	var check map[string]any
	c.JSON(t, &check, "filter", "--sheet", "Contacts E2E", "--validate")
	if check["filter"] != "" {
		t.Fatalf("new sheet has a filter: %v", check)
	}
	c.JSON(t, &check, "filter", "--sheet", "Contacts E2E", "--set", "LastName != null")
	if n := check["check"].(map[string]any)["count"].(float64); int(n) != len(contacts) {
		t.Fatalf("filter matches %v records, the org has %d contacts", n, len(contacts))
	}
	if r := c.Run(t, time.Minute, "filter", "--sheet", "Contacts E2E", "--set", "Nmae = 'x'"); r.Code != 1 || !strings.Contains(r.Err, "Nmae") {
		t.Fatalf("invalid filter: exit %d, stderr %s", r.Code, r.Err)
	}
	c.JSON(t, &check, "filter", "--sheet", "Contacts E2E")
	if check["filter"] != "LastName != null" {
		t.Fatalf("a refused filter replaced the saved one: %v", check)
	}
	c.Must(t, "filter", "--sheet", "Contacts E2E", "--clear")

	// Blank-cells options per column, as the Mapper sets them.
	var mapping map[string]any
	c.JSON(t, &mapping, "map", "--sheet", "Contacts E2E", "--blank", "Job Title=clear")
	found := false
	for _, col := range mapping["columns"].([]any) {
		m := col.(map[string]any)
		if m["column"] == "Job Title" {
			found = m["blankCells"] == "Clear the field"
		}
	}
	if !found {
		t.Fatalf("map --blank did not set Job Title to Clear the field: %v", mapping["columns"])
	}
	if r := c.Run(t, time.Minute, "map", "--sheet", "Contacts E2E", "--blank", "Job Title=erase"); r.Code != 2 {
		t.Fatalf("map --blank with an unknown option: exit %d, want 2", r.Code)
	}
	c.Must(t, "map", "--sheet", "Contacts E2E", "--blank", "Job Title=leave")

	// Nothing changed: the push plan sends nothing.
	var plan map[string]any
	c.JSON(t, &plan, "plan", "--sheet", "Contacts E2E", "--direction", "push")
	if plan["creates"].(float64) != 0 || plan["updates"].(float64) != 0 {
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
	// The list gives each run's time and its wait for Salesforce.
	if r := c.Run(t, time.Minute, "history"); r.Code != 0 || !strings.Contains(r.Out, "TIME (SALESFORCE)") || !regexp.MustCompile(`\d(ms|s) \(\d+(\.\d+)?(ms|s|µs)\)`).MatchString(r.Out) {
		t.Errorf("history does not give the runs' times: %d\n%s%s", r.Code, r.Out, r.Err)
	}

	// Enrichment through XLSX: export, edit two titles in the workbook,
	// preview, merge, push, and find the values in the org; then revert.
	file := filepath.Join(t.TempDir(), "contacts.xlsx")
	c.Must(t, "export", "--sheet", "Contacts E2E", file)
	edited := editTitles(t, file, 2)
	var preview map[string]any
	c.JSON(t, &preview, "import", file, "--sheet", "Contacts E2E", "--preview")
	if preview["changedCells"].(float64) != 2 {
		t.Fatalf("import preview: %v cells would change, want 2", preview["changedCells"])
	}
	// A blank in the file never clears a value; the preview says which
	// blanks it left alone.
	blanked := filepath.Join(t.TempDir(), "blanked.xlsx")
	c.Must(t, "export", "--sheet", "Contacts E2E", blanked)
	kept := blankFirstTitle(t, blanked)
	if out := c.Must(t, "import", blanked, "--sheet", "Contacts E2E", "--preview"); !strings.Contains(out, "0 cells would change") ||
		!strings.Contains(out, "Blank in the file, left alone (1 cell(s)") || !strings.Contains(out, "Job Title: keeps "+quoteCellForTest(kept)) {
		t.Fatalf("preview of a file with a blanked title does not say it keeps %q:\n%s", kept, out)
	}
	c.Must(t, "import", file, "--sheet", "Contacts E2E")
	c.JSON(t, &plan, "plan", "--sheet", "Contacts E2E", "--direction", "push")
	if plan["updates"].(float64) != 2 {
		t.Fatalf("plan after the import: %v updates, want 2", plan["updates"])
	}
	c.JSON(t, &runs, "sync", "--sheet", "Contacts E2E", "--direction", "push")
	if runs[0]["counts"].(map[string]any)["updated"].(float64) != 2 {
		t.Fatalf("push run: %v", runs[0])
	}
	for email, title := range edited {
		recs, err := org.Query("SELECT Title FROM Contact WHERE Email = '" + email + "'")
		if err != nil || len(recs) != 1 || clitest.Str(recs[0], "Title") != title {
			t.Fatalf("org has %v for %s, want Title %q (%v)", recs, email, title, err)
		}
	}
	pushRun := fmt.Sprint(runs[0]["id"])
	c.JSON(t, &runs, "revert", pushRun)
	for email, title := range edited {
		recs, err := org.Query("SELECT Title FROM Contact WHERE Email = '" + email + "'")
		if err != nil || len(recs) != 1 || clitest.Str(recs[0], "Title") == title {
			t.Fatalf("after revert the org still has %q for %s (%v)", title, email, err)
		}
	}

	// Logging out forgets the token: a sync now fails with advice, exit 1.
	c.Must(t, "logout")
	if r := c.Run(t, time.Minute, "sync", "--sheet", "Contacts E2E", "--direction", "pull"); r.Code != 1 || !strings.Contains(r.Err, "login") {
		t.Fatalf("sync after logout: exit %d, stderr %s", r.Code, r.Err)
	}
}

// blankFirstTitle empties the first Job Title cell that has a value, as a
// vendor's file with a missing value, and returns the value.
func blankFirstTitle(t *testing.T, path string) string {
	t.Helper()
	w := openWorkbook(t, path)
	col := slices.Index(w.rows[0], "Job Title")
	for r := 1; col >= 0 && r < len(w.rows); r++ {
		if col < len(w.rows[r]) && w.rows[r][col] != "" {
			w.set(col, r, nil)
			w.save()
			return w.rows[r][col]
		}
	}
	t.Fatalf("no Job Title with a value in %v", w.rows[0])
	return ""
}

// quoteCellForTest quotes a value as the CLI's preview does.
func quoteCellForTest(v string) string { return strconv.Quote(v) }

// editTitles changes the Title of the first n data rows of an exported
// workbook, as a user would in Excel, and returns email -> new title.
func editTitles(t *testing.T, path string, n int) map[string]string {
	t.Helper()
	w := openWorkbook(t, path)
	rows := w.rows
	titleCol, emailCol := slices.Index(rows[0], "Job Title"), slices.Index(rows[0], "Email")
	if titleCol < 0 || emailCol < 0 {
		t.Fatalf("export header %v lacks Job Title or Email", rows[0])
	}
	out := map[string]string{}
	for r := 1; len(out) < n && r < len(rows); r++ {
		if emailCol >= len(rows[r]) || rows[r][emailCol] == "" {
			continue
		}
		title := fmt.Sprintf("Edited in Excel %d", r)
		w.set(titleCol, r, title)
		out[rows[r][emailCol]] = title
	}
	w.save()
	return out
}
