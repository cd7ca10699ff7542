package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"crmsheets/internal/clitest"
)

// orgIDOf returns the Salesforce org id the CLI learned for the org at url.
func orgIDOf(t *testing.T, c *clitest.CLI, url string) string {
	t.Helper()
	var orgs []map[string]any
	c.JSON(t, &orgs, "orgs")
	for _, o := range orgs {
		if o["url"] == url {
			if id, _ := o["orgId"].(string); id != "" {
				return id
			}
		}
	}
	t.Fatalf("no org id known for %s in %v", url, orgs)
	return ""
}

// snapshot reads every contact of an org with the fields a push could
// change, sorted, to compare before and after.
func snapshot(t *testing.T, org *clitest.Org) string {
	t.Helper()
	recs, err := org.Query("SELECT Id, Title, Email, LastName, SystemModstamp FROM Contact ORDER BY Id")
	if err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(recs)
	if err != nil {
		t.Fatal(err)
	}
	return string(j)
}

// A sheet pulled from org A refuses plan, push and pull against org B (a
// second emulator with other data and another org id, sharing A's record
// ids as a sandbox shares its production org's), names both orgs, and
// leaves B untouched; an explicit re-bind moves it.
func TestSheetBoundToItsOrg(t *testing.T) {
	emuA := clitest.StartEmulator(t, binary, "--seed-accounts", "15")
	emuB := clitest.StartEmulator(t, binary, "--seed-accounts", "15", "--seed", "2", "--org-id", "00D000000000002")
	c := newCLI(t)
	if r := c.Login(t, emuA.URL); r.Code != 0 {
		t.Fatalf("login A: exit %d %s", r.Code, r.Err)
	}
	idA := orgIDOf(t, c, emuA.URL)
	c.Must(t, "new", "--template", "people", "--name", "Contacts")
	c.Must(t, "sync", "--sheet", "Contacts", "--direction", "pull", "--full")
	var list []map[string]any
	c.JSON(t, &list, "sheets")
	if org, _ := list[0]["org"].(map[string]any); org == nil || org["orgId"] != idA {
		t.Fatalf("after the first pull the sheet is bound to %v, want %s", list[0]["org"], idA)
	}
	file := filepath.Join(t.TempDir(), "contacts.xlsx")
	c.Must(t, "export", "--sheet", "Contacts", file)
	editTitles(t, file, 2)
	c.Must(t, "import", file, "--sheet", "Contacts")

	if r := c.Login(t, emuB.URL); r.Code != 0 {
		t.Fatalf("login B: exit %d %s", r.Code, r.Err)
	}
	idB := orgIDOf(t, c, emuB.URL)
	if idA == idB {
		t.Fatalf("both emulators answer with org id %s", idA)
	}
	orgB, err := clitest.OpenOrg(emuB.URL)
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, orgB)
	for _, args := range [][]string{
		{"plan", "--sheet", "Contacts", "--direction", "push"},
		{"sync", "--sheet", "Contacts", "--direction", "push"},
		{"sync", "--sheet", "Contacts", "--direction", "pull"},
		{"sync", "--sheet", "Contacts", "--direction", "both"},
	} {
		r := c.Run(t, 2*time.Minute, args...)
		if r.Code != 1 || !strings.Contains(r.Err, idA) || !strings.Contains(r.Err, idB) {
			t.Errorf("%v against org B: exit %d (want 1), stderr %q (want both org ids %s and %s)", args, r.Code, r.Err, idA, idB)
		}
	}
	var hist []map[string]any
	c.JSON(t, &hist, "history")
	if len(hist) != 1 {
		t.Errorf("refused runs were recorded in history: %v", hist)
	}
	if after := snapshot(t, orgB); after != before {
		t.Fatal("org B changed although every run was refused")
	}

	// Re-binding is explicit: a full pull of B matched by key.
	r := c.Run(t, 2*time.Minute, "rebind", "--sheet", "Contacts")
	if r.Code != 0 || !strings.Contains(r.Out, "re-bound") {
		t.Fatalf("rebind: exit %d\n%s\n%s", r.Code, r.Out, r.Err)
	}
	c.JSON(t, &list, "sheets")
	if org, _ := list[0]["org"].(map[string]any); org == nil || org["orgId"] != idB {
		t.Fatalf("after rebind the sheet is bound to %v, want %s", list[0]["org"], idB)
	}
	c.Must(t, "plan", "--sheet", "Contacts", "--direction", "push")
	if after := snapshot(t, orgB); after != before {
		t.Fatal("org B changed by a re-bind (a pull)")
	}
	// Org A is now the other org.
	var orgs []map[string]any
	c.JSON(t, &orgs, "orgs")
	i := slices.IndexFunc(orgs, func(o map[string]any) bool { return o["url"] == emuA.URL })
	c.Must(t, "orgs", "--use", orgs[i]["name"].(string))
	if r := c.Run(t, 2*time.Minute, "sync", "--sheet", "Contacts", "--direction", "pull"); r.Code != 1 || !strings.Contains(r.Err, idB) {
		t.Errorf("pull from A after the re-bind to B: exit %d, stderr %q", r.Code, r.Err)
	}
}

