package crm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// cassette is one request/response of a CumulusCI VCR recording.
type cassette struct {
	Method       string          `json:"method"`
	URI          string          `json:"uri"`
	RequestBody  string          `json:"request_body"`
	ResponseJSON json.RawMessage `json:"response_json"`
}

func loadCassette(t *testing.T) []cassette {
	var cs []cassette
	if err := json.Unmarshal(fixture(t, "cumulusci_TestUpsert.test_upsert__rest.json"), &cs); err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestUpsertAgainstRealCapture replays the recorded upsert of Contacts by
// Email: our request must carry the same records, and the recorded response
// must map back to the inputs.
func TestUpsertAgainstRealCapture(t *testing.T) {
	rec := loadCassette(t)[1]
	var sent struct {
		AllOrNone bool             `json:"allOrNone"`
		Records   []map[string]any `json:"records"`
	}
	if err := json.Unmarshal([]byte(rec.RequestBody), &sent); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("PATCH /services/data/v62.0/composite/sobjects/Contact/Email", func(w http.ResponseWriter, r *http.Request) {
		var got struct {
			AllOrNone *bool            `json:"allOrNone"`
			Records   []map[string]any `json:"records"`
		}
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			t.Error(err)
		}
		if got.AllOrNone == nil || *got.AllOrNone {
			t.Error("allOrNone not false")
		}
		if diff := cmp.Diff(sent.Records, got.Records); diff != "" {
			t.Errorf("records sent (-recorded +ours):\n%s", diff)
		}
		serveJSON(200, rec.ResponseJSON)(w, r)
	})
	c := setup(t, mux)
	var in []Record
	for _, m := range sent.Records {
		fields := map[string]any{}
		for k, v := range m {
			if k != "attributes" {
				fields[k] = v
			}
		}
		in = append(in, Record{Fields: fields})
	}
	res, err := c.Upsert(context.Background(), "Contact", "Email", in)
	if err != nil {
		t.Fatal(err)
	}
	var want []Result
	if err := json.Unmarshal(rec.ResponseJSON, &want); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if !res[0].Created || res[0].ID != "0037e00001WZ30qAAD" {
		t.Errorf("first result = %+v", res[0])
	}
}

// fakeCollections is a small sObject Collections server: it numbers
// created records, fails records named "bad", locks records named "locked"
// on their first attempt, and can drop the connection after processing.
type fakeCollections struct {
	t         *testing.T
	mu        sync.Mutex
	created   []string // names, in creation order
	attempts  map[string]int
	dropAfter map[int]bool // call numbers (1-based) whose response is dropped
	calls     atomic.Int32
	deleted   map[string]bool
}

func (f *fakeCollections) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/services/data/v62.0/composite/sobjects", func(w http.ResponseWriter, r *http.Request) {
		call := int(f.calls.Add(1))
		var results []map[string]any
		f.mu.Lock()
		switch r.Method {
		case http.MethodPost, http.MethodPatch:
			var body struct {
				AllOrNone bool             `json:"allOrNone"`
				Records   []map[string]any `json:"records"`
			}
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				f.t.Error(err)
			}
			if len(body.Records) > 200 {
				f.t.Errorf("%d records in one call", len(body.Records))
			}
			for _, rec := range body.Records {
				name, _ := rec["Name"].(string)
				f.attempts[name]++
				switch {
				case strings.HasPrefix(name, "bad"):
					results = append(results, map[string]any{"success": false, "errors": []any{map[string]any{"statusCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing: [Name]", "fields": []string{"Name"}}}})
				case strings.HasPrefix(name, "locked") && f.attempts[name] == 1:
					results = append(results, map[string]any{"success": false, "errors": []any{map[string]any{"statusCode": "UNABLE_TO_LOCK_ROW", "message": "unable to obtain exclusive access to this record", "fields": []string{}}}})
				case r.Method == http.MethodPost:
					f.created = append(f.created, name)
					results = append(results, map[string]any{"id": fmt.Sprintf("001000000000%03dAAA", len(f.created)), "success": true, "errors": []any{}})
				default:
					results = append(results, map[string]any{"id": rec["id"], "success": true, "errors": []any{}})
				}
			}
		case http.MethodDelete:
			for id := range strings.SplitSeq(r.URL.Query().Get("ids"), ",") {
				if f.deleted[id] {
					results = append(results, map[string]any{"id": id, "success": false, "errors": []any{map[string]any{"statusCode": "ENTITY_IS_DELETED", "message": "entity is deleted", "fields": []string{}}}})
					continue
				}
				f.deleted[id] = true
				results = append(results, map[string]any{"id": id, "success": true, "errors": []any{}})
			}
		}
		f.mu.Unlock()
		if f.dropAfter[call] {
			_, _ = io.Copy(io.Discard, r.Body)
			dropConnection(f.t, w)
			return
		}
		b, _ := json.Marshal(results)
		serveJSON(200, b)(w, r)
	})
	return mux
}

