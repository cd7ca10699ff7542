package emulator

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// doCSV sends a text/csv body (job data uploads).
func (o *org) doCSV(method, path, body string) response {
	o.t.Helper()
	req, err := http.NewRequest(method, o.base+path, strings.NewReader(body))
	if err != nil {
		o.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+o.token)
	req.Header.Set("Content-Type", "text/csv")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		o.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		o.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// testJobInfo is the part of a JobInfo the tests read.
type testJobInfo struct {
	ID                     string `json:"id"`
	State                  string `json:"state"`
	Object                 string `json:"object"`
	Operation              string `json:"operation"`
	JobType                string `json:"jobType"`
	NumberRecordsProcessed int    `json:"numberRecordsProcessed"`
	NumberRecordsFailed    int    `json:"numberRecordsFailed"`
	ErrorMessage           string `json:"errorMessage"`
}

// createIngest creates an ingest job and checks it starts Open.
func (o *org) createIngest(body map[string]any) testJobInfo {
	o.t.Helper()
	r := o.do("POST", "/jobs/ingest", body)
	o.mustStatus(r, http.StatusOK)
	var info testJobInfo
	r.json(o.t, &info)
	if info.State != jobOpen || !strings.HasPrefix(info.ID, PrefixBulkJob) {
		o.t.Fatalf("new job %+v", info)
	}
	if _, err := Normalize18(info.ID); err != nil || len(info.ID) != 18 {
		o.t.Fatalf("job id %q: %v", info.ID, err)
	}
	return info
}

// waitJob polls a job until it reaches a final state.
func (o *org) waitJob(kind, id string) testJobInfo {
	o.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := o.do("GET", "/jobs/"+kind+"/"+id, nil)
		o.mustStatus(r, http.StatusOK)
		var info testJobInfo
		r.json(o.t, &info)
		switch info.State {
		case jobComplete, jobFailed, jobAborted:
			return info
		}
		if time.Now().After(deadline) {
			o.t.Fatalf("job %s still %s", id, info.State)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// runIngest creates a job, uploads data, closes it and waits for the end.
func (o *org) runIngest(body map[string]any, data string) testJobInfo {
	o.t.Helper()
	job := o.createIngest(body)
	r := o.doCSV("PUT", "/jobs/ingest/"+job.ID+"/batches", data)
	o.mustStatus(r, http.StatusCreated)
	if len(r.body) != 0 {
		o.t.Fatalf("upload answered a body: %s", r.body)
	}
	r = o.do("PATCH", "/jobs/ingest/"+job.ID, map[string]string{"state": "UploadComplete"})
	o.mustStatus(r, http.StatusOK)
	var closed testJobInfo
	r.json(o.t, &closed)
	if closed.State != jobUploadComplete {
		o.t.Fatalf("closed job is %s", closed.State)
	}
	return o.waitJob("ingest", job.ID)
}

// results downloads one CSV result set as maps keyed by column.
func (o *org) results(id, which string) []map[string]string {
	o.t.Helper()
	r := o.do("GET", "/jobs/ingest/"+id+"/"+which+"/", nil)
	o.mustStatus(r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != "text/csv" {
		o.t.Fatalf("%s content type %q", which, ct)
	}
	return parseCSVMaps(o.t, r.body)
}

func parseCSVMaps(t *testing.T, body []byte) []map[string]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("results CSV %q: %v", body, err)
	}
	if len(rows) == 0 {
		t.Fatalf("results CSV has no header")
	}
	var out []map[string]string
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = row[i]
		}
		out = append(out, m)
	}
	return out
}

// byColumn indexes result rows by one of their columns.
func byColumn(rows []map[string]string, col string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, r := range rows {
		out[r[col]] = r
	}
	return out
}

