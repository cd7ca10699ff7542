package cli_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"crmsheets/internal/clitest"
)

// writeXLSX writes rows (the first is the header) to a new workbook.
func writeXLSX(t *testing.T, rows [][]any) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellValue("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "file.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestEverythingTheAppSetsFromTheCLI: a sheet made from an XLSX file is
// linked to an object and mapped from the CLI, its settings (key column,
// create missing, direction, policy, lookback, schedule) are set and
// versioned, a version is restored, records are created by a push, and an
// ambiguous account name is settled with `choose`; all checked in the org.
func TestEverythingTheAppSetsFromTheCLI(t *testing.T) {
	emu := clitest.StartEmulator(t, binary, "--seed-accounts", "5")
	c := newCLI(t)
	if r := c.Login(t, emu.URL); r.Code != 0 {
		t.Fatalf("login: exit %d\n%s", r.Code, r.Err)
	}
	org, err := clitest.OpenOrg(emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	stamp := fmt.Sprint(time.Now().UnixNano())

	// Two accounts with one name (different websites) from a file.
	twin := "Twin Forge " + stamp
	accounts := writeXLSX(t, [][]any{
		{"Account Name", "Website", "Phone"},
		{twin, "https://north-" + stamp + ".example", "1"},
		{twin, "https://south-" + stamp + ".example", "2"},
	})
	var created map[string]any
	c.JSON(t, &created, "import", accounts, "--name", "Twins", "--object", "Account", "--key", "Website")
	if created["sheet"].(map[string]any)["object"] != "Account" {
		t.Fatalf("import --object did not link the sheet: %v", created["sheet"])
	}
	mapped := map[string]string{}
	for _, m := range created["mapping"].(map[string]any)["mapped"].([]any) {
		mm := m.(map[string]any)
		mapped[mm["column"].(string)] = mm["field"].(string)
	}
	if mapped["Account Name"] != "Name" || mapped["Website"] != "Website" {
		t.Fatalf("import --object mapped %v", mapped)
	}

	// Without create-missing the push creates nothing.
	var runs []map[string]any
	r := c.Run(t, 2*time.Minute, "sync", "--sheet", "Twins", "--direction", "push", "--json")
	if recs, _ := org.Query("SELECT Id FROM Account WHERE Name = '" + twin + "'"); len(recs) != 0 {
		t.Fatalf("push without create-missing created %d accounts (exit %d)", len(recs), r.Code)
	}

	var st map[string]any
	c.JSON(t, &st, "settings", "--sheet", "Twins", "--create-missing", "--direction", "push", "--policy", "sheet-wins",
		"--lookback", "36h", "--schedule", "4h", "--api-reserve", "30%")
	if st["createMissing"] != true || st["direction"] != "push" || st["policy"] != "sheet-wins" || st["lookback"] != "36h" ||
		st["everyHours"].(float64) != 4 || st["apiReserve"].(float64) != 0.3 || st["keyColumn"] != "Website" {
		t.Fatalf("settings after the change: %v", st)
	}
	for _, bad := range [][]string{{"--direction", "sideways"}, {"--lookback", "soon"}, {"--schedule", "90m"}, {"--key", "Nope"}, {"--api-reserve", "150%"}} {
		if r := c.Run(t, time.Minute, append([]string{"settings", "--sheet", "Twins"}, bad...)...); r.Code != 2 {
			t.Errorf("settings %v: exit %d, want 2\n%s", bad, r.Code, r.Err)
		}
	}
	c.JSON(t, &runs, "sync", "--sheet", "Twins") // the sheet's direction: push
	if runs[0]["direction"] != "push" || runs[0]["counts"].(map[string]any)["created"].(float64) != 2 {
		t.Fatalf("push with create-missing: %v", runs[0])
	}
	twins, err := org.Query("SELECT Id, Website FROM Account WHERE Name = '" + twin + "'")
	if err != nil || len(twins) != 2 {
		t.Fatalf("org has %d accounts named %q (%v)", len(twins), twin, err)
	}

	// Versions: the schedule change is listed; restoring the version before
	// it brings the old settings back as a new version.
	var versions []map[string]any
	c.JSON(t, &versions, "versions", "--sheet", "Twins")
	before := 0
	for _, v := range versions {
		if strings.Contains(fmt.Sprint(v["note"]), "create missing records: true") {
			before = int(v["n"].(float64)) - 1
		}
	}
	if before < 1 {
		t.Fatalf("versions do not list the settings change: %v", versions)
	}
	var restored map[string]any
	c.JSON(t, &restored, "versions", "--sheet", "Twins", "--restore", fmt.Sprint(before))
	c.JSON(t, &st, "settings", "--sheet", "Twins")
	if st["createMissing"] != false || st["everyHours"].(float64) != 0 || st["object"] != "Account" {
		t.Fatalf("settings after restoring version %d: %v", before, st)
	}
	var after []map[string]any
	c.JSON(t, &after, "versions", "--sheet", "Twins")
	if len(after) != len(versions)+1 || !strings.Contains(fmt.Sprint(after[len(after)-1]["note"]), fmt.Sprintf("restored version %d", before)) {
		t.Fatalf("the restore is not a new version: %v", after)
	}

	// A contact pointing at the ambiguous name: the push refuses it and
	// keeps the candidates; choose lists them and settles the row.
	email := "pat." + stamp + "@twins.example"
	contacts := writeXLSX(t, [][]any{
		{"First Name", "Last Name", "Email", "Account"},
		{"Pat", "Twin", email, twin},
	})
	c.Must(t, "import", contacts, "--name", "Twin contacts", "--object", "Contact", "--key", "Email")
	c.Must(t, "settings", "--sheet", "Twin contacts", "--create-missing")
	r = c.Run(t, 2*time.Minute, "sync", "--sheet", "Twin contacts", "--direction", "push")
	if r.Code != 3 {
		t.Fatalf("push of an ambiguous account name: exit %d, want 3 (partial)\n%s\n%s", r.Code, r.Out, r.Err)
	}
	var amb []map[string]any
	c.JSON(t, &amb, "choose", "--sheet", "Twin contacts")
	if len(amb) != 1 || len(amb[0]["candidates"].([]any)) != 2 || amb[0]["value"] != twin {
		t.Fatalf("choose lists %v", amb)
	}
	row := fmt.Sprint(amb[0]["row"])
	if r := c.Run(t, time.Minute, "choose", "--sheet", "Twin contacts", "--row", row, "--record", "001000000000000AAA"); r.Code != 1 || !strings.Contains(r.Err, "not a candidate") {
		t.Fatalf("choosing a record that is no candidate: exit %d, %s", r.Code, r.Err)
	}
	chosen := clitest.Str(twins[1], "Id")
	c.Must(t, "choose", "--sheet", "Twin contacts", "--row", row, "--record", chosen)
	c.JSON(t, &runs, "sync", "--sheet", "Twin contacts", "--direction", "push")
	recs, err := org.Query("SELECT AccountId FROM Contact WHERE Email = '" + email + "'")
	if err != nil || len(recs) != 1 || clitest.Str(recs[0], "AccountId") != chosen {
		t.Fatalf("contact after choose and push: %v (%v), want AccountId %s", recs, err, chosen)
	}
	amb = nil
	c.JSON(t, &amb, "choose", "--sheet", "Twin contacts")
	if len(amb) != 0 {
		t.Fatalf("still waiting for a choice: %v", amb)
	}

	// map --field unmaps and maps one column by hand; an unknown field is
	// refused.
	phoneField := func(m map[string]any) any {
		for _, col := range m["columns"].([]any) {
			if cm := col.(map[string]any); cm["column"] == "Phone" {
				return cm["field"]
			}
		}
		return "no Phone column"
	}
	var m map[string]any
	if c.JSON(t, &m, "map", "--sheet", "Twins", "--field", "Phone="); phoneField(m) != nil {
		t.Fatalf("map --field Phone= left it mapped to %v", phoneField(m))
	}
	if c.JSON(t, &m, "map", "--sheet", "Twins", "--field", "phone=phone"); phoneField(m) != "Phone" {
		t.Fatalf("map --field phone=phone mapped it to %v", phoneField(m))
	}
	if r := c.Run(t, time.Minute, "map", "--sheet", "Twins", "--field", "Phone=NoSuchField__c"); r.Code != 1 || !strings.Contains(r.Err, "NoSuchField__c") {
		t.Fatalf("map --field with an unknown field: exit %d, %s", r.Code, r.Err)
	}
}

// TestScriptsGetOneJSONDocumentAndOneWarning: --json prints one JSON error
// object on failure (never `[]` then text); an org whose session Salesforce
// refuses is listed as needing a login until it logs in again.
func TestScriptsGetOneJSONDocumentAndOneWarning(t *testing.T) {
	emu := clitest.StartEmulator(t, binary, "--seed-accounts", "3")
	c := newCLI(t)
	first := c.Login(t, emu.URL)
	if first.Code != 0 {
		t.Fatalf("login: exit %d\n%s", first.Code, first.Err)
	}
	c.Must(t, "new", "--template", "people", "--name", "People")

	r := c.Run(t, time.Minute, "sync", "--sheet", "No such sheet", "--json")
	var je map[string]any
	if err := json.Unmarshal([]byte(r.Out), &je); err != nil || r.Code != 1 || !strings.Contains(fmt.Sprint(je["error"]), "No such sheet") || je["exitCode"].(float64) != 1 {
		t.Fatalf("sync --json on an unknown sheet: exit %d, stdout %q (%v), stderr %q", r.Code, r.Out, err, r.Err)
	}
	r = c.Run(t, time.Minute, "plan", "--sheet", "People", "--direction", "sideways", "--json")
	if err := json.Unmarshal([]byte(r.Out), &je); err != nil || r.Code != 2 || je["exitCode"].(float64) != 2 {
		t.Fatalf("plan --json with a bad flag: exit %d, stdout %q", r.Code, r.Out)
	}
	var plan map[string]any
	c.JSON(t, &plan, "plan", "--sheet", "People", "--direction", "pull")
	for _, k := range []string{"sheetName", "pulled", "apiCalls", "creates"} {
		if _, ok := plan[k]; !ok {
			t.Errorf("plan --json has no %q (keys are camelCase like every other --json): %v", k, plan)
		}
	}

	// The keychain fallback is said once: the first command that used the
	// token store said it; later ones do not, and orgs always does.
	second := c.Run(t, 2*time.Minute, "sync", "--sheet", "People", "--direction", "pull")
	if strings.Contains(first.Err, "not the system keychain") {
		if strings.Contains(second.Err, "not the system keychain") {
			t.Errorf("the keychain fallback warning is repeated on a later command:\n%s", second.Err)
		}
		if r := c.Run(t, time.Minute, "orgs"); !strings.Contains(r.Err, "system keychain could not be used") {
			t.Errorf("orgs does not show the keychain fallback: %s", r.Err)
		}
	} else {
		t.Log("the system keychain works here: no fallback warning to check")
	}

	// The org forgets every session (a restart of the emulator on the same
	// address): the next command fails, and orgs says to log in again.
	u, _ := url.Parse(emu.URL)
	emu.Stop()
	emu2 := clitest.StartEmulator(t, binary, "--seed-accounts", "3", "--addr", u.Host)
	if emu2.URL != emu.URL {
		t.Fatalf("restarted emulator on %s, want %s", emu2.URL, emu.URL)
	}
	if r := c.Run(t, 2*time.Minute, "sync", "--sheet", "People", "--direction", "pull"); r.Code != 1 || !strings.Contains(r.Err, "login") {
		t.Fatalf("sync with a refused session: exit %d, %s", r.Code, r.Err)
	}
	var orgs []map[string]any
	c.JSON(t, &orgs, "orgs")
	found := false
	for _, o := range orgs {
		if o["url"] == emu.URL {
			found = o["state"] == "needs reauthorization" && o["needsLogin"] == true
		}
	}
	if !found {
		t.Fatalf("orgs after a refused session: %v", orgs)
	}
	if r := c.Run(t, time.Minute, "orgs"); !strings.Contains(r.Out, "log in again") {
		t.Fatalf("orgs table: %s", r.Out)
	}
	if r := c.Login(t, emu.URL); r.Code != 0 {
		t.Fatalf("login again: exit %d\n%s", r.Code, r.Err)
	}
	c.JSON(t, &orgs, "orgs")
	for _, o := range orgs {
		if o["url"] == emu.URL && o["state"] != "signed in" {
			t.Fatalf("org after logging in again: %v", o)
		}
	}
}

// TestDuplicatesFromTheCLI: rows Salesforce's duplicate rule refuses are
// listed with their matches; one is linked to the existing contact (its
// values go there, nothing is created), one is created anyway.
func TestDuplicatesFromTheCLI(t *testing.T) {
	emu := clitest.StartEmulator(t, binary, "--seed-accounts", "5")
	c := newCLI(t)
	if r := c.Login(t, emu.URL); r.Code != 0 {
		t.Fatalf("login: exit %d\n%s", r.Code, r.Err)
	}
	org, err := clitest.OpenOrg(emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	seeded, err := org.Query("SELECT Id, Email FROM Contact ORDER BY Email LIMIT 1")
	if err != nil || len(seeded) != 1 {
		t.Fatalf("seeded contact: %v %v", seeded, err)
	}
	existing, email := clitest.Str(seeded[0], "Id"), clitest.Str(seeded[0], "Email")
	file := writeXLSX(t, [][]any{
		{"Last Name", "Email", "Title"},
		{"Linked", email, "Linked from the CLI"},
		{"Anyway", email, "Created anyway"},
	})
	c.Must(t, "import", file, "--name", "Dupes", "--object", "Contact")
	c.Must(t, "settings", "--sheet", "Dupes", "--create-missing", "--key", "none") // matched by record id only: the duplicate rule is the safety net
	if r := c.Run(t, 2*time.Minute, "sync", "--sheet", "Dupes", "--direction", "push"); r.Code != 3 {
		t.Fatalf("push of duplicates: exit %d, want 3\n%s\n%s", r.Code, r.Out, r.Err)
	}
	var dups []map[string]any
	c.JSON(t, &dups, "duplicates", "--sheet", "Dupes")
	if len(dups) != 2 {
		t.Fatalf("duplicates: %v\n%s", dups, c.Run(t, time.Minute, "history", "--run", "1", "--errors").Out)
	}
	m := dups[0]["matches"].([]any)[0].(map[string]any)
	if m["id"] != existing || !strings.EqualFold(fmt.Sprint(m["email"]), email) {
		t.Fatalf("match %v, want %s", m, existing)
	}
	if r := c.Run(t, time.Minute, "duplicates", "--sheet", "Dupes", "--row", fmt.Sprint(dups[0]["row"])); r.Code != 2 {
		t.Fatalf("--row without a decision: exit %d", r.Code)
	}
	c.Must(t, "duplicates", "--sheet", "Dupes", "--row", fmt.Sprint(dups[0]["row"]), "--link", existing)
	c.Must(t, "duplicates", "--sheet", "Dupes", "--row", fmt.Sprint(dups[1]["row"]), "--create")
	var runs []map[string]any
	c.JSON(t, &runs, "sync", "--sheet", "Dupes", "--direction", "push")
	counts := runs[0]["counts"].(map[string]any)
	if counts["created"].(float64) != 1 || counts["updated"].(float64) != 1 {
		t.Fatalf("push after the decisions: %v", counts)
	}
	recs, err := org.Query("SELECT Id, Title FROM Contact WHERE Email = '" + email + "' ORDER BY CreatedDate")
	if err != nil || len(recs) != 2 || clitest.Str(recs[0], "Id") != existing || clitest.Str(recs[0], "Title") != "Linked from the CLI" || clitest.Str(recs[1], "Title") != "Created anyway" {
		t.Fatalf("contacts with %s: %v (%v)", email, recs, err)
	}
}

// TestOwnersByNameFromTheCLI: accounts imported with an Owner column are
// created with the active user of that name as owner; an inactive user is
// refused on its row and named in the run's errors.
func TestOwnersByNameFromTheCLI(t *testing.T) {
	emu := clitest.StartEmulator(t, binary, "--seed-accounts", "3")
	c := newCLI(t)
	if r := c.Login(t, emu.URL); r.Code != 0 {
		t.Fatalf("login: exit %d\n%s", r.Code, r.Err)
	}
	org, err := clitest.OpenOrg(emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	stamp := fmt.Sprint(time.Now().UnixNano())
	file := writeXLSX(t, [][]any{
		{"Account Name", "Website", "Owner"},
		{"Sam Co " + stamp, "https://sam-" + stamp + ".example", "Sam Rivera"},
		{"Elena Co " + stamp, "https://elena-" + stamp + ".example", "Elena Petrova"},
	})
	var created map[string]any
	c.JSON(t, &created, "import", file, "--name", "Owned", "--object", "Account", "--key", "Website")
	c.Must(t, "map", "--sheet", "Owned", "--field", "Owner=Owner.Name")
	c.Must(t, "settings", "--sheet", "Owned", "--create-missing")
	r := c.Run(t, 2*time.Minute, "sync", "--sheet", "Owned", "--direction", "push")
	if r.Code != 3 {
		t.Fatalf("push: exit %d\n%s\n%s", r.Code, r.Out, r.Err)
	}
	sam, err := org.Query("SELECT Id FROM User WHERE Name = 'Sam Rivera'")
	if err != nil || len(sam) != 1 {
		t.Fatalf("user Sam Rivera: %v %v", sam, err)
	}
	recs, err := org.Query("SELECT OwnerId FROM Account WHERE Name = 'Sam Co " + stamp + "'")
	if err != nil || len(recs) != 1 || clitest.Str(recs[0], "OwnerId") != clitest.Str(sam[0], "Id") {
		t.Fatalf("account owned by Sam: %v (%v)", recs, err)
	}
	if recs, _ := org.Query("SELECT Id FROM Account WHERE Name = 'Elena Co " + stamp + "'"); len(recs) != 0 {
		t.Fatal("an account was created with an inactive owner")
	}
	var hist []map[string]any
	c.JSON(t, &hist, "history", "--sheet", "Owned")
	if out := c.Must(t, "history", "--run", fmt.Sprint(hist[0]["id"]), "--errors"); !strings.Contains(out, "inactive") {
		t.Fatalf("run errors do not say the owner is inactive:\n%s", out)
	}
}

// TestRollupFromTheCLI: a roll-up column added from the CLI holds, for
// every account, what an aggregate query of the org says, and the XLSX
// export carries those values.
func TestRollupFromTheCLI(t *testing.T) {
	emu := clitest.StartEmulator(t, binary, "--seed-accounts", "20")
	c := newCLI(t)
	if r := c.Login(t, emu.URL); r.Code != 0 {
		t.Fatalf("login: exit %d\n%s", r.Code, r.Err)
	}
	org, err := clitest.OpenOrg(emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	c.Must(t, "new", "--template", "accounts", "--name", "Accounts")
	c.Must(t, "sync", "--sheet", "Accounts", "--direction", "pull", "--full")
	var choices []map[string]any
	c.JSON(t, &choices, "rollup", "--sheet", "Accounts", "--list")
	if len(choices) == 0 {
		t.Fatal("rollup --list offers nothing")
	}
	if r := c.Run(t, time.Minute, "rollup", "--sheet", "Accounts", "--of", "sum(Opportunity)"); r.Code != 2 {
		t.Fatalf("sum without a field: exit %d", r.Code)
	}
	if r := c.Run(t, time.Minute, "rollup", "--sheet", "Accounts", "--of", "sum(Opportunity.Amount)", "--where", "Stage = 'x'"); r.Code != 1 || !strings.Contains(r.Err, "Stage") {
		t.Fatalf("bad condition: exit %d, %s", r.Code, r.Err)
	}
	c.Must(t, "rollup", "--sheet", "Accounts", "--name", "Won", "--of", "sum(Opportunity.Amount)", "--where", "StageName = 'Closed Won'")
	var m map[string]any
	c.JSON(t, &m, "map", "--sheet", "Accounts")
	found := false
	for _, col := range m["columns"].([]any) {
		cm := col.(map[string]any)
		found = found || (cm["column"] == "Won" && strings.HasPrefix(fmt.Sprint(cm["rollup"]), "SUM(Opportunity.Amount)") && cm["readOnly"] == true)
	}
	if !found {
		t.Fatalf("map does not list the roll-up: %v", m["columns"])
	}

	want := map[string]float64{}
	sums, err := org.Query("SELECT AccountId, SUM(Amount) s FROM Opportunity WHERE StageName = 'Closed Won' GROUP BY AccountId")
	if err != nil || len(sums) == 0 {
		t.Fatalf("the org's sums: %v %v", sums, err)
	}
	for _, s := range sums {
		want[clitest.Str(s, "AccountId")] = s["s"].(float64)
	}
	file := filepath.Join(t.TempDir(), "accounts.xlsx")
	c.Must(t, "export", "--sheet", "Accounts", file)
	f, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	wonCol, idCol := -1, -1
	for i, h := range rows[0] {
		if h == "Won" {
			wonCol = i
		}
	}
	for i, v := range rows[1] {
		if strings.HasPrefix(v, "001") && len(v) == 18 {
			idCol = i
		}
	}
	if wonCol < 0 || idCol < 0 {
		t.Fatalf("export header %v / first row %v: no Won or record id column", rows[0], rows[1])
	}
	checked := 0
	for _, r := range rows[1:] {
		if idCol >= len(r) {
			continue
		}
		got := ""
		if wonCol < len(r) {
			got = r[wonCol]
		}
		w, has := want[r[idCol]]
		switch {
		case !has && got != "":
			t.Errorf("account %s: Won %q, the org has no won deal", r[idCol], got)
		case has && got != strconv.FormatFloat(w, 'f', -1, 64):
			t.Errorf("account %s: Won %q, the org sums %v", r[idCol], got, w)
		case has:
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no account with a won deal was checked")
	}
}
