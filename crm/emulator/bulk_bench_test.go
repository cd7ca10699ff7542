package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// BenchmarkBulkIngestUpdate10k times a whole Bulk API 2.0 update of 10,000
// contacts over HTTP: create the job, upload the CSV, close it, poll until
// JobComplete and download the successful results.
func BenchmarkBulkIngestUpdate10k(b *testing.B) {
	const n = 10000
	srv, token := benchOrg(b, n)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	base := ts.URL + "/services/data/v62.0/jobs/ingest"
	call := func(method, url, contentType string, body []byte) []byte {
		req, err := http.NewRequest(method, url, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer res.Body.Close()
		out, err := io.ReadAll(res.Body)
		if err != nil || res.StatusCode >= 300 {
			b.Fatalf("%s %s: %d %s %v", method, url, res.StatusCode, out, err)
		}
		return out
	}
	var csvBuf strings.Builder
	csvBuf.WriteString("Id,Title,Department\n")
	for _, r := range srv.Records("Contact") {
		fmt.Fprintf(&csvBuf, "%s,Director,Sales %d\n", r["Id"], csvBuf.Len()%7)
	}
	data := []byte(csvBuf.String())
	jobBody := []byte(`{"object":"Contact","operation":"update","contentType":"CSV","lineEnding":"LF"}`)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		var job struct {
			ID, State              string
			NumberRecordsProcessed int
		}
		if err := json.Unmarshal(call("POST", base, "application/json", jobBody), &job); err != nil {
			b.Fatal(err)
		}
		call("PUT", base+"/"+job.ID+"/batches", "text/csv", data)
		call("PATCH", base+"/"+job.ID, "application/json", []byte(`{"state":"UploadComplete"}`))
		for job.State != jobComplete {
			time.Sleep(time.Millisecond)
			if err := json.Unmarshal(call("GET", base+"/"+job.ID, "", nil), &job); err != nil {
				b.Fatal(err)
			}
			if job.State == jobFailed || job.State == jobAborted {
				b.Fatalf("job ended %s", job.State)
			}
		}
		if job.NumberRecordsProcessed != n {
			b.Fatalf("processed %d", job.NumberRecordsProcessed)
		}
		if got := bytes.Count(call("GET", base+"/"+job.ID+"/successfulResults/", "", nil), []byte{'\n'}); got != n+1 {
			b.Fatalf("%d result lines", got)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
}
