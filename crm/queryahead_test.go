package crm

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// pagedMux serves a queryAll of three pages of two records each (ids r0 to
// r5), counting the requests.
func pagedMux(requests *atomic.Int32) *http.ServeMux {
	page := func(n int) []byte {
		next := ""
		if n < 2 {
			next = fmt.Sprintf(`"nextRecordsUrl":"/services/data/v62.0/query/01gX-%d",`, 2*(n+1))
		}
		return fmt.Appendf(nil, `{"totalSize":6,"done":%t,%s"records":[{"attributes":{"type":"Contact"},"Id":"r%d"},{"attributes":{"type":"Contact"},"Id":"r%d"}]}`,
			n == 2, next, 2*n, 2*n+1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /services/data/v62.0/queryAll", func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		serveJSON(200, page(0))(w, r)
	})
	for n := 1; n <= 2; n++ {
		mux.HandleFunc(fmt.Sprintf("GET /services/data/v62.0/query/01gX-%d", 2*n), func(w http.ResponseWriter, r *http.Request) {
			requests.Add(1)
			serveJSON(200, page(n))(w, r)
		})
	}
	return mux
}

// TestQueryAllWithTotalReadsAhead: the next page is requested while the
// caller is still on the current one, every record arrives once and in
// order, and the calls are the pages.
func TestQueryAllWithTotalReadsAhead(t *testing.T) {
	var requests atomic.Int32
	c := setup(t, pagedMux(&requests))
	total := -1
	var got []string
	for rec, err := range c.QueryAllWithTotal(context.Background(), "SELECT Id FROM Contact", func(n int) { total = n }) {
		if err != nil {
			t.Fatal(err)
		}
		if total != 6 {
			t.Fatalf("total = %d before the first record, want 6", total)
		}
		got = append(got, rec.ID)
		if rec.ID == "r1" { // the last record of the first page
			deadline := time.Now().Add(5 * time.Second)
			for requests.Load() < 2 && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			if requests.Load() < 2 {
				t.Fatal("the second page was not requested while the first was being read")
			}
		}
	}
	if diff := cmp.Diff([]string{"r0", "r1", "r2", "r3", "r4", "r5"}, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if requests.Load() != 3 || c.Calls() != 3 {
		t.Errorf("requests = %d, calls = %d; want 3 pages", requests.Load(), c.Calls())
	}
}

// TestQueryAllWithTotalStopsAtFirstRecordWithoutReadingAhead: a caller
// that stops at the first record (the pull does, to switch to Bulk API
// 2.0 on a large totalSize) spends one call.
func TestQueryAllWithTotalStopsAtFirstRecordWithoutReadingAhead(t *testing.T) {
	var requests atomic.Int32
	c := setup(t, pagedMux(&requests))
	for _, err := range c.QueryAllWithTotal(context.Background(), "SELECT Id FROM Contact", nil) {
		if err != nil {
			t.Fatal(err)
		}
		break
	}
	if requests.Load() != 1 || c.Calls() != 1 {
		t.Errorf("requests = %d, calls = %d after stopping at the first record; want 1", requests.Load(), c.Calls())
	}
	// stopping later returns only once the page read ahead is settled
	for rec, err := range c.QueryAllWithTotal(context.Background(), "SELECT Id FROM Contact", nil) {
		if err != nil {
			t.Fatal(err)
		}
		if rec.ID == "r1" {
			break
		}
	}
	if n := requests.Load(); n > 3 {
		t.Errorf("requests = %d after stopping in the first page; at most one page read ahead", n)
	}
}

// TestDecodeQueryPageOutOfOrder: a page whose records come before its
// totalSize and nextRecordsUrl (Salesforce never sends that) still hands
// the head first.
func TestDecodeQueryPageOutOfOrder(t *testing.T) {
	body := []byte(`{"records":[{"Id":"a"},{"Id":"b"}],"totalSize":9,"extra":{"x":[1]},"done":false,"nextRecordsUrl":"/next"}`)
	var events []string
	err := decodeQueryPage(body, func(h queryPage) {
		events = append(events, fmt.Sprintf("head %d %t %s", h.TotalSize, h.Done, h.NextRecordsURL))
	}, func(m map[string]any, first bool) bool {
		events = append(events, fmt.Sprintf("rec %v %t", m["Id"], first))
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"head 9 false /next", "rec a true", "rec b false"}
	if diff := cmp.Diff(want, events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if err := decodeQueryPage([]byte(`{"records":[{"Id":`), func(queryPage) {}, func(map[string]any, bool) bool { return true }); err == nil {
		t.Error("a truncated page decoded without error")
	}
}
