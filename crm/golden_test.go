package crm

import (
	"bytes"
	"context"
	"crmsheets/internal/golden"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// wireRecorder answers every request with a plausible success and keeps a
// readable transcript of what the client sent.
type wireRecorder struct {
	mu  sync.Mutex
	log bytes.Buffer
}

func (w *wireRecorder) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.mu.Lock()
	fmt.Fprintf(&w.log, "%s %s\n", r.Method, r.URL.RequestURI())
	for _, h := range []string{"Content-Type", "Accept", "Sforce-Query-Options"} {
		if v := r.Header.Get(h); v != "" {
			fmt.Fprintf(&w.log, "%s: %s\n", h, v)
		}
	}
	if len(body) > 0 {
		var v any
		if json.Unmarshal(body, &v) == nil {
			pretty, _ := json.MarshalIndent(v, "", "  ")
			body = pretty
		}
		fmt.Fprintf(&w.log, "\n%s\n", body)
	}
	w.log.WriteString("----\n")
	w.mu.Unlock()
	switch {
	case strings.Contains(r.URL.Path, "/composite/sobjects"):
		n := max(strings.Count(string(body), `"attributes"`), len(strings.Split(r.URL.Query().Get("ids"), ",")))
		res := make([]Result, n)
		for i := range res {
			res[i] = Result{ID: "001000000000001AAA", Success: true}
		}
		serveJSON(200, mustJSON(res))(rw, r)
	case strings.Contains(r.URL.Path, "/jobs/ingest") && r.Method == http.MethodPut:
		rw.WriteHeader(http.StatusCreated)
	case strings.HasSuffix(r.URL.Path, "Results/") || strings.HasSuffix(r.URL.Path, "records/"):
		rw.Header().Set("Content-Type", "text/csv")
	case strings.Contains(r.URL.Path, "/jobs/"):
		serveJSON(200, []byte(`{"id":"7500000000000AAAAA","state":"JobComplete"}`))(rw, r)
	default:
		serveJSON(200, []byte(`{"totalSize":0,"done":true,"records":[]}`))(rw, r)
	}
}

// TestWireGolden pins the requests the client sends for each operation.
// Run with -update after an intended change and review the diff.
func TestWireGolden(t *testing.T) {
	ctx := context.Background()
	recs := []Record{
		{ID: "0015500001QdZPKAA3", Fields: map[string]any{"Name": "O'Brien & Co", "Industry": nil, "Parent.Ext__c": "P-1"}},
		{ID: "0015500001QdQWfAAN", Fields: map[string]any{"Name": "Acme", "NumberOfEmployees": 12.0}},
	}
	ops := []struct {
		name string
		run  func(c *Client) error
	}{
		{"query", func(c *Client) error {
			q, err := Select("Id", "Name", "Account.Name").From("Contact").Where("Email", "=", "o'b@x.com").Build()
			if err != nil {
				return err
			}
			for _, err := range c.Query(ctx, q) {
				return err
			}
			return nil
		}},
		{"create", func(c *Client) error { _, err := c.Create(ctx, "Account", recs); return err }},
		{"update", func(c *Client) error { _, err := c.Update(ctx, "Account", recs); return err }},
		{"upsert", func(c *Client) error {
			withKey := []Record{{Fields: map[string]any{"Ext__c": "E-1", "Name": "O'Brien & Co"}}, {Fields: map[string]any{"Ext__c": "E-2", "Name": "Acme"}}}
			_, err := c.Upsert(ctx, "Account", "Ext__c", withKey)
			return err
		}},
		{"delete", func(c *Client) error { _, err := c.Delete(ctx, []string{recs[0].ID, recs[1].ID}); return err }},
		{"bulk_update", func(c *Client) error { _, err := c.BulkIngest(ctx, "Account", OpUpdate, "", recs, nil); return err }},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			rec := &wireRecorder{}
			mux := http.NewServeMux()
			mux.Handle("/", rec)
			c := setup(t, mux, WithQueryBatchSize(1000), WithBulkPolling(time.Millisecond, time.Millisecond))
			if err := op.run(c); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "golden", op.name+".golden"), rec.log.Bytes())
		})
	}
}