func newFake(t *testing.T, drop ...int) *fakeCollections {
	f := &fakeCollections{t: t, attempts: map[string]int{}, dropAfter: map[int]bool{}, deleted: map[string]bool{}}
	for _, d := range drop {
		f.dropAfter[d] = true
	}
	return f
}

func names(n int, name func(i int) string) []Record {
	recs := make([]Record, n)
	for i := range recs {
		recs[i] = Record{Fields: map[string]any{"Name": name(i)}}
	}
	return recs
}

func TestCreateBatchesAndOrder(t *testing.T) {
	f := newFake(t)
	mux := http.NewServeMux()
	mux.Handle("/", f.handler())
	c := setup(t, mux)
	recs := names(450, func(i int) string {
		switch {
		case i == 7:
			return "bad-7"
		case i%100 == 3:
			return fmt.Sprintf("locked-%d", i)
		}
		return fmt.Sprintf("acct-%d", i)
	})
	res, err := c.Create(context.Background(), "Account", recs)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 450 {
		t.Fatalf("%d results", len(res))
	}
	// 3 batches + 3 resends of the locked records (one per batch that had them).
	if got := f.calls.Load(); got != 6 {
		t.Errorf("calls = %d, want 6", got)
	}
	if res[7].Success || res[7].Errors[0].StatusCode != CodeRequiredFieldMissing || res[7].Err() == nil {
		t.Errorf("bad record result = %+v", res[7])
	}
	for i, r := range res {
		if i != 7 && (!r.Success || !ValidID(r.ID)) {
			t.Errorf("result %d = %+v", i, r)
		}
	}
	if len(f.created) != 449 {
		t.Errorf("created %d records, want 449 (no duplicates)", len(f.created))
	}
	for _, name := range []string{"locked-3", "locked-103", "locked-403"} {
		if f.attempts[name] != 2 {
			t.Errorf("%s sent %d times, want 2", name, f.attempts[name])
		}
	}
	if f.attempts["acct-0"] != 1 {
		t.Errorf("unlocked record resent")
	}
}

// TestCreateLostResponseIsNotResent: a create whose response was lost must
// not be resent (it may have been saved); the batch is reported as outcome
// unknown and the other batches still go through.
func TestCreateLostResponseIsNotResent(t *testing.T) {
	f := newFake(t, 2) // drop the response of the second batch
	mux := http.NewServeMux()
	mux.Handle("/", f.handler())
	c := setup(t, mux)
	recs := names(450, func(i int) string { return fmt.Sprintf("acct-%d", i) })
	res, err := c.Create(context.Background(), "Account", recs)
	var unknown *OutcomeUnknownError
	if !errors.As(err, &unknown) || !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want *OutcomeUnknownError", err)
	}
	if len(unknown.Indexes) != 200 || unknown.Indexes[0] != 200 || unknown.Indexes[199] != 399 {
		t.Errorf("unknown indexes = %d from %d", len(unknown.Indexes), unknown.Indexes[0])
	}
	if res[250].Success || res[250].Errors[0].StatusCode != CodeOutcomeUnknown {
		t.Errorf("result of a lost record = %+v", res[250])
	}
	if !res[0].Success || !res[449].Success {
		t.Errorf("other batches not done: %+v %+v", res[0], res[449])
	}
	if f.calls.Load() != 3 || len(f.created) != 450 {
		t.Errorf("calls = %d, created = %d; want 3 calls and no duplicate", f.calls.Load(), len(f.created))
	}
}