func TestBulkIngestInsertWithFailingRows(t *testing.T) {
	o := newOrg(t, Options{})
	data := "FirstName,LastName,Email,HasOptedOutOfEmail,Birthdate\n" +
		"Ada,Lovelace,ada@example.com,true,1815-12-10\n" +
		"No,,nolast@example.com,false,\n" +
		"Bad,Email,not-an-email,,\n" +
		"\"Quoted, Name\",\"O\"\"Brien\",,,\n"
	info := o.runIngest(map[string]any{"object": "Contact", "operation": "insert", "lineEnding": "LF"}, data)
	if info.State != jobComplete || info.NumberRecordsProcessed != 4 || info.NumberRecordsFailed != 2 || info.JobType != "V2Ingest" {
		t.Fatalf("job %+v", info)
	}
	ok := byColumn(o.results(info.ID, "successfulResults"), "FirstName")
	failed := byColumn(o.results(info.ID, "failedResults"), "FirstName")
	if n := len(o.results(info.ID, "unprocessedrecords")); n != 0 {
		t.Errorf("%d unprocessed records", n)
	}
	if len(ok) != 2 || len(failed) != 2 {
		t.Fatalf("successful %v failed %v", ok, failed)
	}
	ada := ok["Ada"]
	if ada["sf__Created"] != "true" || ada["Email"] != "ada@example.com" {
		t.Errorf("Ada result %v", ada)
	}
	rec, found := o.srv.Get("Contact", ada["sf__Id"])
	if !found || rec["LastName"] != "Lovelace" || rec["HasOptedOutOfEmail"] != true || rec["Birthdate"] != "1815-12-10" {
		t.Errorf("stored Ada %v", rec)
	}
	if q := ok["Quoted, Name"]; q["LastName"] != `O"Brien` {
		t.Errorf("quoted row %v", q)
	}
	tests := []struct{ first, want string }{
		{"No", "REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --"},
		{"Bad", "INVALID_EMAIL_ADDRESS:Email: invalid email address: not-an-email:Email --"},
	}
	for _, tt := range tests {
		t.Run(tt.first, func(t *testing.T) {
			row := failed[tt.first]
			if row["sf__Error"] != tt.want || row["sf__Id"] != "" {
				t.Errorf("failed row %v, want sf__Error %q", row, tt.want)
			}
		})
	}
	if n := o.srv.Count("Contact"); n != 2 {
		t.Errorf("%d contacts stored, want 2", n)
	}
}

func TestBulkIngestUpdateNullsAndLeavesEmptyCells(t *testing.T) {
	o := newOrg(t, Options{})
	id, err := o.srv.Insert("Contact", map[string]any{"LastName": "Hopper", "Title": "Admiral", "Department": "Navy"})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := o.srv.Insert("Contact", map[string]any{"LastName": "Gone"})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.srv.Delete("Contact", gone); err != nil {
		t.Fatal(err)
	}
	data := "Id,Title,Department,LastName\n" +
		id[:15] + ",Rear Admiral,#N/A,\n" +
		gone + ",x,,\n" +
		"003BAD,x,,\n" +
		id + ",,,#N/A\n"
	info := o.runIngest(map[string]any{"object": "Contact", "operation": "update"}, data)
	if info.NumberRecordsProcessed != 4 || info.NumberRecordsFailed != 3 {
		t.Fatalf("job %+v", info)
	}
	rec, _ := o.srv.Get("Contact", id)
	if rec["Title"] != "Rear Admiral" || rec["Department"] != nil || rec["LastName"] != "Hopper" {
		t.Errorf("updated record %v", rec)
	}
	ok := o.results(info.ID, "successfulResults")
	if len(ok) != 1 || ok[0]["sf__Id"] != id || ok[0]["sf__Created"] != "false" || ok[0]["Id"] != id[:15] {
		t.Errorf("successful %v", ok)
	}
	failed := byColumn(o.results(info.ID, "failedResults"), "Id")
	want := map[string]string{
		gone:     "ENTITY_IS_DELETED:entity is deleted:--",
		"003BAD": "MALFORMED_ID:Contact ID: id value of incorrect type: 003BAD:Id --",
		id:       "REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --",
	}
	for key, w := range want {
		if got := failed[key]["sf__Error"]; got != w {
			t.Errorf("row %s: sf__Error %q, want %q", key, got, w)
		}
	}
}

