package cli_test

import (
	"encoding/csv"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"crmsheets/internal/clitest"
)

// libreOfficeConvert converts a workbook with LibreOffice headless (to
// "xlsx", or "csv" for the cells as LibreOffice shows them) and returns the
// new file's path; the test is skipped where LibreOffice is not installed
// (apt-get install libreoffice-calc-nogui).
func libreOfficeConvert(t *testing.T, path, to string) string {
	t.Helper()
	bin, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice not installed (apt-get install libreoffice-calc-nogui)")
	}
	dir := t.TempDir()
	cmd := exec.Command(bin, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", to, "--outdir", filepath.Join(dir, "out"), path)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice --convert-to %s: %v\n%s", to, err, out)
	}
	ext := to
	if i := strings.IndexByte(to, ':'); i >= 0 {
		ext = to[:i]
	}
	return filepath.Join(dir, "out", strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))+"."+ext)
}

// An export opened and saved again by LibreOffice re-imports with no change,
// and LibreOffice shows its dates (Close Date) as the sheet holds them.
func TestLibreOfficeResavedExportReimportsUnchanged(t *testing.T) {
	if testing.Short() {
		t.Skip("runs LibreOffice")
	}
	emu := clitest.StartEmulator(t, binary, "--seed-accounts", "12")
	c := newCLI(t)
	if r := c.Login(t, emu.URL); r.Code != 0 {
		t.Fatalf("login: exit %d\n%s", r.Code, r.Err)
	}
	c.Must(t, "new", "--template", "opportunities", "--name", "Deals")
	c.Must(t, "sync", "--sheet", "Deals", "--direction", "pull", "--full")
	file := filepath.Join(t.TempDir(), "deals.xlsx")
	c.Must(t, "export", "--sheet", "Deals", file)

	resaved := libreOfficeConvert(t, file, "xlsx")
	var preview map[string]any
	c.JSON(t, &preview, "import", resaved, "--sheet", "Deals", "--preview")
	plan := preview["plan"].(map[string]any)
	if preview["changedCells"].(float64) != 0 || len(plan["matched"].([]any)) == 0 || plan["invalid"] != nil && len(plan["invalid"].([]any)) != 0 {
		t.Fatalf("LibreOffice re-save: %v cells would change, %d rows matched, invalid %v", preview["changedCells"], len(plan["matched"].([]any)), plan["invalid"])
	}

	// What LibreOffice shows: every Close Date of the export, as in the sheet.
	org, err := clitest.OpenOrg(emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := org.Query("SELECT CloseDate FROM Opportunity")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, r := range recs {
		want[clitest.Str(r, "CloseDate")]++
	}
	f, err := os.Open(libreOfficeConvert(t, file, "csv:Text - txt - csv (StarCalc):44,34,76,1"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	shown, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range shown[0] {
		if h == "Close Date" {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("no Close Date column in %v", shown[0])
	}
	got := map[string]int{}
	for _, row := range shown[1:] {
		if row[col] != "" {
			got[row[col]]++
		}
	}
	if len(recs) == 0 || !maps.Equal(got, want) {
		t.Errorf("LibreOffice shows Close Dates %v, the org has %v", got, want)
	}
}

// Streets with line breaks (inside, and a trailing CRLF or CR that import
// trims from the people template's plain-text Mailing Street) survive a
// LibreOffice re-save: the re-import previews no change.
func TestLibreOfficeResaveKeepsLineBreaksUnchanged(t *testing.T) {
	if testing.Short() {
		t.Skip("runs LibreOffice")
	}
	emu := clitest.StartEmulator(t, binary, "--seed-accounts", "5")
	c := newCLI(t)
	if r := c.Login(t, emu.URL); r.Code != 0 {
		t.Fatalf("login: exit %d\n%s", r.Code, r.Err)
	}
	org, err := clitest.OpenOrg(emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	streets := []string{"1 Main St\r\nSuite 2", "2 Side St\rFloor 3", "4 End St\r\n", "5 Lone St\r"}
	recs, err := org.Query("SELECT Id FROM Contact ORDER BY Id LIMIT 4")
	if err != nil || len(recs) < len(streets) {
		t.Fatalf("contacts: %v %v", recs, err)
	}
	for i, rec := range recs {
		if err := org.Update("Contact", clitest.Str(rec, "Id"), map[string]any{"MailingStreet": streets[i]}); err != nil {
			t.Fatal(err)
		}
	}
	c.Must(t, "new", "--template", "people", "--name", "People")
	c.Must(t, "sync", "--sheet", "People", "--direction", "pull", "--full")
	file := filepath.Join(t.TempDir(), "people.xlsx")
	c.Must(t, "export", "--sheet", "People", file)
	resaved := libreOfficeConvert(t, file, "xlsx")
	var preview map[string]any
	c.JSON(t, &preview, "import", resaved, "--sheet", "People", "--preview")
	if preview["changedCells"].(float64) != 0 {
		t.Fatalf("LibreOffice re-save of streets with line breaks: %v cells would change, want 0\n%s", preview["changedCells"], c.Must(t, "import", resaved, "--sheet", "People", "--preview"))
	}
}
