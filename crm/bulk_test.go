package crm

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeBulk is a Bulk API 2.0 server following the documented wire format
// (API-REFERENCE.md §12): JobInfo JSON, CSV upload answered 201, states Open
// → UploadComplete → InProgress → JobComplete, result CSVs with sf__ columns
// in an order unrelated to the upload, Sforce-Locator "null" on the last
// query page.
type fakeBulk struct {
	t          *testing.T
	mu         sync.Mutex
	jobs       map[string]*fakeJob
	seq        int
	dropUpload int // drop the response of this upload number (1-based)
	uploads    int
	failJob    bool // end ingest jobs Failed after half the rows
	polls      int
	queryRows  [][]string
	// cutResults: the first results download stops after its first record
	// (the connection drops mid-page).
	cutResults bool
	resultGets int // results pages requested
}

type fakeJob struct {
	info    map[string]any
	csv     []byte
	aborted bool
}

func newFakeBulk(t *testing.T) *fakeBulk { return &fakeBulk{t: t, jobs: map[string]*fakeJob{}} }

func (f *fakeBulk) mux() *http.ServeMux {
	mux := http.NewServeMux()
	const base = "/services/data/v62.0/jobs/"
	mux.HandleFunc("POST "+base+"{kind}", func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		f.mu.Lock()
		f.seq++
		id := fmt.Sprintf("750R0000000%04dAAA", f.seq)
		state := "Open"
		if r.PathValue("kind") == "query" {
			state = "UploadComplete"
		}
		body["id"], body["state"] = id, state
		f.jobs[id] = &fakeJob{info: body}
		f.mu.Unlock()
		serveJSON(200, mustJSON(body))(w, r)
	})
	mux.HandleFunc("PUT "+base+"ingest/{id}/batches", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "text/csv" {
			f.t.Errorf("upload content type %q", r.Header.Get("Content-Type"))
		}
		data, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.uploads++
		n := f.uploads
		f.jobs[r.PathValue("id")].csv = data
		f.mu.Unlock()
		if n == f.dropUpload {
			dropConnection(f.t, w)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
	mux.HandleFunc("PATCH "+base+"ingest/{id}", func(w http.ResponseWriter, r *http.Request) {
		var body map[string]string
		_ = json.NewDecoder(r.Body).Decode(&body)
		f.mu.Lock()
		j := f.jobs[r.PathValue("id")]
		j.info["state"] = body["state"]
		j.aborted = body["state"] == "Aborted"
		info := mustJSON(j.info)
		f.mu.Unlock()
		serveJSON(200, info)(w, r)
	})
	mux.HandleFunc("GET "+base+"{kind}/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.polls++
		j := f.jobs[r.PathValue("id")]
		switch j.info["state"] {
		case "UploadComplete":
			j.info["state"] = "InProgress"
		case "InProgress":
			j.info["state"] = "JobComplete"
			if f.failJob {
				j.info["state"], j.info["errorMessage"] = "Failed", "InvalidBatch : Failed to process query"
			}
		}
		info := mustJSON(j.info)
		f.mu.Unlock()
		serveJSON(200, info)(w, r)
	})
	mux.HandleFunc("GET "+base+"ingest/{id}/{set}/", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		j := f.jobs[r.PathValue("id")]
		f.mu.Unlock()
		rows, _ := csv.NewReader(bytes.NewReader(j.csv)).ReadAll()
		header, data := rows[0], rows[1:]
		var out [][]string
		switch r.PathValue("set") {
		case "successfulResults":
			out = append(out, append([]string{"sf__Id", "sf__Created"}, header...))
		case "failedResults":
			out = append(out, append([]string{"sf__Id", "sf__Error"}, header...))
		case "unprocessedrecords":
			out = append(out, header)
		}
		// Reverse order: results are not in upload order.
		for i := len(data) - 1; i >= 0; i-- {
			row := data[i]
			name := row[slices.Index(header, "Name")]
			unprocessed := f.failJob && i >= len(data)/2
			bad := strings.HasPrefix(name, "bad")
			switch r.PathValue("set") {
			case "successfulResults":
				if !bad && !unprocessed {
					// An update's sf__Id is the record's own id.
					id, created := fmt.Sprintf("001R00000%09dAAA", i), "true"
					if k := slices.Index(header, "Id"); k >= 0 {
						id, created = row[k], "false"
					}
					out = append(out, append([]string{id, created}, row...))
				}
			case "failedResults":
				if bad && !unprocessed {
					out = append(out, append([]string{"", "REQUIRED_FIELD_MISSING:Required fields are missing: [Industry]:Industry --"}, row...))
				}
			case "unprocessedrecords":
				if unprocessed {
					out = append(out, row)
				}
			}
		}
		w.Header().Set("Content-Type", "text/csv")
		cw := csv.NewWriter(w)
		_ = cw.WriteAll(out)
	})
	mux.HandleFunc("GET "+base+"query/{id}/results", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		page := f.queryRows[1:3]
		w.Header().Set("Sforce-Locator", "MTAwMDA")
		if r.URL.Query().Get("locator") == "MTAwMDA" {
			page = f.queryRows[3:]
			w.Header().Set("Sforce-Locator", "null")
		}
		f.mu.Lock()
		cut := f.cutResults
		f.cutResults = false
		f.resultGets++
		f.mu.Unlock()
		if cut {
			var buf bytes.Buffer
			_ = csv.NewWriter(&buf).WriteAll(append([][]string{f.queryRows[0]}, page[0]))
			w.Header().Set("Content-Length", "100000")
			_, _ = w.Write(buf.Bytes())
			w.(http.Flusher).Flush()
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				_ = conn.Close()
			}
			return
		}
		cw := csv.NewWriter(w)
		_ = cw.WriteAll(append([][]string{f.queryRows[0]}, page...))
	})
	return mux
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func bulkClient(t *testing.T, f *fakeBulk) *Client {
	return setup(t, f.mux(), WithBulkPolling(time.Millisecond, 2*time.Millisecond))
}