func TestBulkIngestUpsertAndRelationshipColumns(t *testing.T) {
	o := newOrg(t, Options{})
	existing, err := o.srv.Insert("Contact", map[string]any{"LastName": "Old", "External_Key__c": "K-1"})
	if err != nil {
		t.Fatal(err)
	}
	data := "External_Key__c,LastName\nK-1,Renamed\nK-2,New\n,NoKey\n"
	info := o.runIngest(map[string]any{"object": "Contact", "operation": "upsert", "externalIdFieldName": "External_Key__c"}, data)
	if info.NumberRecordsProcessed != 3 || info.NumberRecordsFailed != 1 {
		t.Fatalf("job %+v", info)
	}
	ok := byColumn(o.results(info.ID, "successfulResults"), "External_Key__c")
	if ok["K-1"]["sf__Id"] != existing || ok["K-1"]["sf__Created"] != "false" || ok["K-2"]["sf__Created"] != "true" {
		t.Errorf("upsert results %v", ok)
	}
	failed := o.results(info.ID, "failedResults")
	if len(failed) != 1 || failed[0]["sf__Error"] != "REQUIRED_FIELD_MISSING:Required fields are missing: [External_Key__c]:External_Key__c --" {
		t.Errorf("failed %v", failed)
	}

	// Cases name their contact by its external id.
	cases := "Subject,Contact.External_Key__c\nLinked,k-2\nOrphan,K-404\nUnlinked,#N/A\n"
	info = o.runIngest(map[string]any{"object": "Case", "operation": "insert"}, cases)
	okCases := byColumn(o.results(info.ID, "successfulResults"), "Subject")
	rec, _ := o.srv.Get("Case", okCases["Linked"]["sf__Id"])
	if rec["ContactId"] != ok["K-2"]["sf__Id"] {
		t.Errorf("linked case contact %v, want %s", rec["ContactId"], ok["K-2"]["sf__Id"])
	}
	if _, linked := okCases["Unlinked"]; !linked {
		t.Errorf("#N/A relationship failed: %v", okCases)
	}
	failedCases := o.results(info.ID, "failedResults")
	if len(failedCases) != 1 || failedCases[0]["sf__Error"] != "INVALID_FIELD:Foreign key external ID: K-404 not found for field External_Key__c in entity Contact:--" {
		t.Errorf("orphan case %v", failedCases)
	}
}