// resaveWithLF rewrites every text cell of a workbook with its line
// endings turned into LF, as LibreOffice does when it saves, and returns
// how many cells changed.
func resaveWithLF(t *testing.T, path string) int {
	t.Helper()
	w := openWorkbook(t, path)
	n := 0
	for r, row := range w.rows {
		for c, v := range row {
			if strings.Contains(v, "\r") {
				w.set(c, r, strings.ReplaceAll(strings.ReplaceAll(v, "\r\n", "\n"), "\r", "\n"))
				n++
			}
		}
	}
	w.save()
	return n
}

// Line endings are not edits: a street kept with CRLF in Salesforce,
// exported, resaved with LF (as LibreOffice does) and re-imported changes
// nothing, and the next push sends nothing.
func TestLineEndingsAreNotEdits(t *testing.T) {
	emu := clitest.StartEmulator(t, binary, "--seed-accounts", "5")
	c := newCLI(t)
	if r := c.Login(t, emu.URL); r.Code != 0 {
		t.Fatalf("login: exit %d %s", r.Code, r.Err)
	}
	org, err := clitest.OpenOrg(emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	streets := []string{"1 Main St\r\nSuite 2", "2 Side St\rFloor 3", "3 Plain St\r\nBack door\r\nGate 4",
		"4 End St\r\n", "5 Lone St\r"} // the last two end in a break, which import trims from plain text
	recs, err := org.Query(fmt.Sprintf("SELECT Id FROM Contact ORDER BY Id LIMIT %d", len(streets)))
	if err != nil || len(recs) < len(streets) {
		t.Fatalf("contacts: %v %v", recs, err)
	}
	for i, rec := range recs {
		street := streets[i]
		if err := org.Update("Contact", clitest.Str(rec, "Id"), map[string]any{"MailingStreet": street}); err != nil {
			t.Fatal(err)
		}
	}
	c.Must(t, "new", "--template", "people", "--name", "People")
	c.Must(t, "sync", "--sheet", "People", "--direction", "pull", "--full")
	file := filepath.Join(t.TempDir(), "people.xlsx")
	c.Must(t, "export", "--sheet", "People", file)
	if n := resaveWithLF(t, file); n < len(streets) {
		t.Fatalf("the export holds %d cells with CR, want at least %d", n, len(streets))
	}
	var preview map[string]any
	c.JSON(t, &preview, "import", file, "--sheet", "People", "--preview")
	if preview["changedCells"].(float64) != 0 {
		t.Fatalf("import preview after a resave with LF: %v cells would change, want 0\n%s", preview["changedCells"], c.Must(t, "import", file, "--sheet", "People", "--preview"))
	}
	c.Must(t, "import", file, "--sheet", "People")
	var plan map[string]any
	c.JSON(t, &plan, "plan", "--sheet", "People", "--direction", "push")
	if plan["updates"].(float64) != 0 {
		t.Fatalf("plan after re-importing the resave: %v updates, want 0", plan["updates"])
	}
	before := snapshot(t, org)
	var runs []map[string]any
	c.JSON(t, &runs, "sync", "--sheet", "People", "--direction", "push")
	if n := runs[0]["counts"].(map[string]any)["updated"]; n != nil && n.(float64) != 0 {
		t.Fatalf("push after the resave updated %v records", n)
	}
	if snapshot(t, org) != before {
		t.Fatal("Salesforce changed although nobody edited anything")
	}
}

// addPeople appends n new people to an exported (empty) people sheet's
// workbook and returns their e-mails.
func addPeople(t *testing.T, path string, n int) []string {
	t.Helper()
	w := openWorkbook(t, path)
	cols := map[string]int{}
	for i, h := range w.rows[0] {
		cols[h] = i + 1
	}
	for _, h := range []string{"First Name", "Last Name", "Email"} {
		if cols[h] == 0 {
			t.Fatalf("export header %v lacks %s", w.rows[0], h)
		}
	}
	var emails []string
	for i := range n {
		email := fmt.Sprintf("new%03d@drop.example", i)
		for h, v := range map[string]string{"First Name": "New", "Last Name": fmt.Sprintf("Person %d", i), "Email": email} {
			w.set(cols[h]-1, len(w.rows)+i, v)
		}
		emails = append(emails, email)
	}
	w.save()
	return emails
}

// Creates whose answers are lost (a dropped connection after Salesforce
// saved them) are not success: the run is partial (exit 3) and lists the
// rows. The org then stops dropping answers (the same data, restarted
// without faults), and the next run settles every row by key without a
// duplicate.
func TestUnconfirmedCreatesArePartialAndSettleByKey(t *testing.T) {
	data := filepath.Join(t.TempDir(), "org.db")
	emu := clitest.StartEmulator(t, binary, "--data", data, "--seed-accounts", "2", "--fault-drop", "0.4", "--fault-seed", "3")
	c := newCLI(t)
	if r := c.Login(t, emu.URL); r.Code != 0 {
		t.Fatalf("login: exit %d %s", r.Code, r.Err)
	}
	c.Must(t, "new", "--template", "people", "--name", "New people")
	file := filepath.Join(t.TempDir(), "new.xlsx")
	c.Must(t, "export", "--sheet", "New people", file)
	emails := addPeople(t, file, 450)
	c.Must(t, "import", file, "--sheet", "New people", "--add-new")

	r := c.Run(t, 5*time.Minute, "sync", "--sheet", "New people", "--direction", "push")
	if r.Code != 3 || !strings.Contains(r.Out, "Unconfirmed rows of run") || !strings.Contains(r.Out, "drop.example") ||
		!strings.Contains(r.Out, "reconciles them by key") {
		t.Fatalf("push with dropped answers: exit %d (want 3, the unconfirmed rows listed)\nstdout:\n%s\nstderr:\n%s", r.Code, r.Out, r.Err)
	}
	emu.Stop()
	emu = clitest.StartEmulator(t, binary, "--data", data)
	if r := c.Login(t, emu.URL); r.Code != 0 {
		t.Fatalf("login again: exit %d %s", r.Code, r.Err)
	}
	r = c.Run(t, 5*time.Minute, "sync", "--sheet", "New people", "--direction", "push")
	if r.Code != 0 {
		t.Fatalf("the next push: exit %d, want 0 (every row settled)\n%s\n%s", r.Code, r.Out, r.Err)
	}
	org, err := clitest.OpenOrg(emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := org.Query("SELECT Email FROM Contact WHERE Email LIKE '%@drop.example'")
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, rec := range recs {
		count[clitest.Str(rec, "Email")]++
	}
	for _, e := range emails {
		if count[e] != 1 {
			t.Errorf("%s: %d records in Salesforce, want exactly 1", e, count[e])
		}
	}
	if len(recs) != len(emails) {
		t.Errorf("%d records for %d new rows", len(recs), len(emails))
	}
}

// sync --all names the run that fell short (not the last one), and two
// rows of one sheet with one key are refused with their own code.
func TestSyncAllNamesTheRunThatFellShort(t *testing.T) {
	emu := clitest.StartEmulator(t, binary, "--seed-accounts", "3")
	c := newCLI(t)
	if r := c.Login(t, emu.URL); r.Code != 0 {
		t.Fatalf("login: exit %d %s", r.Code, r.Err)
	}
	c.Must(t, "new", "--template", "people", "--name", "People")
	c.Must(t, "new", "--template", "leads", "--name", "Leads")
	file := filepath.Join(t.TempDir(), "people.xlsx")
	c.Must(t, "export", "--sheet", "People", file)
	addPeople(t, file, 3)
	addPeople(t, file, 1) // a second row with new000@drop.example
	c.Run(t, time.Minute, "import", file, "--sheet", "People", "--add-new")
	var list []map[string]any
	c.JSON(t, &list, "sheets")
	if i := slices.IndexFunc(list, func(m map[string]any) bool { return m["name"] == "People" }); i < 0 || list[i]["rows"].(float64) != 4 {
		t.Fatalf("sheets after the import %v, want People with 4 rows", list)
	}

	var runs []map[string]any
	r := c.Run(t, 2*time.Minute, "sync", "--all", "--direction", "push", "--json")
	if err := json.Unmarshal([]byte(r.Out), &runs); err != nil || len(runs) != 2 {
		t.Fatalf("sync --all: %v\n%s\n%s", err, r.Out, r.Err)
	}
	people, leads := runs[0], runs[1]
	if people["sheetName"] != "People" || people["status"] != "partial" || leads["status"] != "succeeded" {
		t.Fatalf("runs %v", runs)
	}
	if r.Code != 3 || !strings.Contains(r.Err, fmt.Sprintf("run %v (\"People\"", people["id"])) || strings.Contains(r.Err, fmt.Sprintf("run %v ", leads["id"])) {
		t.Fatalf("sync --all: exit %d, stderr %q: want 3 naming run %v of People only", r.Code, r.Err, people["id"])
	}
	var detail map[string]any
	c.JSON(t, &detail, "history", "--run", fmt.Sprint(people["id"]), "--errors")
	recs, _ := detail["records"].([]any)
	if len(recs) != 1 || recs[0].(map[string]any)["statusCode"] != "DUPLICATE_KEY_IN_SHEET" {
		t.Fatalf("refused rows %v, want one DUPLICATE_KEY_IN_SHEET", recs)
	}
}

// Ctrl-C stops a run and says it was cancelled (not "see --errors" with an
// empty list); the run is recorded as cancelled.
func TestInterruptSaysCancelled(t *testing.T) {
	emu := clitest.StartEmulator(t, binary, "--seed-accounts", "700", "--latency", "300ms")
	c := newCLI(t)
	if r := c.Login(t, emu.URL); r.Code != 0 {
		t.Fatalf("login: exit %d %s", r.Code, r.Err)
	}
	c.Must(t, "new", "--template", "people", "--name", "People")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := c.Command(ctx, "sync", "--sheet", "People", "--direction", "pull")
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The first page's progress line: more pages follow, 300 ms each.
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		errb.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "pull") {
			break
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(stderr)
	errb.Write(rest)
	err = cmd.Wait()
	var xe *exec.ExitError
	if !errors.As(err, &xe) || xe.ExitCode() != 1 || !strings.Contains(errb.String(), "cancelled") || strings.Contains(errb.String(), "--errors") {
		t.Fatalf("interrupted sync: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errb.String())
	}
	var hist []map[string]any
	c.JSON(t, &hist, "history")
	if len(hist) != 1 || hist[0]["status"] != "cancelled" {
		t.Fatalf("history after the interrupt: %v", hist)
	}
}

// Revert of a create run, then push: nothing is created; recreate --all
// asks for them again and the next push creates each once.
func TestRevertOfCreateRunThenPushCreatesNothing(t *testing.T) {
	emu := clitest.StartEmulator(t, binary, "--seed-accounts", "2")
	c := newCLI(t)
	if r := c.Login(t, emu.URL); r.Code != 0 {
		t.Fatalf("login: exit %d %s", r.Code, r.Err)
	}
	org, err := clitest.OpenOrg(emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		recs, err := org.Query("SELECT Id FROM Contact WHERE Email LIKE '%@drop.example'")
		if err != nil {
			t.Fatal(err)
		}
		return len(recs)
	}
	c.Must(t, "new", "--template", "people", "--name", "People")
	file := filepath.Join(t.TempDir(), "people.xlsx")
	c.Must(t, "export", "--sheet", "People", file)
	addPeople(t, file, 5)
	c.Must(t, "import", file, "--sheet", "People", "--add-new")
	var runs []map[string]any
	c.JSON(t, &runs, "sync", "--sheet", "People", "--direction", "push")
	if count() != 5 {
		t.Fatalf("push created %d, want 5", count())
	}
	c.JSON(t, &runs, "revert", fmt.Sprint(runs[0]["id"]))
	if count() != 0 {
		t.Fatalf("%d records left after the revert", count())
	}
	var plan map[string]any
	c.JSON(t, &plan, "plan", "--sheet", "People", "--direction", "push")
	if plan["creates"].(float64) != 0 {
		t.Fatalf("plan after the revert creates %v", plan["creates"])
	}
	c.JSON(t, &runs, "sync", "--sheet", "People", "--direction", "push")
	if count() != 0 || runs[0]["status"] != "succeeded" {
		t.Fatalf("push after the revert: %v, %d records in Salesforce", runs[0], count())
	}
	var list []map[string]any
	c.JSON(t, &list, "sheets")
	if list[0]["rows"].(float64) != 5 {
		t.Fatalf("the sheet lost rows: %v", list)
	}
	var rec map[string]int
	c.JSON(t, &rec, "recreate", "--sheet", "People", "--all")
	if rec["recreated"] != 5 {
		t.Fatalf("recreate --all: %v", rec)
	}
	c.Must(t, "sync", "--sheet", "People", "--direction", "push")
	if count() != 5 {
		t.Fatalf("push after recreate: %d records, want 5", count())
	}
}

// A value of an unrestricted picklist (Describe: restrictedPicklist false)
// is accepted at import and sent, as Salesforce accepts it.
func TestUnrestrictedPicklistValueImportsAndPushes(t *testing.T) {
	emu := clitest.StartEmulator(t, binary, "--seed-accounts", "3")
	c := newCLI(t)
	if r := c.Login(t, emu.URL); r.Code != 0 {
		t.Fatalf("login: exit %d %s", r.Code, r.Err)
	}
	c.Must(t, "new", "--template", "accounts", "--name", "Accounts")
	c.Must(t, "sync", "--sheet", "Accounts", "--direction", "pull")
	file := filepath.Join(t.TempDir(), "accounts.xlsx")
	c.Must(t, "export", "--sheet", "Accounts", file)
	w := openWorkbook(t, file)
	rows := w.rows
	typeCol, nameCol := slices.Index(rows[0], "Type"), slices.Index(rows[0], "Name")
	if typeCol < 0 || nameCol < 0 {
		t.Fatalf("header %v", rows[0])
	}
	w.set(typeCol, 1, "Weird Type")
	w.save()
	var preview map[string]any
	c.JSON(t, &preview, "import", file, "--sheet", "Accounts", "--preview")
	plan := preview["plan"].(map[string]any)
	if preview["changedCells"].(float64) != 1 || plan["invalid"] != nil && len(plan["invalid"].([]any)) > 0 {
		t.Fatalf("preview of an unrestricted picklist value: %v", preview)
	}
	c.Must(t, "import", file, "--sheet", "Accounts")
	var runs []map[string]any
	c.JSON(t, &runs, "sync", "--sheet", "Accounts", "--direction", "push")
	if runs[0]["counts"].(map[string]any)["updated"].(float64) != 1 {
		t.Fatalf("push %v", runs[0])
	}
	org, err := clitest.OpenOrg(emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := org.Query("SELECT Id FROM Account WHERE Type = 'Weird Type'")
	if err != nil || len(recs) != 1 {
		t.Fatalf("Salesforce has %d accounts of Type 'Weird Type' (%v), want 1", len(recs), err)
	}
}

// A sheet made from an XLSX file binds at its first sync, and from then on
// refuses another org like any other sheet.
func TestXLSXSheetBindsAtFirstSync(t *testing.T) {
	emuA := clitest.StartEmulator(t, binary, "--seed-accounts", "2")
	emuB := clitest.StartEmulator(t, binary, "--seed-accounts", "2", "--org-id", "00D000000000003")
	c := newCLI(t)
	if r := c.Login(t, emuA.URL); r.Code != 0 {
		t.Fatalf("login A: exit %d %s", r.Code, r.Err)
	}
	idA := orgIDOf(t, c, emuA.URL)
	file := filepath.Join(t.TempDir(), "vendor.xlsx")
	f := excelize.NewFile()
	for i, row := range [][]string{{"Last Name", "Company", "Email"}, {"Vendor", "Vendor Co", "v1@vendor.example"}, {"Seller", "Seller Co", "v2@vendor.example"}} {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellStr("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.SaveAs(file); err != nil {
		t.Fatal(err)
	}
	f.Close()
	c.Must(t, "import", file, "--name", "Vendor list")
	c.Must(t, "settings", "--sheet", "Vendor list", "--object", "Lead", "--key", "Email", "--create-missing")
	var list []map[string]any
	c.JSON(t, &list, "sheets")
	if list[0]["org"] != nil {
		t.Fatalf("a sheet never synced is bound: %v", list[0])
	}
	c.Must(t, "sync", "--sheet", "Vendor list", "--direction", "push")
	c.JSON(t, &list, "sheets")
	if org, _ := list[0]["org"].(map[string]any); org == nil || org["orgId"] != idA {
		t.Fatalf("after its first sync the XLSX sheet is bound to %v, want %s", list[0]["org"], idA)
	}
	if r := c.Login(t, emuB.URL); r.Code != 0 {
		t.Fatalf("login B: exit %d %s", r.Code, r.Err)
	}
	idB := orgIDOf(t, c, emuB.URL)
	if r := c.Run(t, time.Minute, "sync", "--sheet", "Vendor list", "--direction", "push"); r.Code != 1 || !strings.Contains(r.Err, idA) || !strings.Contains(r.Err, idB) {
		t.Fatalf("push to org B: exit %d, stderr %q", r.Code, r.Err)
	}
	orgB, err := clitest.OpenOrg(emuB.URL)
	if err != nil {
		t.Fatal(err)
	}
	if recs, err := orgB.Query("SELECT Id FROM Lead WHERE Email LIKE '%@vendor.example'"); err != nil || len(recs) != 0 {
		t.Fatalf("org B got %d vendor leads (%v)", len(recs), err)
	}
}

// sync --all --json puts each sheet's error beside its own run: People
// (synced first: Contacts come before Leads) is stopped by the safety
// rail, Leads goes on and succeeds, and the error is People's, not the
// last run's.
func TestSyncAllJSONErrorBesideItsRun(t *testing.T) {
	emu := clitest.StartEmulator(t, binary, "--seed-accounts", "6")
	c := newCLI(t)
	if r := c.Login(t, emu.URL); r.Code != 0 {
		t.Fatalf("login: exit %d %s", r.Code, r.Err)
	}
	c.Must(t, "new", "--template", "people", "--name", "People")
	c.Must(t, "new", "--template", "leads", "--name", "Leads")
	c.Must(t, "sync", "--all", "--direction", "pull", "--full")
	file := filepath.Join(t.TempDir(), "people.xlsx")
	c.Must(t, "export", "--sheet", "People", file)
	if n := len(editTitles(t, file, 1000)); n <= 10 {
		t.Fatalf("edited %d titles; the safety rail needs more than 10", n)
	}
	c.Must(t, "import", file, "--sheet", "People")

	var runs []map[string]any
	r := c.Run(t, 2*time.Minute, "sync", "--all", "--direction", "push", "--json")
	if err := json.Unmarshal([]byte(r.Out), &runs); err != nil || len(runs) != 2 {
		t.Fatalf("sync --all --json: %v\n%s\n%s", err, r.Out, r.Err)
	}
	people, leads := runs[0], runs[1]
	if people["sheetName"] != "People" || leads["sheetName"] != "Leads" || leads["status"] != "succeeded" {
		t.Fatalf("runs %v, want People then Leads (succeeded)", runs)
	}
	if msg, _ := people["error"].(string); !strings.Contains(msg, "would overwrite") || !strings.Contains(msg, `"People"`) {
		t.Errorf("People's run carries error %q, want the safety rail's refusal", people["error"])
	}
	if leads["error"] != nil {
		t.Errorf("Leads' run (succeeded) carries the error %q", leads["error"])
	}
	if r.Code != 1 {
		t.Errorf("exit %d, want 1", r.Code)
	}
}
