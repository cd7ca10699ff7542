package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"crmsheets/crm/emulator"
	"crmsheets/sheets"
)

// testClock is a clock tests move by hand, shared by the emulator (record
// LastModifiedDate) and the Service (edit and run times).
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond) // strictly increasing: edits and changes never tie by accident
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testEnv is a Service connected over real HTTP to an in-memory emulator.
type testEnv struct {
	t     testing.TB
	ctx   context.Context
	clock *testClock
	org   *emulator.Server
	url   string
	home  string
	svc   *Service
	// afterWrite, when set, runs after the org applied a write request and
	// before the client gets the answer: the moment a user's edit or a
	// crash lands between Salesforce accepting a batch and the sheet
	// recording it. Set it with onWrite.
	mu         sync.Mutex
	afterWrite func()
	// beforeWrite, when set, runs when a write request arrives, in place of
	// the write (the org answers 503 and applies nothing): a crash after
	// the client recorded what it is about to send, before Salesforce took
	// any of it. Set it with onWriteRequest.
	beforeWrite func()
	// bulkUploads counts the Bulk API ingest uploads the org received.
	bulkUploads atomic.Int64
	// queryPages counts the query pages the org served (first pages and
	// next-page requests of the REST query resources).
	queryPages atomic.Int64
}

// onWrite sets (nil: clears) what runs after each write the org applies.
func (e *testEnv) onWrite(f func()) {
	e.mu.Lock()
	e.afterWrite = f
	e.mu.Unlock()
}

// onWriteRequest sets (nil: clears) what runs when a write request
// arrives, in place of the write.
func (e *testEnv) onWriteRequest(f func()) {
	e.mu.Lock()
	e.beforeWrite = f
	e.mu.Unlock()
}

// isWrite reports whether r changes records: a create, update, upsert or
// delete over REST, Collections or a Bulk ingest upload.
func isWrite(r *http.Request) bool {
	if r.Method == http.MethodGet || !strings.HasPrefix(r.URL.Path, "/services/data/") {
		return false
	}
	return strings.Contains(r.URL.Path, "/sobjects") || strings.Contains(r.URL.Path, "/jobs/ingest")
}

type envOption func(*emulator.Options, *Options)

func withAPILimit(n int) envOption {
	return func(eo *emulator.Options, _ *Options) { eo.DailyAPILimit = n }
}

func withServiceOptions(f func(*Options)) envOption {
	return func(_ *emulator.Options, o *Options) { f(o) }
}

func newTestEnv(t testing.TB, opts ...envOption) *testEnv {
	t.Helper()
	clock := newTestClock()
	eo := emulator.Options{Now: clock.Now, TokenTTL: 365 * 24 * time.Hour}
	so := Options{Home: t.TempDir(), Now: clock.Now}
	for _, o := range opts {
		o(&eo, &so)
	}
	org, err := emulator.New(eo)
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	env := &testEnv{t: t, ctx: context.Background(), clock: clock, org: org, home: so.Home}
	h := org.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/jobs/ingest/") && strings.HasSuffix(r.URL.Path, "/batches") {
			env.bulkUploads.Add(1)
		}
		if p := r.URL.Path; !strings.Contains(p, "/jobs/") && (strings.Contains(p, "/query/") || strings.HasSuffix(p, "/query") || strings.Contains(p, "/queryAll")) {
			env.queryPages.Add(1)
		}
		env.mu.Lock()
		after, before := env.afterWrite, env.beforeWrite
		env.mu.Unlock()
		if before != nil && isWrite(r) {
			before()
			http.Error(w, `[{"errorCode":"SERVER_UNAVAILABLE","message":"test: the write was dropped"}]`, http.StatusServiceUnavailable)
			return
		}
		if after == nil || !isWrite(r) {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		after()
		maps.Copy(w.Header(), rec.Header())
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(func() { srv.Close(); org.Close() })
	so.DemoOrg, so.DemoOrgURL = urlDemoOrg{}, srv.URL
	env.url = srv.URL
	env.open(so)
	return env
}

// open (re)opens the Service on the env's home and connects the demo org.
func (e *testEnv) open(so Options) {
	e.t.Helper()
	svc, err := Open(e.ctx, so)
	if err != nil {
		e.t.Fatalf("open service: %v", err)
	}
	e.t.Cleanup(func() { svc.Close() })
	if err := svc.connectDemo(e.ctx); err != nil {
		e.t.Fatalf("connect demo org: %v", err)
	}
	e.svc = svc
}

// insert creates a record in the org (as another user would) and returns
// its id.
func (e *testEnv) insert(object string, fields map[string]any) string {
	e.t.Helper()
	id, err := e.org.Insert(object, fields)
	if err != nil {
		e.t.Fatalf("insert %s: %v", object, err)
	}
	return id
}

// get reads a record field from the org.
func (e *testEnv) get(object, id, field string) any {
	e.t.Helper()
	rec, ok := e.org.Get(object, id)
	if !ok {
		e.t.Fatalf("%s %s not in the org", object, id)
	}
	return rec[field]
}