func TestBulkIngestDeleteAndHardDelete(t *testing.T) {
	o := newOrg(t, Options{})
	var ids []string
	for i := range 4 {
		id, err := o.srv.Insert("Account", map[string]any{"Name": fmt.Sprint("Acme ", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	info := o.runIngest(map[string]any{"object": "Account", "operation": "delete"}, "Id\n"+ids[0]+"\n"+ids[1]+"\n001000000000000\n")
	if info.NumberRecordsProcessed != 3 || info.NumberRecordsFailed != 1 {
		t.Fatalf("delete job %+v", info)
	}
	info = o.runIngest(map[string]any{"object": "Account", "operation": "hardDelete"}, "Id\n"+ids[2]+"\n")
	if info.NumberRecordsFailed != 0 {
		t.Fatalf("hardDelete job %+v", info)
	}
	var page struct {
		Records []struct {
			ID        string `json:"Id"`
			IsDeleted bool   `json:"IsDeleted"`
		} `json:"records"`
	}
	o.do("GET", "/queryAll?q=SELECT+Id,IsDeleted+FROM+Account+ORDER+BY+Id", nil).json(t, &page)
	var got []string
	for _, r := range page.Records {
		got = append(got, fmt.Sprint(r.ID[:3], r.IsDeleted))
	}
	// Two soft-deleted records stay in the recycle bin; the hard-deleted one is gone.
	if want := []string{"001true", "001true", "001false"}; !cmp.Equal(got, want) || page.Records[2].ID != ids[3] {
		t.Errorf("queryAll %v, want %v", page.Records, want)
	}
	if _, found := o.srv.Get("Account", ids[2]); found {
		t.Errorf("hard-deleted record still stored")
	}
}

func TestBulkIngestLockFaults(t *testing.T) {
	o := newOrg(t, Options{Faults: Faults{LockRate: 1}})
	info := o.runIngest(map[string]any{"object": "Account", "operation": "insert"}, "Name\nA\nB\n")
	if info.NumberRecordsFailed != 2 {
		t.Fatalf("job %+v", info)
	}
	for _, row := range o.results(info.ID, "failedResults") {
		if !strings.HasPrefix(row["sf__Error"], "UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record") {
			t.Errorf("failed row %v", row)
		}
	}
}

func TestBulkIngestJobDataProblems(t *testing.T) {
	tests := []struct {
		name    string
		job     map[string]any
		data    string
		state   string
		message string
		stored  int
	}{
		{"unknown column", map[string]any{"object": "Account", "operation": "insert"}, "Name,Nope__c\nA,b\n",
			jobFailed, "InvalidBatch : Field name not found : Nope__c", 0},
		{"CRLF data on an LF job", map[string]any{"object": "Account", "operation": "insert"}, "Name\r\nA\r\n",
			jobFailed, "ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF", 0},
		{"CRLF job", map[string]any{"object": "Account", "operation": "insert", "lineEnding": "CRLF"}, "Name\r\nA\r\nB\r\n",
			jobComplete, "", 2},
		{"pipe delimiter", map[string]any{"object": "Account", "operation": "insert", "columnDelimiter": "PIPE"}, "Name|Website\nA, Inc.|a.example\n",
			jobComplete, "", 1},
		{"ragged row", map[string]any{"object": "Account", "operation": "insert"}, "Name,Website\nA\n",
			jobFailed, "ClientInputError : record on line 2: wrong number of fields", 0},
		{"no data", map[string]any{"object": "Account", "operation": "insert"}, "",
			jobComplete, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOrg(t, Options{})
			info := o.runIngest(tt.job, tt.data)
			if info.State != tt.state || info.ErrorMessage != tt.message {
				t.Errorf("job %s %q, want %s %q", info.State, info.ErrorMessage, tt.state, tt.message)
			}
			if n := o.srv.Count("Account"); n != tt.stored {
				t.Errorf("%d accounts stored, want %d", n, tt.stored)
			}
		})
	}
}

func TestBulkIngestRefusedRequests(t *testing.T) {
	o := newOrg(t, Options{})
	tests := []struct {
		name string
		body map[string]any
	}{
		{"unknown object", map[string]any{"object": "Nope", "operation": "insert"}},
		{"unknown operation", map[string]any{"object": "Account", "operation": "merge"}},
		{"upsert without field", map[string]any{"object": "Contact", "operation": "upsert"}},
		{"upsert on a plain field", map[string]any{"object": "Contact", "operation": "upsert", "externalIdFieldName": "LastName"}},
		{"JSON content", map[string]any{"object": "Account", "operation": "insert", "contentType": "JSON"}},
		{"bad delimiter", map[string]any{"object": "Account", "operation": "insert", "columnDelimiter": "COLON"}},
		{"bad line ending", map[string]any{"object": "Account", "operation": "insert", "lineEnding": "CR"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := o.do("POST", "/jobs/ingest", tt.body)
			if r.status != http.StatusBadRequest || !cmp.Equal(r.errorCodes(t), []string{codeInvalidJob}) {
				t.Errorf("status %d body %s", r.status, r.body)
			}
		})
	}
}

func TestBulkJobStateRules(t *testing.T) {
	o := newOrg(t, Options{})
	job := o.createIngest(map[string]any{"object": "Account", "operation": "insert"})
	path := "/jobs/ingest/" + job.ID
	o.mustStatus(o.doCSV("PUT", path+"/batches", "Name\nA\n"), http.StatusCreated)

	second := o.doCSV("PUT", path+"/batches", "Name\nB\n")
	if second.status != http.StatusConflict || !strings.Contains(string(second.body), "Found multiple contents for job") {
		t.Errorf("second upload: %d %s", second.status, second.body)
	}
	if r := o.do("DELETE", path, nil); r.status != http.StatusConflict {
		t.Errorf("delete of an Open job: %d %s", r.status, r.body)
	}
	r := o.do("PATCH", path, map[string]string{"state": "Aborted"})
	o.mustStatus(r, http.StatusOK)
	var aborted testJobInfo
	r.json(t, &aborted)
	if aborted.State != jobAborted {
		t.Errorf("abort answered %+v", aborted)
	}
	for _, tt := range []struct {
		name   string
		resp   response
		status int
	}{
		{"close after abort", o.do("PATCH", path, map[string]string{"state": "UploadComplete"}), http.StatusConflict},
		{"abort twice", o.do("PATCH", path, map[string]string{"state": "Aborted"}), http.StatusConflict},
		{"upload after abort", o.doCSV("PUT", path+"/batches", "Name\nC\n"), http.StatusConflict},
		{"unknown state", o.do("PATCH", path, map[string]string{"state": "Open"}), http.StatusBadRequest},
		{"wrong method", o.do("POST", path, map[string]string{}), http.StatusMethodNotAllowed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.resp.status != tt.status {
				t.Errorf("status %d, want %d: %s", tt.resp.status, tt.status, tt.resp.body)
			}
		})
	}
	// Aborted before processing: nothing written, the data is unprocessed.
	if n := o.srv.Count("Account"); n != 0 {
		t.Errorf("%d accounts written by an aborted job", n)
	}
	if un := o.results(job.ID, "unprocessedrecords"); len(un) != 1 || un[0]["Name"] != "A" {
		t.Errorf("unprocessed %v", un)
	}

	// Listing shows the job; deleting removes it.
	var list struct {
		Done           bool             `json:"done"`
		Records        []testJobInfo    `json:"records"`
		NextRecordsURL *json.RawMessage `json:"nextRecordsUrl"`
	}
	o.do("GET", "/jobs/ingest", nil).json(t, &list)
	if !list.Done || len(list.Records) != 1 || list.Records[0].ID != job.ID || list.NextRecordsURL != nil {
		t.Errorf("job list %+v", list)
	}
	o.mustStatus(o.do("DELETE", path, nil), http.StatusNoContent)
	o.mustStatus(o.do("GET", path, nil), http.StatusNotFound)
}

func TestBulkUnknownJobs(t *testing.T) {
	o := newOrg(t, Options{})
	ingest := o.createIngest(map[string]any{"object": "Account", "operation": "insert"})
	paths := []string{
		"/jobs/ingest/" + newID(PrefixBulkJob, 999),
		"/jobs/ingest/not-a-job-id",
		"/jobs/ingest/" + newID(PrefixBulkJob, 999) + "/successfulResults/",
		"/jobs/query/" + ingest.ID, // an ingest job is not a query job
		"/jobs/query/" + newID(PrefixBulkJob, 999) + "/results",
		"/jobs/other",
	}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			r := o.do("GET", p, nil)
			want := `[{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}]`
			if r.status != http.StatusNotFound || string(r.body) != want {
				t.Errorf("status %d body %s", r.status, r.body)
			}
		})
	}
}