func TestUpdateLostResponseIsResent(t *testing.T) {
	f := newFake(t, 1)
	mux := http.NewServeMux()
	mux.Handle("/", f.handler())
	c := setup(t, mux)
	recs := names(3, func(i int) string { return fmt.Sprintf("acct-%d", i) })
	for i := range recs {
		recs[i].ID = fmt.Sprintf("001000000000%03dAAA", i+1)
	}
	res, err := c.Update(context.Background(), "Account", recs)
	if err != nil {
		t.Fatal(err)
	}
	if f.calls.Load() != 2 || !res[2].Success || res[2].ID != recs[2].ID {
		t.Errorf("calls = %d, result = %+v", f.calls.Load(), res[2])
	}
}

func TestDeleteLostResponseCountsAsDeleted(t *testing.T) {
	f := newFake(t, 1)
	mux := http.NewServeMux()
	mux.Handle("/", f.handler())
	c := setup(t, mux)
	ids := []string{"0010000000001AAAAA", "0010000000002AAAAA"}
	f.deleted["0010000000002AAAAA"] = false
	res, err := c.Delete(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if !r.Success || r.ID != ids[i] {
			t.Errorf("result %d = %+v", i, r)
		}
	}
	if f.calls.Load() != 2 {
		t.Errorf("calls = %d, want 2", f.calls.Load())
	}
}

func TestDeleteAlreadyDeletedWithoutLossFails(t *testing.T) {
	f := newFake(t)
	f.deleted["0010000000001AAAAA"] = true
	mux := http.NewServeMux()
	mux.Handle("/", f.handler())
	c := setup(t, mux)
	res, err := c.Delete(context.Background(), []string{"0010000000001AAAAA"})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Success || !errors.Is(&Error{Code: res[0].Errors[0].StatusCode}, ErrEntityDeleted) {
		t.Errorf("result = %+v", res[0])
	}
}

func TestUpsertOne(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		body        string
		wantCreated bool
		wantErr     error
	}{
		{"created", 201, `{"id":"00190000001pPvHAAU","errors":[],"success":true,"created":true}`, true, nil},
		{"updated v46+", 200, `{"id":"00190000001pPvHAAU","errors":[],"success":true,"created":false}`, false, nil},
		{"updated before v46", 204, ``, false, nil},
		{"several matches", 300, `["/services/data/v23.0/sobjects/Whizbang/foo","/services/data/v23.0/sobjects/Whizbang/bar"]`, false, ErrMultipleMatches},
		{"unknown field", 404, `[{"message":"Provided external ID field does not exist or is not accessible: Namez","errorCode":"NOT_FOUND"}]`, false, ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.HandleFunc("PATCH /services/data/v62.0/sobjects/Account/Ext__c/", func(w http.ResponseWriter, r *http.Request) {
				if r.URL.EscapedPath() != "/services/data/v62.0/sobjects/Account/Ext__c/A%2F1%20x" {
					t.Errorf("path = %q", r.URL.EscapedPath())
				}
				var body map[string]any
				_ = json.NewDecoder(r.Body).Decode(&body)
				if _, ok := body["Ext__c"]; ok || body["Name"] != "Acme" {
					t.Errorf("body = %v", body)
				}
				serveJSON(tt.status, []byte(tt.body))(w, r)
			})
			c := setup(t, mux)
			res, err := c.UpsertOne(context.Background(), "Account", "Ext__c", "A/1 x", map[string]any{"Name": "Acme", "Ext__c": "A/1 x"})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || !res.Success || res.Created != tt.wantCreated {
				t.Fatalf("UpsertOne = %+v, %v", res, err)
			}
		})
	}
}

func TestUnflatten(t *testing.T) {
	got := unflatten(map[string]any{"Name": "x", "Account.Ext__c": "E1", "Account.Owner.Email": "a@b"}, nil)
	want := map[string]any{"Name": "x", "Account": map[string]any{"Ext__c": "E1", "Owner": map[string]any{"Email": "a@b"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("unflatten (-want +got):\n%s", diff)
	}
}

func TestUpsertRequiresExternalID(t *testing.T) {
	c := setup(t, http.NewServeMux())
	_, err := c.Upsert(context.Background(), "Contact", "Email", []Record{{Fields: map[string]any{"Email": "a@b"}}, {Fields: map[string]any{"LastName": "x"}}})
	if err == nil || !strings.Contains(err.Error(), "record 2 has no Email") || c.Calls() != 0 {
		t.Errorf("err = %v, calls = %d", err, c.Calls())
	}
}
