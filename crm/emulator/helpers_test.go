package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// testClock is a settable clock for Options.Now.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// org is a running demo org with an authenticated client.
type org struct {
	t     *testing.T
	srv   *Server
	ts    *httptest.Server
	clock *testClock
	token string
	base  string // ts.URL + "/services/data/v62.0"
}

func newOrg(t *testing.T, opts Options) *org {
	t.Helper()
	clock := newTestClock()
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); _ = srv.Close() })
	access, _, err := srv.IssueToken(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &org{t: t, srv: srv, ts: ts, clock: clock, token: access, base: ts.URL + "/services/data/v62.0"}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errorCodes decodes a top-level error array.
func (r response) errorCodes(t *testing.T) []string {
	t.Helper()
	var errs []struct {
		ErrorCode string `json:"errorCode"`
	}
	r.json(t, &errs)
	var codes []string
	for _, e := range errs {
		codes = append(codes, e.ErrorCode)
	}
	return codes
}

// do sends a request with the org's token; path is relative to base unless
// it starts with "http", "/services/" or "/id/".
func (o *org) do(method, path string, body any, headers ...string) response {
	o.t.Helper()
	url := o.base + path
	if strings.HasPrefix(path, "/services/") || strings.HasPrefix(path, "/id/") || path == "/services/data" {
		url = o.ts.URL + path
	} else if len(path) > 4 && path[:4] == "http" {
		url = path
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			o.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		o.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+o.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
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

func (o *org) mustStatus(r response, want int) {
	o.t.Helper()
	if r.status != want {
		o.t.Fatalf("status %d, want %d; body %s", r.status, want, r.body)
	}
}