// TestBulkIngestShowsInProgress holds the org's write lock so the job stays
// InProgress while the test looks at it.
func TestBulkIngestShowsInProgress(t *testing.T) {
	o := newOrg(t, Options{})
	job := o.createIngest(map[string]any{"object": "Account", "operation": "insert"})
	o.mustStatus(o.doCSV("PUT", "/jobs/ingest/"+job.ID+"/batches", "Name\nA\nB\n"), http.StatusCreated)
	tx := o.srv.begin()
	released := false
	defer func() {
		if !released {
			_ = tx.commit()
		}
	}()
	o.mustStatus(o.do("PATCH", "/jobs/ingest/"+job.ID, map[string]string{"state": "UploadComplete"}), http.StatusOK)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var info testJobInfo
		o.do("GET", "/jobs/ingest/"+job.ID, nil).json(t, &info)
		if info.State == jobInProgress {
			break
		}
		if info.State != jobUploadComplete || time.Now().After(deadline) {
			t.Fatalf("job %+v", info)
		}
		time.Sleep(time.Millisecond)
	}
	if ok := o.results(job.ID, "successfulResults"); len(ok) != 0 {
		t.Errorf("successful results while in progress: %v", ok)
	}
	if un := o.results(job.ID, "unprocessedrecords"); len(un) != 2 {
		t.Errorf("unprocessed while in progress: %v", un)
	}
	released = true
	if err := tx.commit(); err != nil {
		t.Fatal(err)
	}
	if info := o.waitJob("ingest", job.ID); info.State != jobComplete || info.NumberRecordsProcessed != 2 {
		t.Errorf("job %+v", info)
	}
}

