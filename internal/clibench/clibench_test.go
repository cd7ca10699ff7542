// Package clibench measures the end-to-end flows of issue 7 with the built
// CLI against a standalone emulator process: pull 100k contacts, export,
// import a 100k-row enrichment workbook, push the changes, export again.
// Each step reports its time and, where one exists, its ratio to a bare
// baseline measured in the same run over the same org (a plain net/http +
// encoding/json loop doing the same REST work).
package clibench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"crmsheets/internal/clitest"
	"crmsheets/sheets"
)

const contacts = 100_000

func BenchmarkCLIFlows100k(b *testing.B) {
	dir := b.TempDir()
	bin, err := clitest.Build(dir)
	if err != nil {
		b.Fatal(err)
	}
	// The seed makes about three contacts per account.
	emu := clitest.StartEmulator(b, bin, "--seed-accounts", fmt.Sprint(contacts/3+200))
	org, err := clitest.OpenOrg(emu.URL)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		c := &clitest.CLI{Bin: bin, Home: b.TempDir()}
		if r := c.Login(b, emu.URL); r.Code != 0 {
			b.Fatalf("login: %s", r.Err)
		}
		c.Must(b, "new", "--template", "people", "--name", "Contacts")
		var peak int64
		step := func(args ...string) (time.Duration, []*sheets.Run) {
			r := c.Run(b, 30*time.Minute, append(args, "--json")...)
			if r.Code != 0 && r.Code != 3 {
				b.Fatalf("crmsheets %s: exit %d: %s", strings.Join(args, " "), r.Code, r.Err)
			}
			peak = max(peak, r.MaxRSSKB)
			var runs []*sheets.Run
			_ = json.Unmarshal([]byte(r.Out), &runs)
			return r.Took, runs
		}

		took, runs := step("sync", "--sheet", "Contacts", "--direction", "pull", "--full")
		pulled := runs[0].Counts.Pulled
		bare := timeIt(func() {
			if _, err := org.Query("SELECT Id, LastModifiedDate, FirstName, LastName, Email, Account.Name, Title, Phone, MobilePhone, Department, MailingStreet, MailingCity, MailingState, MailingPostalCode, MailingCountry, LeadSource FROM Contact"); err != nil {
				b.Fatal(err)
			}
		})
		b.ReportMetric(took.Seconds(), "pull-s")
		b.ReportMetric(float64(pulled)/took.Seconds(), "pull-rec/s")
		b.ReportMetric(float64(runs[0].APICalls), "pull-calls")
		b.ReportMetric(took.Seconds()/bare.Seconds(), "pull-x-bare-rest")

		exported := filepath.Join(dir, "contacts.xlsx")
		took, _ = step("export", "--sheet", "Contacts", exported)
		b.ReportMetric(took.Seconds(), "export-s")

		enrich := filepath.Join(dir, "enrichment.xlsx")
		emails := enrichment(b, org, enrich)
		took, _ = step("import", enrich, "--sheet", "Contacts", "--match", "Email")
		b.ReportMetric(took.Seconds(), "import-s")

		took, runs = step("sync", "--sheet", "Contacts", "--direction", "push", "--force")
		updated := runs[0].Counts.Updated
		if updated != len(emails) {
			b.Fatalf("push updated %d records, the file enriched %d", updated, len(emails))
		}
		b.ReportMetric(took.Seconds(), "push-s")
		b.ReportMetric(float64(updated)/took.Seconds(), "push-rec/s")
		b.ReportMetric(float64(runs[0].APICalls), "push-calls")
		barePush := timeIt(func() { bareCollectionsUpdate(b, org, emu.URL) })
		b.ReportMetric(took.Seconds()/barePush.Seconds(), "push-x-bare-collections")

		took, _ = step("export", "--sheet", "Contacts", exported)
		b.ReportMetric(took.Seconds(), "export2-s")
		b.ReportMetric(float64(peak)/1024, "peak-MB")
	}
}

func timeIt(fn func()) time.Duration {
	start := time.Now()
	fn()
	return time.Since(start)
}

// enrichment writes a vendor-style workbook: an Email and a new Job Title
// for every contact, in another order than the sheet's.
func enrichment(b *testing.B, org *clitest.Org, path string) []string {
	recs, err := org.Query("SELECT Email FROM Contact ORDER BY Email DESC")
	if err != nil {
		b.Fatal(err)
	}
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	_ = sw.SetRow("A1", []any{"Email", "Job Title"})
	var emails []string
	seen := map[string]bool{}
	for _, r := range recs {
		e := clitest.Str(r, "Email")
		if e == "" || seen[strings.ToLower(e)] {
			continue
		}
		seen[strings.ToLower(e)] = true
		emails = append(emails, e)
		cell, _ := excelize.CoordinatesToCellName(1, len(emails)+1)
		if err := sw.SetRow(cell, []any{e, "Enriched " + fmt.Sprint(len(emails))}); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		b.Fatal(err)
	}
	return emails
}

// bareCollectionsUpdate is the floor of a push: the same number of records
// sent as PATCH /composite/sobjects calls of 200 with net/http, no reads,
// no checks, no store.
func bareCollectionsUpdate(b *testing.B, org *clitest.Org, base string) {
	recs, err := org.Query("SELECT Id FROM Contact")
	if err != nil {
		b.Fatal(err)
	}
	tok := token(b, base)
	for i := 0; i < len(recs); i += 200 {
		var batch []map[string]any
		for _, r := range recs[i:min(i+200, len(recs))] {
			batch = append(batch, map[string]any{"attributes": map[string]string{"type": "Contact"}, "Id": r["Id"], "Department": "Bare"})
		}
		body, _ := json.Marshal(map[string]any{"allOrNone": false, "records": batch})
		req, _ := http.NewRequest(http.MethodPatch, base+"/services/data/v66.0/composite/sobjects", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
}

func token(b *testing.B, base string) string {
	resp, err := http.PostForm(base+"/services/oauth2/token", url.Values{"grant_type": {"password"}, "client_id": {clitest.DemoClientID}, "username": {clitest.DemoUsername}, "password": {clitest.DemoPassword}})
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var t struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&t); err != nil {
		b.Fatal(err)
	}
	return t.AccessToken
}
