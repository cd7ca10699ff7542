// Package clibench measures the end-to-end flows with the built CLI
// against a standalone emulator process, at 10k, 100k and 300k contacts:
// pull every contact into a new sheet, export it, import an enrichment
// workbook that changes every contact's title, push the changes. Each step
// reports its time, its API calls (from the run's history, never
// estimated), the plan's estimate of the push, the CLI process's peak
// resident memory and the store's size; pull and push also report their
// ratio to bare baselines run in the same iteration against the same org
// (see bare_test.go: plain net/http clients doing only the protocol work).
package clibench

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"crmsheets/internal/clitest"
	"crmsheets/sheets"
)

// BenchmarkCLIScaling runs the flow at three sizes so growth shows: time
// (linear or better), API calls, peak RSS (flat or better) and store size.
// The 300k org is `crmsheets emulator --seed-accounts 100000`.
func BenchmarkCLIScaling(b *testing.B) {
	dir := b.TempDir()
	bin, err := clitest.Build(dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []struct {
		name     string
		accounts int
	}{{"10k", 3334}, {"100k", 33334}, {"300k", 100000}} {
		b.Run(size.name, func(b *testing.B) { flow(b, bin, size.accounts) })
	}
}

func flow(b *testing.B, bin string, accounts int) {
	emu := clitest.StartEmulator(b, bin, "--seed-accounts", fmt.Sprint(accounts))
	defer emu.Stop()
	for i := 0; i < b.N; i++ {
		work := b.TempDir()
		c := &clitest.CLI{Bin: bin, Home: filepath.Join(work, "home")}
		if r := c.Login(b, emu.URL); r.Code != 0 {
			b.Fatalf("login: %s", r.Err)
		}
		c.Must(b, "new", "--template", "people", "--name", "Contacts")
		step := func(args ...string) (clitest.Result, []*sheets.Run) {
			r := c.Run(b, 30*time.Minute, append(args, "--json")...)
			if r.Code != 0 && r.Code != 3 {
				b.Fatalf("crmsheets %s: exit %d: %s", strings.Join(args, " "), r.Code, r.Err)
			}
			var runs []*sheets.Run
			_ = json.Unmarshal([]byte(r.Out), &runs)
			return r, runs
		}
		bc := newBare(b, emu.URL)

		r, runs := step("sync", "--sheet", "Contacts", "--direction", "pull", "--full")
		pulled := runs[0].Counts.Pulled
		b.ReportMetric(r.Took.Seconds(), "pull-s")
		b.ReportMetric(float64(pulled)/r.Took.Seconds(), "pull-rec/s")
		b.ReportMetric(float64(runs[0].APICalls), "pull-calls")
		b.ReportMetric(mb(r.MaxRSSKB), "pull-peak-MB")
		b.ReportMetric(mb(r.MaxAnonKB), "pull-anon-MB")
		b.ReportMetric(float64(dirSize(c.Home))/(1<<20), "store-MB")
		var n int
		bareREST := timeIt(func() { n = bc.restPull(pullSOQL()) })
		if n < pulled {
			b.Fatalf("bare REST pull read %d records, the CLI %d", n, pulled)
		}
		bareBulk := timeIt(func() { n = bc.bulkPull(pullSOQL()) })
		if n < pulled {
			b.Fatalf("bare Bulk pull read %d records, the CLI %d", n, pulled)
		}
		b.ReportMetric(ratio(r.Took, bareREST), "pull-x-bare-rest")
		b.ReportMetric(ratio(r.Took, bareBulk), "pull-x-bare-bulk")

		exported := filepath.Join(work, "contacts.xlsx")
		r, _ = step("export", "--sheet", "Contacts", exported)
		b.ReportMetric(r.Took.Seconds(), "export-s")

		enrich := filepath.Join(work, "enrichment.xlsx")
		titles := enrichment(b, bc, enrich, i)
		r, _ = step("import", enrich, "--sheet", "Contacts", "--match", "Email")
		b.ReportMetric(r.Took.Seconds(), "import-s")

		var plan struct {
			APICalls int `json:"apiCalls"`
		}
		c.JSON(b, &plan, "plan", "--sheet", "Contacts", "--direction", "push")
		r, runs = step("sync", "--sheet", "Contacts", "--direction", "push", "--force")
		updated := runs[0].Counts.Updated
		if updated != len(titles) {
			b.Fatalf("push updated %d records, the file enriched %d (%s)", updated, len(titles), runs[0].Message)
		}
		b.ReportMetric(r.Took.Seconds(), "push-s")
		b.ReportMetric(float64(updated)/r.Took.Seconds(), "push-rec/s")
		b.ReportMetric(float64(runs[0].APICalls), "push-calls")
		b.ReportMetric(float64(plan.APICalls), "push-plan-calls")
		b.ReportMetric(mb(r.MaxRSSKB), "push-peak-MB")
		b.ReportMetric(mb(r.MaxAnonKB), "push-anon-MB")
		rows := titleRows(b, bc, titles)
		header := []string{"Id", "Title"}
		before := bc.calls
		bareBulkPush := timeIt(func() { bc.bulkUpdate("Contact", header, rows) })
		b.ReportMetric(float64(bc.calls-before), "push-bare-bulk-calls")
		bareColl := timeIt(func() { bc.collectionsUpdate("Contact", header, rows) })
		b.ReportMetric(ratio(r.Took, bareBulkPush), "push-x-bare-bulk")
		// The push's own work: the process's time less what the run waited
		// for Salesforce (its history's figure), over the bare job.
		b.ReportMetric(runs[0].SalesforceTime.Seconds(), "push-salesforce-s")
		b.ReportMetric(ratio(r.Took-runs[0].SalesforceTime, bareBulkPush), "push-own-x-bare-bulk")
		b.ReportMetric(ratio(r.Took, bareColl), "push-x-bare-collections")
		b.ReportMetric(float64(dirSize(c.Home))/(1<<20), "store-after-push-MB")
	}
}

// dirSize is the bytes of the files under dir (the store and settings).
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

func timeIt(fn func()) time.Duration {
	start := time.Now()
	fn()
	return time.Since(start)
}

// enrichment writes a vendor-style workbook: an Email and a new Job Title
// for every contact, in another order than the sheet's. It returns the
// titles by lower-cased e-mail.
func enrichment(b *testing.B, c *bare, path string, round int) map[string]string {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	_ = sw.SetRow("A1", []any{"Email", "Job Title"})
	titles := map[string]string{}
	next := apiBase + "/query?q=" + url.QueryEscape("SELECT Email FROM Contact ORDER BY Email DESC")
	for next != "" {
		var page struct {
			Records        []struct{ Email string } `json:"records"`
			NextRecordsURL string                   `json:"nextRecordsUrl"`
		}
		if err := json.Unmarshal(c.do("GET", next, "", nil, 200), &page); err != nil {
			b.Fatal(err)
		}
		for _, r := range page.Records {
			e := r.Email
			if e == "" || titles[strings.ToLower(e)] != "" {
				continue
			}
			t := fmt.Sprintf("Enriched %d.%d", round, len(titles)+1)
			titles[strings.ToLower(e)] = t
			cell, _ := excelize.CoordinatesToCellName(1, len(titles)+1)
			if err := sw.SetRow(cell, []any{e, t}); err != nil {
				b.Fatal(err)
			}
		}
		next = page.NextRecordsURL
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		b.Fatal(err)
	}
	return titles
}

func token(b testing.TB, base string) string {
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