func TestBulkCountsAPICallsAndLimit(t *testing.T) {
	o := newOrg(t, Options{})
	before, _ := o.srv.APIUsage()
	job := o.createIngest(map[string]any{"object": "Account", "operation": "insert"})
	o.doCSV("PUT", "/jobs/ingest/"+job.ID+"/batches", "Name\nA\n")
	o.do("GET", "/jobs/ingest/"+job.ID, nil)
	if after, _ := o.srv.APIUsage(); after-before != 3 {
		t.Errorf("3 bulk calls counted %d", after-before)
	}
	used, _ := o.srv.APIUsage()
	o.srv.SetDailyAPILimit(used)
	r := o.do("GET", "/jobs/ingest/"+job.ID, nil)
	if r.status != http.StatusForbidden || !cmp.Equal(r.errorCodes(t), []string{codeRequestLimit}) {
		t.Errorf("past the limit: %d %s", r.status, r.body)
	}
	if got := r.header.Get("Sforce-Limit-Info"); got != fmt.Sprintf("api-usage=%d/%d", used, used) {
		t.Errorf("Sforce-Limit-Info %q", got)
	}
}

func TestGoldenBulkJobInfo(t *testing.T) {
	o := newOrg(t, Options{})
	r := o.do("POST", "/jobs/ingest", map[string]any{"object": "Contact", "operation": "upsert",
		"externalIdFieldName": "External_Key__c", "contentType": "CSV", "lineEnding": "LF", "columnDelimiter": "COMMA"})
	o.mustStatus(r, http.StatusOK)
	goldenJSON(t, "bulk_ingest_create.json", r.body)
	var job testJobInfo
	r.json(t, &job)
	o.runIngestInto(job.ID, "External_Key__c,LastName\nG-1,Golden\nG-2,\n")
	goldenJSON(t, "bulk_ingest_complete.json", o.do("GET", "/jobs/ingest/"+job.ID, nil).body)

	r = o.do("POST", "/jobs/query", map[string]any{"operation": "query", "query": "SELECT Id, LastName FROM Contact"})
	o.mustStatus(r, http.StatusOK)
	goldenJSON(t, "bulk_query_create.json", r.body)
	r.json(t, &job)
	o.waitJob("query", job.ID)
	goldenJSON(t, "bulk_query_complete.json", o.do("GET", "/jobs/query/"+job.ID, nil).body)
}

// runIngestInto uploads into an existing job, closes it and waits.
func (o *org) runIngestInto(id, data string) testJobInfo {
	o.t.Helper()
	o.mustStatus(o.doCSV("PUT", "/jobs/ingest/"+id+"/batches", data), http.StatusCreated)
	o.mustStatus(o.do("PATCH", "/jobs/ingest/"+id, map[string]string{"state": "UploadComplete"}), http.StatusOK)
	return o.waitJob("ingest", id)
}

// createQuery starts a query job and waits for it.
func (o *org) createQuery(operation, soql string) testJobInfo {
	o.t.Helper()
	r := o.do("POST", "/jobs/query", map[string]any{"operation": operation, "query": soql})
	o.mustStatus(r, http.StatusOK)
	var info testJobInfo
	r.json(o.t, &info)
	if info.State != jobUploadComplete {
		o.t.Fatalf("new query job %+v", info)
	}
	return o.waitJob("query", info.ID)
}

