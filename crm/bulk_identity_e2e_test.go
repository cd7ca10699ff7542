package crm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"crmsheets/crm"
)

// TestBulkResultsMappedByIdentity: the demo org returns result files out of
// upload order, with Salesforce's spelling of the values (1500.50 as
// 1500.5, TRUE as true, padded text trimmed), so matching result rows by
// their echoed text would attach ids to the wrong rows or to none. Inserts
// correlate by the key field, updates by sf__Id.
func TestBulkResultsMappedByIdentity(t *testing.T) {
	o := newOrg(t, 0, crm.WithBulkPolling(5*time.Millisecond, 50*time.Millisecond))
	ctx := context.Background()
	const n = 500
	recs := make([]crm.Record, n)
	for i := range recs {
		recs[i] = crm.Record{Fields: map[string]any{
			"LastName":           fmt.Sprintf("  Person %03d  ", i), // trimmed by the org
			"Email":              fmt.Sprintf("p%03d@example.com", i),
			"HasOptedOutOfEmail": []string{"TRUE", "False"}[i%2],
		}}
		if i%50 == 3 {
			delete(recs[i].Fields, "LastName") // required: fails
		}
	}
	res, err := o.client.BulkIngest(ctx, "Contact", crm.OpInsert, "Email", recs, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if i%50 == 3 {
			if r.Success || r.Errors[0].StatusCode != crm.CodeRequiredFieldMissing {
				t.Errorf("record %d (no LastName) = %+v", i, r)
			}
			continue
		}
		if !r.Success {
			t.Fatalf("record %d = %+v", i, r)
		}
		got, ok := o.srv.Get("Contact", r.ID)
		if !ok || got["Email"] != recs[i].Fields["Email"] {
			t.Fatalf("result %d points at %v, want %v", i, got["Email"], recs[i].Fields["Email"])
		}
	}

	// Updates by sf__Id, with values the org re-spells, and one refused.
	var ups []crm.Record
	for i, r := range res {
		if r.Success {
			f := map[string]any{"Title": fmt.Sprintf(" Title %d ", i)}
			if len(ups) == 10 {
				f["Email"] = "not an email" // INVALID_EMAIL_ADDRESS
			}
			ups = append(ups, crm.Record{ID: r.ID, Fields: f})
		}
	}
	ures, err := o.client.BulkIngest(ctx, "Contact", crm.OpUpdate, "", ups, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range ures {
		if i == 10 {
			if r.Success || r.ID != ups[i].ID {
				t.Errorf("refused update %d = %+v", i, r)
			}
			continue
		}
		if !r.Success || r.ID != ups[i].ID {
			t.Fatalf("update %d = %+v, want success on %s", i, r, ups[i].ID)
		}
	}
}

// TestBulkIngestSplitsBeyondTheUploadLimit: an upload larger than the
// limit goes out as several jobs, each under it, results in input order.
func TestBulkIngestSplitsBeyondTheUploadLimit(t *testing.T) {
	t.Run("in memory", testBulkIngestSplits)
	t.Run("from a work file", func(t *testing.T) {
		defer crm.SetBulkSpillBytes(1000)()
		testBulkIngestSplits(t)
	})
}

func testBulkIngestSplits(t *testing.T) {
	defer crm.SetBulkUploadLimit(4000)()
	o := newOrg(t, 0, crm.WithBulkPolling(5*time.Millisecond, 50*time.Millisecond))
	recs := make([]crm.Record, 300)
	for i := range recs {
		recs[i] = crm.Record{Fields: map[string]any{"Name": fmt.Sprintf("Split %03d %s", i, strings.Repeat("x", 20))}}
		if i%10 == 3 {
			recs[i].Fields["NumberOfEmployees"] = "many" // refused: not a number
		}
	}
	// The progress counts the whole write, across its jobs: it never goes
	// back, and it ends with every record processed and every refusal.
	var last crm.BulkProgress
	res, err := o.client.BulkIngest(context.Background(), "Account", crm.OpInsert, "Name", recs, func(p crm.BulkProgress) {
		if p.Processed < last.Processed || p.Failed < last.Failed || p.Processed > p.Total || p.Total != len(recs) {
			t.Errorf("progress %+v after %+v", p, last)
		}
		last = p
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if i%10 == 3 {
			if r.Success {
				t.Errorf("record %d with a bad number taken: %+v", i, r)
			}
			continue
		}
		got, ok := o.srv.Get("Account", r.ID)
		if !r.Success || !ok || got["Name"] != recs[i].Fields["Name"] {
			t.Fatalf("record %d = %+v (%v)", i, r, got["Name"])
		}
	}
	if want := (crm.BulkProgress{JobID: last.JobID, State: crm.BulkJobComplete, Processed: len(recs), Failed: len(recs) / 10, Total: len(recs)}); last != want {
		t.Errorf("last progress %+v, want %+v", last, want)
	}
	resp, err := o.hc.Get(o.url + "/services/data/v66.0/jobs/ingest")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Records []struct{ ID string } `json:"records"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	if jobs := len(list.Records); jobs < 3 {
		t.Errorf("%d jobs for ~12 KB of CSV at a 4 KB limit, want at least 3", jobs)
	}
}

// TestBulkInsertUnmatchedStaysUnknown: an insert whose result row matches
// no input (here, two inputs that are one normalization apart) is reported
// as an unknown outcome to reconcile by key, never as a failure a caller
// would resend into a duplicate.
func TestBulkInsertUnmatchedStaysUnknown(t *testing.T) {
	o := newOrg(t, 0, crm.WithBulkPolling(5*time.Millisecond, 50*time.Millisecond))
	recs := []crm.Record{
		{Fields: map[string]any{"Name": "Twin", "NumberOfEmployees": "12"}},
		{Fields: map[string]any{"Name": "Twin", "NumberOfEmployees": "12.0"}},
		{Fields: map[string]any{"Name": "Single"}},
	}
	res, err := o.client.BulkIngest(context.Background(), "Account", crm.OpInsert, "", recs, nil)
	var unknown *crm.OutcomeUnknownError
	if !errors.As(err, &unknown) || !errors.Is(err, crm.ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want an OutcomeUnknownError", err)
	}
	if len(unknown.Indexes) != 2 || res[0].Errors[0].StatusCode != crm.CodeOutcomeUnknown || !res[2].Success {
		t.Errorf("unknown = %v, results = %+v", unknown.Indexes, res)
	}
	if !strings.Contains(err.Error(), "look them up by key") {
		t.Errorf("message %q does not say what to do", err)
	}
}

// TestBulkIngestEachWithOneMap: BulkIngestEach is done with each record
// before asking for the next, so a caller may hand out one Fields map
// refilled on every call; inserts still correlate by every cell (no key
// field) and each result lands on its own record.
func TestBulkIngestEachWithOneMap(t *testing.T) {
	o := newOrg(t, 0, crm.WithBulkPolling(5*time.Millisecond, 50*time.Millisecond))
	ctx := context.Background()
	const n = 50
	fields := map[string]any{}
	rec := func(i int) crm.Record {
		clear(fields)
		fields["LastName"] = fmt.Sprintf("Shared %02d", i)
		fields["Email"] = fmt.Sprintf("shared%02d@example.com", i)
		if i%10 == 7 {
			delete(fields, "LastName") // required: fails
		}
		return crm.Record{Fields: fields}
	}
	res := make([]crm.Result, n)
	calls := 0
	err := o.client.BulkIngestEach(ctx, "Contact", crm.OpInsert, "", n, rec, nil, func(i int, r crm.Result) {
		res[i] = r
		calls++
	})
	if calls != n {
		t.Errorf("%d results for %d records", calls, n)
	}
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if i%10 == 7 {
			if r.Success || len(r.Errors) == 0 || r.Errors[0].StatusCode != crm.CodeRequiredFieldMissing {
				t.Errorf("record %d (no LastName) = %+v", i, r)
			}
			continue
		}
		if !r.Success {
			t.Fatalf("record %d = %+v", i, r)
		}
		got, ok := o.srv.Get("Contact", r.ID)
		if want := fmt.Sprintf("shared%02d@example.com", i); !ok || got["Email"] != want {
			t.Fatalf("result %d points at %v, want %v", i, got["Email"], want)
		}
	}
}
