package crm_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"crmsheets/crm"
	"crmsheets/crm/auth"
	"crmsheets/crm/emulator"
)

// e2eRetry is generous in attempts and quick in waits, so that fault runs
// finish fast yet survive unlucky streaks.
var e2eRetry = crm.RetryPolicy{MaxAttempts: 12, BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond, MaxElapsed: time.Minute}

// org is one emulator with a client logged in through crm/auth (so that
// token expiry exercises the real refresh path).
type org struct {
	srv    *emulator.Server
	client *crm.Client
	url    string
	hc     *http.Client // carries the session's token
}

func newOrg(t testing.TB, accounts int, opts ...crm.Option) *org {
	t.Helper()
	srv, err := emulator.New(emulator.Options{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); _ = srv.Close() })
	for i := range accounts {
		if _, err := srv.Insert("Account", map[string]any{
			"Name": fmt.Sprintf("Acct-%06d", i), "Industry": "Banking", "NumberOfEmployees": i,
			"Description": "seed", "Phone": fmt.Sprintf("+1 555 %06d", i), "Website": "https://example.com",
			"BillingCity": "Lyon", "Rating": "Hot", "AnnualRevenue": float64(i) * 10,
		}); err != nil {
			t.Fatal(err)
		}
	}
	access, refresh, err := srv.IssueToken(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	env, err := auth.DemoEnv(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	store := auth.NewMemoryStore()
	info := auth.SessionInfo{Env: env, ClientID: emulator.DemoClientID, InstanceURL: ts.URL, OrgID: srv.OrgID(), UserID: srv.DemoUserID()}
	if err := store.Save(info.Key(), tokenOf(access, refresh)); err != nil {
		t.Fatal(err)
	}
	sess, err := auth.Resume(auth.Config{Store: store}, info)
	if err != nil {
		t.Fatal(err)
	}
	hc := sess.HTTPClient(context.Background())
	c, err := crm.NewClient(ts.URL, append([]crm.Option{crm.WithHTTPClient(hc), crm.WithRetry(e2eRetry)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return &org{srv: srv, client: c, url: ts.URL, hc: hc}
}

const pullSOQL = "SELECT Id, Name, Industry, NumberOfEmployees, Description, Phone, Website, BillingCity, Rating, AnnualRevenue FROM Account ORDER BY Name"

// pull reads every account through the client.
func (o *org) pull(t testing.TB) []crm.Record {
	t.Helper()
	var recs []crm.Record
	for rec, err := range o.client.Query(context.Background(), pullSOQL) {
		if err != nil {
			t.Fatalf("pull after %d records: %v", len(recs), err)
		}
		recs = append(recs, rec)
	}
	return recs
}

// push updates every pulled record deterministically.
func (o *org) push(t testing.TB, recs []crm.Record) []crm.Result {
	t.Helper()
	updates := make([]crm.Record, len(recs))
	for i, r := range recs {
		updates[i] = crm.Record{ID: r.ID, Fields: map[string]any{
			"Description":       "pushed " + r.Fields["Name"].(string),
			"NumberOfEmployees": int(r.Fields["NumberOfEmployees"].(float64)) + 1,
		}}
	}
	res, err := o.client.Update(context.Background(), "Account", updates)
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	for i, r := range res {
		if !r.Success {
			t.Fatalf("push record %d: %v", i, r.Err())
		}
	}
	return res
}

// finalData is the org's accounts by name, without the fields that differ
// between two runs by nature (ids, timestamps).
func (o *org) finalData() map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, r := range o.srv.Records("Account") {
		keep := maps.Clone(r)
		for _, k := range []string{"Id", "attributes", "CreatedDate", "LastModifiedDate", "SystemModstamp", "LastViewedDate", "LastReferencedDate", "OwnerId", "CreatedById", "LastModifiedById"} {
			delete(keep, k)
		}
		out[r["Name"].(string)] = keep
	}
	return out
}

func fieldsByName(recs []crm.Record) map[string]map[string]any {
	out := make(map[string]map[string]any, len(recs))
	for _, r := range recs {
		f := maps.Clone(r.Fields)
		delete(f, "Id")
		out[r.Fields["Name"].(string)] = f
	}
	return out
}

// TestFaultInjectionSameResult pulls 10k accounts and pushes 10k updates
// against a clean org and against one with 10% 503s, 5% per-record lock
// errors, token expiry every 50 calls and dropped connections; both end with
// the same data. It takes about 20 seconds because the emulator's 503s
// carry Retry-After: 1, which the client honours.
func TestFaultInjectionSameResult(t *testing.T) {
	n := 10_000
	if testing.Short() {
		n = 1_000
	}
	clean := newOrg(t, n)
	faulty := newOrg(t, n)
	faulty.srv.SetFaults(emulator.Faults{Rate503: 0.10, LockRate: 0.05, ExpireTokenEvery: 50, DropRate: 0.03, Seed: 42})

	cleanPull, faultyPull := clean.pull(t), faulty.pull(t)
	if len(cleanPull) != n || len(faultyPull) != n {
		t.Fatalf("pulled %d and %d records, want %d", len(cleanPull), len(faultyPull), n)
	}
	if diff := cmp.Diff(fieldsByName(cleanPull), fieldsByName(faultyPull)); diff != "" {
		t.Fatalf("pulled data differs (-clean +faulty):\n%s", diff)
	}
	pullCalls := faulty.client.Calls()

	clean.push(t, cleanPull)
	faulty.push(t, faultyPull)
	if diff := cmp.Diff(clean.finalData(), faulty.finalData()); diff != "" {
		t.Fatalf("final data differs (-clean +faulty):\n%s", diff)
	}
	if got := faulty.srv.Records("Account"); len(got) != n {
		t.Errorf("faulty org has %d accounts, want %d (no duplicates)", len(got), n)
	}
	wantPages := int64(math.Ceil(float64(n) / 2000))
	wantBatches := int64(math.Ceil(float64(n) / 200))
	// One more call: the version negotiation.
	if clean.client.Calls() != 1+wantPages+wantBatches {
		t.Errorf("clean run made %d calls, want %d", clean.client.Calls(), 1+wantPages+wantBatches)
	}
	t.Logf("API calls: clean %d (version 1 + pull %d + push %d); with faults %d (pull %d + push %d, retries and refreshes included)",
		clean.client.Calls(), wantPages, wantBatches, faulty.client.Calls(), pullCalls, faulty.client.Calls()-pullCalls)
}

// TestEmulatorRoundTrip covers describe, create with per-record errors,
// upsert, delete and limits against the emulator.
func TestEmulatorRoundTrip(t *testing.T) {
	o := newOrg(t, 0)
	ctx := context.Background()
	c := o.client
	v, err := c.Negotiate(ctx)
	if err != nil || v != crm.MaxAPIVersion {
		t.Fatalf("Negotiate = %q, %v", v, err)
	}
	d, err := c.Describe(ctx, "Account")
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := d.Field("Name"); !ok || !f.Required() {
		t.Errorf("Account.Name describe = %+v", f)
	}
	res, err := c.Create(ctx, "Account", []crm.Record{
		{Fields: map[string]any{"Name": "Acme"}},
		{Fields: map[string]any{"Industry": "Banking"}}, // no Name
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Success || !crm.ValidID(res[0].ID) || res[1].Success || res[1].Errors[0].StatusCode != crm.CodeRequiredFieldMissing {
		t.Fatalf("create results = %+v", res)
	}
	soql, err := crm.Select("Id", "Name").From("Account").Where("Name", "=", "Acme").Build()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rec, err := range c.Query(ctx, soql) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec.ID)
	}
	if !slices.Equal(got, []string{res[0].ID}) {
		t.Errorf("query by name = %v", got)
	}
	del, err := c.Delete(ctx, []string{res[0].ID})
	if err != nil || !del[0].Success {
		t.Fatalf("delete = %+v, %v", del, err)
	}
	if n, err := c.Count(ctx, "SELECT COUNT() FROM Account"); err != nil || n != 0 {
		t.Errorf("count after delete = %d, %v", n, err)
	}
	if l, err := c.Limits(ctx); err != nil || l["DailyApiRequests"].Max == 0 {
		t.Errorf("limits = %v, %v", l["DailyApiRequests"], err)
	}
	if u := c.Usage(); !u.Known() || u.Used == 0 {
		t.Errorf("usage = %+v", u)
	}
}

// TestCreateUnderDropsNeverDuplicates shows the create contract against the
// emulator, which saves a batch and then cuts the response: the client does
// not resend those batches, reports them as outcome unknown, and a lookup by
// key finds exactly the records that were saved, so the caller creates only
// the missing ones.
func TestCreateUnderDropsNeverDuplicates(t *testing.T) {
	o := newOrg(t, 0, crm.WithAPIVersion("62.0"))
	// Drops are drawn per request in arrival order: at 60% the chance
	// that none of the 10 batches is cut is 0.4^10, 1 in 10,000, however
	// the batches interleave with the client's other requests.
	o.srv.SetFaults(emulator.Faults{DropRate: 0.6, Seed: 3})
	ctx := context.Background()
	recs := make([]crm.Record, 2000)
	for i := range recs {
		recs[i] = crm.Record{Fields: map[string]any{"Name": fmt.Sprintf("New-%05d", i)}}
	}
	res, err := o.client.Create(ctx, "Account", recs)
	var unknown *crm.OutcomeUnknownError
	if !errors.As(err, &unknown) {
		t.Fatalf("err = %v; with 60%% drops over 10 batches an unknown outcome is expected", err)
	}
	o.srv.SetFaults(emulator.Faults{})
	// Reconcile: look the unknown records up by name, 200 per query.
	var missing []crm.Record
	for start := 0; start < len(unknown.Indexes); start += 200 {
		batch := unknown.Indexes[start:min(start+200, len(unknown.Indexes))]
		names := make([]string, len(batch))
		for i, idx := range batch {
			names[i] = recs[idx].Fields["Name"].(string)
		}
		q, err := crm.Select("Id", "Name").From("Account").InStrings("Name", names).Build()
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]string{}
		for rec, err := range o.client.Query(ctx, q) {
			if err != nil {
				t.Fatal(err)
			}
			found[rec.Fields["Name"].(string)] = rec.ID
		}
		for _, idx := range batch {
			if id, ok := found[recs[idx].Fields["Name"].(string)]; ok {
				res[idx] = crm.Result{ID: id, Success: true}
			} else {
				missing = append(missing, recs[idx])
			}
		}
	}
	if len(missing) > 0 {
		if _, err := o.client.Create(ctx, "Account", missing); err != nil {
			t.Fatal(err)
		}
	}
	if got := o.srv.Count("Account"); got != len(recs) {
		t.Errorf("org has %d accounts, want exactly %d", got, len(recs))
	}
	t.Logf("%d of %d records had an unknown outcome; %d were missing after reconciliation", len(unknown.Indexes), len(recs), len(missing))
}