func TestBulkQueryPagesWithLocators(t *testing.T) {
	o := newOrg(t, Options{})
	const n = 25000
	tx := o.srv.begin()
	accounts := o.srv.tables[o.srv.mustObject("Account")]
	contacts := o.srv.tables[o.srv.mustObject("Contact")]
	acct, errs := tx.insert(accounts, map[string]any{"Name": `Acme, "Quoted" Inc.`}, writeMode{})
	if errs != nil {
		t.Fatal(errs)
	}
	for i := range n {
		fields := map[string]any{"LastName": fmt.Sprintf("Last%05d", i), "Email": fmt.Sprintf("p%d@example.com", i)}
		if i%2 == 0 {
			fields["AccountId"] = acct.id(accounts.obj)
		}
		if _, errs := tx.insert(contacts, fields, writeMode{}); errs != nil {
			t.Fatal(errs)
		}
	}
	if err := tx.commit(); err != nil {
		t.Fatal(err)
	}
	job := o.createQuery("query", "SELECT Id, LastName, Account.Name, CreatedDate FROM Contact ORDER BY LastName")
	if job.State != jobComplete || job.NumberRecordsProcessed != n || job.JobType != "V2Query" {
		t.Fatalf("query job %+v", job)
	}
	seen := map[string]bool{}
	locator, pages := "", 0
	for {
		path := "/jobs/query/" + job.ID + "/results?maxRecords=10000"
		if locator != "" {
			path += "&locator=" + locator
		}
		r := o.do("GET", path, nil, "Accept", "text/csv")
		o.mustStatus(r, http.StatusOK)
		pages++
		rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"Id", "LastName", "Account.Name", "CreatedDate"}; !cmp.Equal(rows[0], want) {
			t.Fatalf("page %d header %v", pages, rows[0])
		}
		if got := r.header.Get("Sforce-NumberOfRecords"); got != strconv.Itoa(len(rows)-1) {
			t.Errorf("page %d: Sforce-NumberOfRecords %s for %d rows", pages, got, len(rows)-1)
		}
		for i, row := range rows[1:] {
			if seen[row[0]] {
				t.Fatalf("id %s twice", row[0])
			}
			seen[row[0]] = true
			k := len(seen) - 1
			wantAccount := ""
			if k%2 == 0 {
				wantAccount = `Acme, "Quoted" Inc.`
			}
			if row[1] != fmt.Sprintf("Last%05d", k) || row[2] != wantAccount || row[3] != "2026-03-10T09:30:00.000Z" {
				t.Fatalf("page %d row %d: %v", pages, i, row)
			}
		}
		locator = r.header.Get("Sforce-Locator")
		if locator == "null" {
			break
		}
		if locator == "" || pages > 3 {
			t.Fatalf("page %d: locator %q", pages, locator)
		}
	}
	if pages != 3 || len(seen) != n {
		t.Errorf("%d pages, %d records", pages, len(seen))
	}
}

func TestBulkQueryAllAndErrors(t *testing.T) {
	o := newOrg(t, Options{})
	id, _ := o.srv.Insert("Lead", map[string]any{"LastName": "Gone", "Company": "X"})
	if _, err := o.srv.Insert("Lead", map[string]any{"LastName": "Here", "Company": "Y"}); err != nil {
		t.Fatal(err)
	}
	if err := o.srv.Delete("Lead", id); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		op   string
		want int
	}{{"query", 1}, {"queryAll", 2}} {
		t.Run(tt.op, func(t *testing.T) {
			job := o.createQuery(tt.op, "SELECT Id, IsDeleted FROM Lead")
			r := o.do("GET", "/jobs/query/"+job.ID+"/results", nil)
			if rows := parseCSVMaps(t, r.body); len(rows) != tt.want || r.header.Get("Sforce-Locator") != "null" {
				t.Errorf("%d rows, locator %q", len(rows), r.header.Get("Sforce-Locator"))
			}
		})
	}
	refused := []struct {
		name, query, code string
	}{
		{"malformed", "SELECT FROM Lead", "MALFORMED_QUERY"},
		{"unknown field", "SELECT Nope FROM Lead", "INVALID_FIELD"},
		{"count", "SELECT COUNT() FROM Lead", codeInvalidJob},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			r := o.do("POST", "/jobs/query", map[string]any{"operation": "query", "query": tt.query})
			if r.status != http.StatusBadRequest || !cmp.Equal(r.errorCodes(t), []string{tt.code}) {
				t.Errorf("%d %s", r.status, r.body)
			}
		})
	}
	job := o.createQuery("query", "SELECT Id FROM Lead")
	if r := o.do("GET", "/jobs/query/"+job.ID+"/results?locator=!!", nil); r.status != http.StatusBadRequest {
		t.Errorf("bad locator: %d %s", r.status, r.body)
	}
	if r := o.do("GET", "/jobs/query/"+job.ID+"/results?maxRecords=0", nil); r.status != http.StatusBadRequest {
		t.Errorf("maxRecords=0: %d %s", r.status, r.body)
	}
	o.mustStatus(o.do("DELETE", "/jobs/query/"+job.ID, nil), http.StatusNoContent)
}

