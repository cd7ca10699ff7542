package clibench

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The bare baselines: what a plain client written with net/http,
// encoding/json and encoding/csv alone spends on the same protocol work
// as the CLI, against the same demo org, in the same benchmark run. Each
// checks every answer (status, per-record success) so that it is a client
// one could ship, and does nothing else: no store, no merge, no history.

const apiBase = "/services/data/v66.0"

// bare is an authenticated plain HTTP client of one org.
type bare struct {
	tb    testing.TB
	base  string
	token string
	calls int // requests made, for the baselines' API calls
}

func newBare(tb testing.TB, base string) *bare {
	return &bare{tb: tb, base: base, token: token(tb, base)}
}

func (c *bare) do(method, path, ctype string, body []byte, want int) []byte {
	c.calls++
	c.tb.Helper()
	req, _ := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.tb.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != want {
		c.tb.Fatalf("bare %s %s: %d %v %.200s", method, path, resp.StatusCode, err, out)
	}
	return out
}

// restPull pages through soql with queryAll (pages of 2,000, as the CLI's
// REST reads), decoding every page; it returns the record count.
func (c *bare) restPull(soql string) int {
	n := 0
	next := apiBase + "/queryAll?q=" + url.QueryEscape(soql)
	for next != "" {
		var page struct {
			Records        []map[string]any `json:"records"`
			NextRecordsURL string           `json:"nextRecordsUrl"`
		}
		if err := json.Unmarshal(c.do(http.MethodGet, next, "", nil, 200), &page); err != nil {
			c.tb.Fatal(err)
		}
		n += len(page.Records)
		next = page.NextRecordsURL
	}
	return n
}

// waitJob polls a Bulk API 2.0 job every 10 ms until it ends (a floor no
// client that counts its API calls would use).
func (c *bare) waitJob(kind, id string) {
	for {
		time.Sleep(10 * time.Millisecond)
		var info struct {
			State, ErrorMessage string
		}
		_ = json.Unmarshal(c.do(http.MethodGet, apiBase+"/jobs/"+kind+"/"+id, "", nil, 200), &info)
		switch info.State {
		case "JobComplete":
			return
		case "Failed", "Aborted":
			c.tb.Fatalf("bare %s job %s: %s", kind, info.State, info.ErrorMessage)
		}
	}
}

// bulkPull runs soql as one Bulk API 2.0 queryAll job and reads every
// results page as CSV; it returns the record count.
func (c *bare) bulkPull(soql string) int {
	body, _ := json.Marshal(map[string]string{"operation": "queryAll", "query": soql})
	var job struct{ ID string }
	_ = json.Unmarshal(c.do(http.MethodPost, apiBase+"/jobs/query", "application/json", body, 200), &job)
	c.waitJob("query", job.ID)
	n, locator := 0, ""
	for {
		u := c.base + apiBase + "/jobs/query/" + job.ID + "/results"
		if locator != "" {
			u += "?locator=" + url.QueryEscape(locator)
		}
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			c.tb.Fatalf("bare bulk results: %v", err)
		}
		rows, err := csv.NewReader(resp.Body).ReadAll()
		resp.Body.Close()
		if err != nil {
			c.tb.Fatal(err)
		}
		n += max(0, len(rows)-1)
		locator = resp.Header.Get("Sforce-Locator")
		if locator == "" || locator == "null" {
			return n
		}
	}
}

// bulkUpdate sends rows (Id, then the fields) as one Bulk API 2.0 update
// job and checks the job's counters: every record processed, none failed.
func (c *bare) bulkUpdate(object string, header []string, rows [][]string) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(header)
	_ = w.WriteAll(rows)
	body, _ := json.Marshal(map[string]string{"object": object, "operation": "update", "contentType": "CSV", "lineEnding": "LF"})
	var job struct{ ID string }
	_ = json.Unmarshal(c.do(http.MethodPost, apiBase+"/jobs/ingest", "application/json", body, 200), &job)
	c.do(http.MethodPut, apiBase+"/jobs/ingest/"+job.ID+"/batches", "text/csv", buf.Bytes(), 201)
	c.do(http.MethodPatch, apiBase+"/jobs/ingest/"+job.ID, "application/json", []byte(`{"state":"UploadComplete"}`), 200)
	c.waitJob("ingest", job.ID)
	var info struct {
		NumberRecordsProcessed, NumberRecordsFailed int
	}
	_ = json.Unmarshal(c.do(http.MethodGet, apiBase+"/jobs/ingest/"+job.ID, "", nil, 200), &info)
	if info.NumberRecordsProcessed != len(rows) || info.NumberRecordsFailed != 0 {
		c.tb.Fatalf("bare bulk update: %+v of %d", info, len(rows))
	}
}

// collectionsUpdate sends rows as PATCH /composite/sobjects calls of 200
// (allOrNone false) and checks every record's result.
func (c *bare) collectionsUpdate(object string, header []string, rows [][]string) {
	for i := 0; i < len(rows); i += 200 {
		var batch []map[string]any
		for _, row := range rows[i:min(i+200, len(rows))] {
			rec := map[string]any{"attributes": map[string]string{"type": object}}
			for j, h := range header {
				rec[h] = row[j]
			}
			batch = append(batch, rec)
		}
		body, _ := json.Marshal(map[string]any{"allOrNone": false, "records": batch})
		var res []struct {
			Success bool
			Errors  []any
		}
		if err := json.Unmarshal(c.do(http.MethodPatch, apiBase+"/composite/sobjects", "application/json", body, 200), &res); err != nil {
			c.tb.Fatal(err)
		}
		for k, r := range res {
			if !r.Success {
				c.tb.Fatalf("bare collections: record %d failed: %v", i+k, r.Errors)
			}
		}
	}
}

// pullSOQL is the query the CLI's pull of the people template sends (its
// columns, plus Id, LastModifiedDate, SystemModstamp and IsDeleted).
func pullSOQL() string {
	return "SELECT Id, LastModifiedDate, SystemModstamp, IsDeleted, FirstName, LastName, Email, Account.Name, Title, Phone, MobilePhone, Department, MailingStreet, MailingCity, MailingState, MailingPostalCode, MailingCountry, LeadSource FROM Contact"
}

// titleRows is the update the enrichment makes: every contact with an
// e-mail in emails gets the title the workbook gives it.
func titleRows(tb testing.TB, c *bare, titles map[string]string) [][]string {
	var rows [][]string
	next := apiBase + "/query?q=" + url.QueryEscape("SELECT Id, Email FROM Contact")
	for next != "" {
		var page struct {
			Records []struct {
				ID    string `json:"Id"`
				Email string
			} `json:"records"`
			NextRecordsURL string `json:"nextRecordsUrl"`
		}
		if err := json.Unmarshal(c.do(http.MethodGet, next, "", nil, 200), &page); err != nil {
			tb.Fatal(err)
		}
		for _, r := range page.Records {
			if t, ok := titles[strings.ToLower(r.Email)]; ok {
				rows = append(rows, []string{r.ID, t})
			}
		}
		next = page.NextRecordsURL
	}
	if len(rows) == 0 {
		tb.Fatal("no contact to update")
	}
	return rows
}

func mb(kb int64) float64 { return float64(kb) / 1024 }

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return a.Seconds() / b.Seconds()
}