// contactSheet creates a Contacts sheet keyed by Email with the usual
// columns: First, Last, Email, Title, Company (Account.Name), Tier unused.
func (e *testEnv) contactSheet(createMissing bool) *sheets.Sheet {
	e.t.Helper()
	return e.contactSheetNamed("Contacts", createMissing)
}

// contactSheetNamed is contactSheet with a name of the caller's choice.
func (e *testEnv) contactSheetNamed(name string, createMissing bool) *sheets.Sheet {
	e.t.Helper()
	sh := &sheets.Sheet{Name: name, Object: "Contact"}
	sh.AddColumn(sheets.Column{Name: "First", Type: sheets.TypeText, Field: "FirstName"})
	sh.AddColumn(sheets.Column{Name: "Last", Type: sheets.TypeText, Field: "LastName"})
	email := sh.AddColumn(sheets.Column{Name: "Email", Type: sheets.TypeEmail, Field: "Email"})
	sh.AddColumn(sheets.Column{Name: "Title", Type: sheets.TypeText, Field: "Title"})
	sh.AddColumn(sheets.Column{Name: "Company", Type: sheets.TypeText, Field: "Account.Name"})
	sh.KeyColumn = email.ID
	sh.Sync.CreateMissing = createMissing
	out, err := e.svc.NewLocalSheet(sh)
	if err != nil {
		e.t.Fatalf("create sheet: %v", err)
	}
	return out
}

// col returns a column id by name.
func col(t testing.TB, sh *sheets.Sheet, name string) string {
	t.Helper()
	c, ok := sh.ColumnByName(name)
	if !ok {
		t.Fatalf("no column %q", name)
	}
	return c.ID
}

// rows reads every row of a sheet.
func (e *testEnv) rows(sheetID string) []*sheets.Row {
	e.t.Helper()
	var out []*sheets.Row
	for r, err := range e.svc.Rows(sheetID) {
		if err != nil {
			e.t.Fatalf("read rows: %v", err)
		}
		out = append(out, r)
	}
	return out
}

// rowByRecord finds the row of a record.
func (e *testEnv) rowByRecord(sheetID, recordID string) *sheets.Row {
	e.t.Helper()
	r, err := e.svc.store.RowByRecordID(sheetID, recordID)
	if err != nil {
		e.t.Fatalf("row of %s: %v", recordID, err)
	}
	return r
}

// sync runs a sync and fails the test on an error.
func (e *testEnv) sync(sheetID string, opt SyncOptions) *sheets.Run {
	e.t.Helper()
	r, err := e.svc.Sync(e.ctx, sheetID, opt, nil)
	if err != nil {
		e.t.Fatalf("sync %s: %v", opt.Direction, err)
	}
	return r
}

// edit changes a cell as the user would.
func (e *testEnv) edit(sheetID string, row sheets.RowID, colID, value string) {
	e.t.Helper()
	if _, err := e.svc.EditCell(sheetID, row, colID, value); err != nil {
		e.t.Fatalf("edit row %d: %v", row, err)
	}
}

// seedContacts inserts n contacts (with an account "Acme") and returns
// their ids.
func (e *testEnv) seedContacts(n int) []string {
	e.t.Helper()
	acct := e.insert("Account", map[string]any{"Name": "Acme"})
	ids := make([]string, n)
	for i := range ids {
		ids[i] = e.insert("Contact", map[string]any{
			"FirstName": fmt.Sprintf("First%d", i), "LastName": fmt.Sprintf("Last%d", i),
			"Email": fmt.Sprintf("person%d@example.com", i), "Title": "Engineer", "AccountId": acct,
		})
	}
	return ids
}

// editAll sets a cell of every row (or the first n when n > 0) as local
// edits, in one store transaction (a loop of EditCell would fsync per row).
func (e *testEnv) editAll(sheetID, colID, value string, n int) int {
	e.t.Helper()
	var rows []*sheets.Row
	for r, err := range e.svc.Rows(sheetID) {
		if err != nil {
			e.t.Fatal(err)
		}
		if n > 0 && len(rows) == n {
			break
		}
		r.Set(colID, value, e.clock.Now())
		rows = append(rows, r)
	}
	if err := e.svc.store.UpdateRows(sheetID, rows); err != nil {
		e.t.Fatal(err)
	}
	return len(rows)
}

// urlDemoOrg is the demo org of tests that serve the emulator themselves
// and pass its URL (Options.DemoOrgURL): it supplies the demo login only.
type urlDemoOrg struct{}

// errServedByTest is what urlDemoOrg answers when asked to serve.
var errServedByTest = errors.New("this test serves the demo org itself (Options.DemoOrgURL)")

func (urlDemoOrg) Start(DemoOrgConfig) (string, func() error, error) {
	return "", nil, errServedByTest
}

func (urlDemoOrg) Serve(context.Context, string, DemoOrgConfig, io.Writer) error {
	return errServedByTest
}

func (urlDemoOrg) Login() DemoLogin {
	return DemoLogin{ClientID: emulator.DemoClientID, Username: emulator.DemoUsername, Password: emulator.DemoPassword}
}