// TestBulkQueryNotComplete holds the org's write lock so the query cannot
// run, and asks for its results.
func TestBulkQueryNotComplete(t *testing.T) {
	o := newOrg(t, Options{})
	tx := o.srv.begin()
	r := o.do("POST", "/jobs/query", map[string]any{"operation": "query", "query": "SELECT Id FROM Account"})
	var job testJobInfo
	r.json(t, &job)
	deadline := time.Now().Add(10 * time.Second)
	for job.State != jobInProgress && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
		o.do("GET", "/jobs/query/"+job.ID, nil).json(t, &job)
	}
	res := o.do("GET", "/jobs/query/"+job.ID+"/results", nil)
	want := `[{"message":"can only download query results of successfully completed bulk job with status: JOB_COMPLETE. Current status: IN_PROGRESS","errorCode":"JOB_NOT_COMPLETE"}]`
	if res.status != http.StatusPreconditionFailed || string(res.body) != want {
		t.Errorf("%d %s", res.status, res.body)
	}
	abort := o.do("PATCH", "/jobs/query/"+job.ID, map[string]string{"state": "Aborted"})
	if err := tx.commit(); err != nil {
		t.Fatal(err)
	}
	o.mustStatus(abort, http.StatusOK)
	if final := o.waitJob("query", job.ID); final.State != jobAborted {
		t.Errorf("aborted query ended %s", final.State)
	}
	res = o.do("GET", "/jobs/query/"+job.ID+"/results", nil)
	if res.status != http.StatusPreconditionFailed || !strings.Contains(string(res.body), "Current status: ABORTED") {
		t.Errorf("%d %s", res.status, res.body)
	}
}

func TestBulkValueFormats(t *testing.T) {
	tests := []struct {
		name string
		f    *Field
		v    any
		want string
	}{
		{"null", &Field{Type: typeString}, nil, ""},
		{"text", &Field{Type: typeString}, "a,b", "a,b"},
		{"datetime", &Field{Type: typeDatetime}, "2026-03-10T09:30:00.000+0000", "2026-03-10T09:30:00.000Z"},
		{"date", &Field{Type: typeDate}, "2026-03-10", "2026-03-10"},
		{"currency", &Field{Type: typeCurrency}, 1500.0, "1500.0"},
		{"int", &Field{Type: typeInt}, 42.0, "42"},
		{"bool", &Field{Type: typeBoolean}, true, "true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := bulkValue(tt.f, tt.v); got != tt.want {
				t.Errorf("bulkValue = %q, want %q", got, tt.want)
			}
		})
	}
	for _, tt := range []struct{ in, want string }{
		{"JobComplete", "JOB_COMPLETE"}, {"InProgress", "IN_PROGRESS"}, {"Aborted", "ABORTED"},
	} {
		if got := jobStateCode(tt.in); got != tt.want {
			t.Errorf("jobStateCode(%s) = %s", tt.in, got)
		}
	}
	for _, off := range []int{0, 1, 10000, 123456} {
		if got, ok := decodeLocator(encodeLocator(off)); !ok || got != off {
			t.Errorf("locator round trip %d → %d", off, got)
		}
	}
	if encodeLocator(10000) != "MTAwMDA" {
		t.Errorf("locator of 10000 is %s, Salesforce's is MTAwMDA", encodeLocator(10000))
	}
}

// FuzzParseJobData checks that any upload parses or fails cleanly, and
// that parsed rows are as wide as the header.
func FuzzParseJobData(f *testing.F) {
	f.Add([]byte("Name,Website\nA,a.example\n"), "COMMA", "LF")
	f.Add([]byte("Name\r\n\"x\r\ny\"\r\n"), "COMMA", "CRLF")
	f.Add([]byte("\xef\xbb\xbfId|Name\n001|#N/A\n"), "PIPE", "LF")
	f.Add([]byte("a\tb\n\"unterminated\n"), "TAB", "LF")
	f.Add([]byte(""), "SEMICOLON", "LF")
	f.Fuzz(func(t *testing.T, data []byte, delimiter, lineEnding string) {
		if _, ok := bulkDelimiters[delimiter]; !ok {
			delimiter = "COMMA"
		}
		header, rows, err := parseJobData(data, delimiter, lineEnding)
		if err != nil {
			return
		}
		for _, row := range rows {
			if len(row) != len(header) {
				t.Fatalf("row %q for header %q", row, header)
			}
		}
	})
}
