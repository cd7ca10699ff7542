package crm_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"crmsheets/crm"
)

// TestBulkAgainstEmulator inserts, updates and reads back accounts with
// Bulk API 2.0, checking that results map to the right inputs.
func TestBulkAgainstEmulator(t *testing.T) {
	o := newOrg(t, 0, crm.WithAPIVersion("62.0"), crm.WithBulkPolling(5*time.Millisecond, 50*time.Millisecond))
	ctx := context.Background()
	const n = 3000
	recs := make([]crm.Record, n)
	for i := range recs {
		f := map[string]any{"Name": fmt.Sprintf("Bulk-%05d", i), "NumberOfEmployees": i}
		if i%100 == 7 {
			delete(f, "Name") // required: must fail, and only this one
		}
		recs[i] = crm.Record{Fields: f}
	}
	var states []string
	var last crm.BulkProgress
	res, err := o.client.BulkIngest(ctx, "Account", crm.OpInsert, "", recs, func(p crm.BulkProgress) {
		if p.Processed < last.Processed {
			t.Errorf("progress went back from %d to %d records processed", last.Processed, p.Processed)
		}
		states, last = append(states, p.State), p
	})
	if err != nil {
		t.Fatal(err)
	}
	if states[len(states)-1] != crm.BulkJobComplete {
		t.Errorf("states = %v", states)
	}
	// The last word on the job names it and counts every record, and the
	// refused ones.
	if !strings.HasPrefix(last.JobID, "750") {
		t.Errorf("progress names job %q, not a Bulk job id", last.JobID)
	}
	if want := (crm.BulkProgress{JobID: last.JobID, State: crm.BulkJobComplete, Processed: len(recs), Failed: n / 100, Total: len(recs)}); last != want {
		t.Errorf("last progress %+v, want %+v", last, want)
	}
	failed := 0
	for i, r := range res {
		switch {
		case i%100 == 7:
			failed++
			if r.Success || r.Errors[0].StatusCode != crm.CodeRequiredFieldMissing {
				t.Errorf("record %d (no Name) = %+v", i, r)
			}
		case !r.Success || !crm.ValidID(r.ID):
			t.Errorf("record %d = %+v", i, r)
		default:
			got, ok := o.srv.Get("Account", r.ID)
			if !ok || got["Name"] != recs[i].Fields["Name"] {
				t.Fatalf("result %d points at %v, want %s", i, got["Name"], recs[i].Fields["Name"])
			}
		}
	}
	if o.srv.Count("Account") != n-failed {
		t.Errorf("org has %d accounts, want %d", o.srv.Count("Account"), n-failed)
	}

	var updates []crm.Record
	for i, r := range res {
		if r.Success {
			updates = append(updates, crm.Record{ID: r.ID, Fields: map[string]any{"Description": fmt.Sprintf("bulk %d", i), "Industry": nil}})
		}
	}
	before := o.client.Calls()
	ures, err := o.client.BulkIngest(ctx, "Account", crm.OpUpdate, "", updates, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range ures {
		if !r.Success || r.ID != updates[i].ID {
			t.Fatalf("update %d = %+v", i, r)
		}
	}
	t.Logf("bulk update of %d records: %d calls", len(updates), o.client.Calls()-before)

	// "" clears a field through Bulk as it does through the REST API.
	first := updates[0].ID
	if r, err := o.client.BulkIngest(ctx, "Account", crm.OpUpdate, "", []crm.Record{{ID: first, Fields: map[string]any{"Description": ""}}}, nil); err != nil || !r[0].Success {
		t.Fatalf("clear Description: %+v %v", r, err)
	}
	if got, _ := o.srv.Get("Account", first); got["Description"] != nil {
		t.Errorf("Description = %q after sending \"\", want cleared", got["Description"])
	}
	updates[0].Fields["Description"] = ""

	var got []string
	for rec, err := range o.client.BulkQuery(ctx, "SELECT Id, Name, Description FROM Account") {
		if err != nil {
			t.Fatal(err)
		}
		d, _ := rec.Fields["Description"].(string)
		got = append(got, d)
	}
	if len(got) != len(updates) || !slices.Contains(got, "bulk 1") {
		t.Errorf("bulk query read %d records", len(got))
	}
}