func TestBulkIngestMapsResultsToInputs(t *testing.T) {
	f := newFakeBulk(t)
	c := bulkClient(t, f)
	recs := []Record{
		{Fields: map[string]any{"Name": "Acme, Inc.", "Industry": "Banking"}},
		{Fields: map[string]any{"Name": "bad one"}},
		{Fields: map[string]any{"Name": "Quote \"Co\"", "Industry": "", "NumberOfEmployees": 12}},
		{Fields: map[string]any{"Name": "Acme, Inc.", "Industry": "Banking"}}, // identical row
	}
	var states []string
	res, err := c.BulkIngest(context.Background(), "Account", OpInsert, "", recs, func(p BulkProgress) {
		if len(states) == 0 || states[len(states)-1] != p.State {
			states = append(states, p.State)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(states, []string{"Open", "UploadComplete", "InProgress", "JobComplete"}) {
		t.Errorf("progress states = %v", states)
	}
	if !res[0].Success || !res[2].Success || !res[3].Success || res[0].ID == res[3].ID {
		t.Errorf("results = %+v", res)
	}
	want := RecordError{StatusCode: CodeRequiredFieldMissing, Message: "Required fields are missing: [Industry]", Fields: []string{"Industry"}}
	if res[1].Success || len(res[1].Errors) != 1 || !cmp.Equal(res[1].Errors[0], want) {
		t.Errorf("failed result = %+v", res[1])
	}
	// The uploaded CSV: sorted columns, null as #N/A, missing as empty.
	var job *fakeJob
	for _, j := range f.jobs {
		job = j
	}
	wantCSV := "Industry,Name,NumberOfEmployees\nBanking,\"Acme, Inc.\",\n,bad one,\n#N/A,\"Quote \"\"Co\"\"\",12\nBanking,\"Acme, Inc.\",\n"
	if string(job.csv) != wantCSV {
		t.Errorf("uploaded CSV:\n%s\nwant:\n%s", job.csv, wantCSV)
	}
}

func TestBulkIngestLostUploadStartsANewJob(t *testing.T) {
	t.Run("in memory", testBulkIngestLostUpload)
	t.Run("from a work file", func(t *testing.T) {
		// The upload is read again from its work file for the new job.
		spillAt := bulkSpillBytes
		bulkSpillBytes = 1
		t.Cleanup(func() { bulkSpillBytes = spillAt })
		testBulkIngestLostUpload(t)
	})
}

func testBulkIngestLostUpload(t *testing.T) {
	f := newFakeBulk(t)
	f.dropUpload = 1
	c := bulkClient(t, f)
	recs := []Record{{Fields: map[string]any{"Name": "A"}}, {Fields: map[string]any{"Name": "B"}}}
	res, err := c.BulkIngest(context.Background(), "Account", OpInsert, "", recs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Success || !res[1].Success {
		t.Errorf("results = %+v", res)
	}
	aborted, completed := 0, 0
	for _, j := range f.jobs {
		if j.aborted {
			aborted++
		}
		if j.info["state"] == "JobComplete" {
			completed++
		}
	}
	if len(f.jobs) != 2 || aborted != 1 || completed != 1 {
		t.Errorf("jobs = %d, aborted %d, completed %d; want the first aborted and one completed", len(f.jobs), aborted, completed)
	}
}

func TestBulkIngestFailedJob(t *testing.T) {
	f := newFakeBulk(t)
	f.failJob = true
	c := bulkClient(t, f)
	recs := make([]Record, 4)
	for i := range recs {
		recs[i] = Record{ID: fmt.Sprintf("001R0000000000%dAAA", i), Fields: map[string]any{"Name": fmt.Sprintf("n%d", i)}}
	}
	res, err := c.BulkIngest(context.Background(), "Account", OpUpdate, "", recs, nil)
	var jobErr *BulkJobError
	if !errors.As(err, &jobErr) || jobErr.State != BulkFailed || !strings.Contains(err.Error(), "Failed to process") {
		t.Fatalf("err = %v, want *BulkJobError", err)
	}
	if !res[0].Success || res[3].Success || res[3].Errors[0].StatusCode != CodeUnprocessed {
		t.Errorf("results = %+v", res)
	}
}

func TestBulkQueryFollowsLocator(t *testing.T) {
	f := newFakeBulk(t)
	f.queryRows = [][]string{{"Id", "Name", "Account.Name"}, {"0031", "A", "X"}, {"0032", "B", ""}, {"0033", "C", "Z"}}
	c := bulkClient(t, f)
	var got []Record
	for rec, err := range c.BulkQuery(context.Background(), "SELECT Id, Name, Account.Name FROM Contact") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec)
	}
	want := []Record{
		{ID: "0031", Fields: map[string]any{"Id": "0031", "Name": "A", "Account.Name": "X"}},
		{ID: "0032", Fields: map[string]any{"Id": "0032", "Name": "B", "Account.Name": nil}},
		{ID: "0033", Fields: map[string]any{"Id": "0033", "Name": "C", "Account.Name": "Z"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

// TestBulkQueryResumesCutPage: records are yielded while a results page
// downloads; when the connection drops mid-page the page is read again
// and the records already yielded are not yielded twice.
func TestBulkQueryResumesCutPage(t *testing.T) {
	f := newFakeBulk(t)
	f.queryRows = [][]string{{"Id", "Name"}, {"0031", "A"}, {"0032", "B"}, {"0033", "C"}}
	f.cutResults = true
	c := bulkClient(t, f)
	var got []string
	for rec, err := range c.BulkQuery(context.Background(), "SELECT Id, Name FROM Contact") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec.ID)
	}
	if want := []string{"0031", "0032", "0033"}; !slices.Equal(got, want) {
		t.Errorf("records = %v, want %v", got, want)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cutResults {
		t.Error("the results download was never cut: the test tests nothing")
	}
}

// TestBulkQueryRequestsNextPageAhead: the next results page is requested
// while the caller is still reading the first, and every record arrives
// once, in order.
func TestBulkQueryRequestsNextPageAhead(t *testing.T) {
	f := newFakeBulk(t)
	f.queryRows = [][]string{{"Id", "Name"}, {"0031", "A"}, {"0032", "B"}, {"0033", "C"}}
	c := bulkClient(t, f)
	gets := func() int {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.resultGets
	}
	var got []string
	for rec, err := range c.BulkQuery(context.Background(), "SELECT Id, Name FROM Contact") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec.ID)
		if rec.ID == "0031" {
			deadline := time.Now().Add(5 * time.Second)
			for gets() < 2 && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			if gets() < 2 {
				t.Fatal("the second results page was not requested while the first was being read")
			}
		}
	}
	if want := []string{"0031", "0032", "0033"}; !slices.Equal(got, want) {
		t.Errorf("records = %v, want %v", got, want)
	}
	if n := gets(); n != 2 {
		t.Errorf("%d results pages requested, want 2", n)
	}
}

func TestParseBulkError(t *testing.T) {
	tests := []struct {
		in   string
		want RecordError
	}{
		{"REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --", RecordError{StatusCode: "REQUIRED_FIELD_MISSING", Message: "Required fields are missing: [Name]", Fields: []string{"Name"}}},
		{"UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record or 200 records: 001x,001y:--", RecordError{StatusCode: "UNABLE_TO_LOCK_ROW", Message: "unable to obtain exclusive access to this record or 200 records: 001x,001y"}},
		{"INVALID_FIELD:Foo: bar", RecordError{StatusCode: "INVALID_FIELD", Message: "Foo: bar"}},
		{"garbage", RecordError{StatusCode: "garbage", Message: "garbage"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, parseBulkError(tt.in)); diff != "" {
				t.Errorf("parseBulkError (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseBulkError(f *testing.F) {
	for _, s := range []string{"REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --", "a:b:c", ":", "--", "X:--", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := parseBulkError(s)
		for _, field := range e.Fields {
			if !validName(strings.TrimSpace(field)) {
				t.Fatalf("parseBulkError(%q) field %q is not a name", s, field)
			}
		}
		if strings.Contains(e.StatusCode, ":") {
			t.Fatalf("parseBulkError(%q) code %q holds a colon", s, e.StatusCode)
		}
	})
}

// simulatedPolls counts waitJob's polls of a job of total records whose
// processed count at each time is done(t), with the default waits.
func simulatedPolls(total int, done func(t time.Duration) float64) (polls int, at time.Duration) {
	p := newPoller(total, DefaultBulkPollMin, DefaultBulkPollMax)
	for polls = 1; ; polls++ {
		at += p.wait
		now := pollReading{at: at, processed: min(float64(total), done(at))}
		if now.processed >= float64(total) {
			return polls, at
		}
		p.read(now)
	}
}

// steady is a job that starts after queue and then processes rate
// records a second.
func steady(queue time.Duration, rate float64) func(time.Duration) float64 {
	return func(t time.Duration) float64 {
		if t <= queue {
			return 0
		}
		return (t - queue).Seconds() * rate
	}
}

// TestBulkJobPollsMatchPlan: once records are processed the poller aims
// at the job's end, so for the demo org's rates, idle (250k records/s) to
// loaded (50k/s), reading the upload at half to twice the rate the plan
// assumes, BulkJobPolls, which a plan counts, is a steady job's count
// within one poll (on a busy machine, 10-20k/s, the first waits are capped
// and a job takes at most two polls more), each such job is found done
// soon after it ends, and a job that speeds up or slows down by half
// mid-way takes at most two polls more than steady.
func TestBulkJobPollsMatchPlan(t *testing.T) {
	for _, n := range []int{DefaultBulkThreshold + 1, 5000, 10_000, 30_000, 50_000, 100_000, 200_000, 300_000, 1_000_000} {
		plan := BulkJobPolls(n)
		for _, rate := range []float64{10_000, 20_000, 50_000, 100_000, 250_000} {
			for _, readRate := range []float64{bulkPlanReadRate / 2, bulkPlanReadRate, 2 * bulkPlanReadRate} {
				queue := time.Duration(float64(n) / readRate * float64(time.Second))
				end := queue + time.Duration(float64(n)/rate*float64(time.Second))
				profiles := map[string]func(time.Duration) float64{
					"steady": steady(queue, rate),
					"speeds up": func(t time.Duration) float64 {
						half := queue + time.Duration(float64(n)/2/rate*float64(time.Second))
						if t <= half {
							return steady(queue, rate)(t)
						}
						return float64(n)/2 + (t-half).Seconds()*rate*2
					},
					"slows down": func(t time.Duration) float64 {
						half := queue + time.Duration(float64(n)/2/rate*float64(time.Second))
						if t <= half {
							return steady(queue, rate)(t)
						}
						return float64(n)/2 + (t-half).Seconds()*rate/2
					},
				}
				base, at := simulatedPolls(n, profiles["steady"])
				slack := 1
				if rate < 50_000 {
					slack = 2 // a busy machine: waits capped early cost a poll more
				}
				if base > plan+slack || base < plan-1 {
					t.Errorf("steady job of %d records at %.0f/s after %v: %d polls, plan %d", n, rate, queue, base, plan)
				}
				if late := at - end; late > end/4+2*DefaultBulkPollMin {
					t.Errorf("steady job of %d records at %.0f/s after %v ended at %v, found done %v later", n, rate, queue, end, late)
				}
				for name, done := range profiles {
					if got, _ := simulatedPolls(n, done); got > base+2 {
						t.Errorf("%s job of %d records at %.0f/s after %v: %d polls, %d when steady", name, n, rate, queue, got, base)
					}
				}
			}
		}
	}
}

// TestBulkPollsFollowTheJob: waitJob polls a slow job on a fake clock as
// the plan counts, and sleeps little past its end.
func TestBulkPollsFollowTheJob(t *testing.T) {
	const total = 300_000
	var now time.Duration
	run := 30 * time.Second // a busy machine: 10k records/s
	processed := func() int { return min(total, int(float64(total)*now.Seconds()/run.Seconds())) }
	polls := 0
	mux := http.NewServeMux()
	mux.HandleFunc("GET /services/data/v62.0/jobs/ingest/750J1", func(w http.ResponseWriter, r *http.Request) {
		polls++
		p, failed := processed(), 0
		state := BulkInProgress
		if p == total {
			state = BulkJobComplete
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(mustJSON(map[string]any{"id": "750J1", "state": state, "numberRecordsProcessed": p, "numberRecordsFailed": failed}))
	})
	c := setup(t, mux)
	epoch := time.Now()
	c.clock = pollClock{
		now: func() time.Time { return epoch.Add(now) },
		sleep: func(_ context.Context, d time.Duration) error {
			now += d
			return nil
		},
	}
	job := bulkJob{ID: "750J1", State: BulkUploadComplete}
	if err := c.waitJob(context.Background(), "/services/data/v62.0/jobs/ingest", &job, total, func(BulkProgress) {}); err != nil {
		t.Fatal(err)
	}
	if job.State != BulkJobComplete {
		t.Fatalf("state %s", job.State)
	}
	if plan := BulkJobPolls(total); polls > plan+1 {
		t.Errorf("%d polls of a %v job, plan %d", polls, run, plan)
	}
	if over := now - run; over > run/8 {
		t.Errorf("found done %v after it ended (a %v job)", over, run)
	}
}

// TestEncodeBulkCSVSizedParts: sizing a part's buffer from its first
// records, or writing the CSV to a work file once it passes
// bulkSpillBytes, changes nothing in what is uploaded: every part is
// within the limit, starts with the header, and together they hold every
// record once in order; the work file is gone after cleanup.
func TestEncodeBulkCSVSizedParts(t *testing.T) {
	const n = 5000
	rec := func(i int) Record {
		return Record{ID: fmt.Sprintf("003%015d", i), Fields: map[string]any{"Title": strings.Repeat("x", i%37)}}
	}
	cols := []string{"Id", "Title"}
	whole, cleanup, err := encodeBulkCSV(OpUpdate, cols, n, rec, MaxBulkUploadBytes, "")
	if err != nil || len(whole) != 1 || whole[0].file != nil {
		t.Fatalf("one part in memory: %d parts, %v", len(whole), err)
	}
	cleanup()
	read := func(p bulkPart) string {
		body, size := p.body()
		b, err := io.ReadAll(body())
		if err != nil || int64(len(b)) != size {
			t.Fatalf("part %d-%d: read %d of %d bytes: %v", p.from, p.to, len(b), size, err)
		}
		return string(b)
	}
	header := "Id,Title\n"
	spillAt := bulkSpillBytes
	t.Cleanup(func() { bulkSpillBytes = spillAt })
	for _, spill := range []int{spillAt, 50_000, 1} {
		bulkSpillBytes = spill
		for _, limit := range []int{40_000, 60_000, 200_000, MaxBulkUploadBytes} {
			dir := t.TempDir()
			parts, cleanup, err := encodeBulkCSV(OpUpdate, cols, n, rec, limit, dir)
			if err != nil {
				t.Fatal(err)
			}
			var body strings.Builder
			next, inFile := 0, false
			for _, p := range parts {
				data := read(p)
				inFile = inFile || p.file != nil
				if len(data) > limit || !strings.HasPrefix(data, header) || p.from != next {
					t.Fatalf("spill %d limit %d: part %d-%d of %d bytes", spill, limit, p.from, p.to, len(data))
				}
				body.WriteString(strings.TrimPrefix(data, header))
				next = p.to
			}
			if next != n || header+body.String() != string(whole[0].data) {
				t.Errorf("spill %d limit %d: %d parts do not add up to the whole upload", spill, limit, len(parts))
			}
			if want := spill < min(limit, 150_000); inFile != want {
				t.Errorf("spill %d limit %d: parts in a work file %v, want %v", spill, limit, inFile, want)
			}
			cleanup()
			if left, _ := os.ReadDir(dir); len(left) > 0 {
				t.Errorf("spill %d: work file left after cleanup: %v", spill, left)
			}
		}
	}
}

// TestBulkPollsAfterAQueue: a job Salesforce keeps queued for seconds to
// a minute before its first record is found done within a tenth of its
// time, in a handful of polls (an eightfold grid of waits found such jobs
// half their time late).
func TestBulkPollsAfterAQueue(t *testing.T) {
	for _, c := range []struct {
		n     int
		queue time.Duration
		rate  float64
	}{
		{100_000, 5 * time.Second, 2000},
		{100_000, 30 * time.Second, 10_000},
		{1_000_000, time.Minute, 5000},
		{20_000, 2 * time.Second, 500},
	} {
		end := c.queue + time.Duration(float64(c.n)/c.rate*float64(time.Second))
		polls, at := simulatedPolls(c.n, steady(c.queue, c.rate))
		if late := at - end; late > end/10 || polls > 10 {
			t.Errorf("%d records queued %v at %.0f/s: %d polls, found done %v after its end at %v", c.n, c.queue, c.rate, polls, late, end)
		}
	}
}

// TestBulkPollsThroughAStall: an org that stops processing for a moment
// (busy elsewhere) while the poller reads its pace does not make it aim
// many times the job's length past its end: without the cap on waits made
// while under a fifth is done, the first case was found 1.7 s past the end
// of a 0.5 s job, and a benchmark on a loaded machine took 14 s.
func TestBulkPollsThroughAStall(t *testing.T) {
	const n = 100_000
	for _, c := range []struct {
		rate        float64
		from, stall time.Duration
	}{
		{300_000, 70 * time.Millisecond, 100 * time.Millisecond},
		{300_000, 130 * time.Millisecond, 150 * time.Millisecond},
		{50_000, 400 * time.Millisecond, 500 * time.Millisecond},
	} {
		read := 50 * time.Millisecond
		done := func(at time.Duration) float64 {
			switch {
			case at <= read:
				return 0
			case at <= c.from:
				return (at - read).Seconds() * c.rate
			case at <= c.from+c.stall:
				return (c.from - read).Seconds() * c.rate
			}
			return (at - read - c.stall).Seconds() * c.rate
		}
		end := read + c.stall + time.Duration(float64(n)/c.rate*float64(time.Second))
		polls, at := simulatedPolls(n, done)
		if late := at - end; late > end*3/2 {
			t.Errorf("job at %.0f/s stalled %v from %v: found done %v after its end at %v (%d polls)", c.rate, c.stall, c.from, late, end, polls)
		}
	}
}
