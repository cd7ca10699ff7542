package crm

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fastRetry keeps retry tests quick while exercising the same code paths.
var fastRetry = RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxElapsed: 5 * time.Second}

// setup starts a server for mux mounted under a path prefix (as go-github's
// setup does) to catch absolute-URL bugs, and a client pinned to v62.0.
func setup(t *testing.T, mux *http.ServeMux, opts ...Option) *Client {
	t.Helper()
	const prefix = "/instance"
	outer := http.NewServeMux()
	outer.Handle(prefix+"/", http.StripPrefix(prefix, mux))
	srv := httptest.NewServer(outer)
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.URL+prefix, append([]Option{WithAPIVersion("62.0"), WithRetry(fastRetry), WithHTTPClient(srv.Client())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/fixtures/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func serveJSON(status int, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.Header().Set("Sforce-Limit-Info", "api-usage=18/5000")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

func TestNewClientValidates(t *testing.T) {
	tests := []struct {
		name string
		url  string
		opts []Option
	}{
		{"http remote host", "http://example.com", nil},
		{"no host", "https://", nil},
		{"bad version", "https://x.my.salesforce.com", []Option{WithAPIVersion("sixty")}},
		{"old version", "https://x.my.salesforce.com", []Option{WithAPIVersion("40.0")}},
		{"batch too small", "https://x.my.salesforce.com", []Option{WithQueryBatchSize(10)}},
		{"zero attempts", "https://x.my.salesforce.com", []Option{WithRetry(RetryPolicy{})}},
		{"nil http client", "https://x.my.salesforce.com", []Option{WithHTTPClient(nil)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewClient(tt.url, tt.opts...); err == nil {
				t.Errorf("NewClient(%q) succeeded", tt.url)
			}
		})
	}
	if _, err := NewClient("http://127.0.0.1:8080"); err != nil {
		t.Errorf("loopback http refused: %v", err)
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct {
		name    string
		body    []byte
		want    string
		wantErr bool
	}{
		// restforce's hand-made list: 20.0 is too old and "100" is not a version.
		{"restforce fixture", fixture(t, "restforce_services_data_success_response.json"), "", true},
		{"newest within range", []byte(`[{"version":"45.0"},{"version":"61.0"},{"version":"62.0"},{"version":"99.0"}]`), "62.0", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.HandleFunc("GET /services/data/", serveJSON(200, tt.body))
			srv := httptest.NewServer(mux)
			defer srv.Close()
			c, err := NewClient(srv.URL, WithRetry(fastRetry))
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Negotiate(context.Background())
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("Negotiate = %q, %v; want %q (error %v)", got, err, tt.want, tt.wantErr)
			}
			if c.APIVersion() != tt.want {
				t.Errorf("APIVersion = %q", c.APIVersion())
			}
		})
	}
}

func TestDescribeCachedAndTyped(t *testing.T) {
	var calls atomic.Int32
	mux := http.NewServeMux()
	body := fixture(t, "Account_describe.json")
	mux.HandleFunc("GET /services/data/v62.0/sobjects/Account/describe/", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		serveJSON(200, body)(w, r)
	})
	c := setup(t, mux)
	ctx := context.Background()
	d, err := c.Describe(ctx, "Account")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Describe(ctx, "account"); err != nil || calls.Load() != 1 {
		t.Fatalf("second Describe: calls=%d err=%v; want cached", calls.Load(), err)
	}
	c.ForgetDescribes()
	if _, err := c.Describe(ctx, "Account"); err != nil || calls.Load() != 2 {
		t.Fatalf("after ForgetDescribes: calls=%d err=%v", calls.Load(), err)
	}
	if d.Name != "Account" || d.KeyPrefix != "001" || !d.Createable || len(d.Fields) != 68 {
		t.Errorf("describe header = %+v (%d fields)", d.Name, len(d.Fields))
	}
	tests := []struct {
		field                string
		typ                  string
		required, createable bool
		relationship         string
	}{
		{"name", "string", true, true, ""},
		{"OwnerId", "reference", false, true, "Owner"}, // defaulted on create
		{"ParentId", "reference", false, true, "Parent"},
		{"Id", "id", false, false, ""},
		{"Type", "picklist", false, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			f, ok := d.Field(tt.field)
			if !ok {
				t.Fatalf("Field(%q) not found", tt.field)
			}
			if f.Type != tt.typ || f.Required() != tt.required || f.Createable != tt.createable || f.RelationshipName != tt.relationship {
				t.Errorf("Field(%q) = type %s required %v createable %v rel %q", tt.field, f.Type, f.Required(), f.Createable, f.RelationshipName)
			}
		})
	}
	typ, _ := d.Field("Type")
	if len(typ.PicklistValues) != 7 || typ.RestrictedPicklist {
		t.Errorf("Type picklist = %d values restricted %v", len(typ.PicklistValues), typ.RestrictedPicklist)
	}
	if name, _ := d.Field("Name"); name.Length != 255 {
		t.Errorf("Name length = %d", name.Length)
	}
	if _, ok := d.Field("NoSuchField__c"); ok {
		t.Error("unknown field found")
	}
}

func TestDescribeGlobal(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /services/data/v62.0/sobjects/", serveJSON(200, fixture(t, "Global_describe.json")))
	c := setup(t, mux)
	objs, err := c.DescribeGlobal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, o := range objs {
		if o.Name == "Account" {
			found = o.KeyPrefix == "001" && o.Queryable && o.Createable && !o.Custom
		}
	}
	if len(objs) != 110 || !found {
		t.Errorf("DescribeGlobal: %d objects, Account ok=%v", len(objs), found)
	}
}

func TestLimitsAndUsage(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /services/data/v62.0/limits/", serveJSON(200, fixture(t, "limits.json")))
	c := setup(t, mux)
	if c.Usage().Known() {
		t.Fatal("usage known before any call")
	}
	l, err := c.Limits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := l["DailyApiRequests"]; got != (Limit{Max: 15000, Remaining: 14998}) {
		t.Errorf("DailyApiRequests = %+v", got)
	}
	if u := c.Usage(); u != (Usage{Used: 18, Max: 5000}) || u.Remaining() != 4982 {
		t.Errorf("Usage = %+v", u)
	}
	if c.Calls() != 1 {
		t.Errorf("Calls = %d", c.Calls())
	}
}

func TestParseLimitInfo(t *testing.T) {
	tests := []struct {
		in   string
		want Usage
		ok   bool
	}{
		{"api-usage=18/5000", Usage{18, 5000}, true},
		{"per-app-api-usage=17/250(appName=sample-connected-app), api-usage=25/5000", Usage{25, 5000}, true},
		{"api-usage=18", Usage{}, false},
		{"api-usage=a/b", Usage{}, false},
		{"", Usage{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseLimitInfo(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("parseLimitInfo(%q) = %+v, %v", tt.in, got, ok)
			}
		})
	}
}

func TestErrorsFromFixtures(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		sentinel error
		contains string
	}{
		{"expired session", 401, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`, ErrInvalidSession, "reconnect the org"},
		{"limit", 403, `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`, ErrLimitExceeded, "daily API request limit"},
		{"malformed query", 400, `[{"message":"\nLastModifiedById, LastModifiedDate, From Account \n ^\nERROR at Row:1:Column:78\nunexpected token: 'From'","errorCode":"MALFORMED_QUERY"}]`, ErrMalformedQuery, "unexpected token"},
		{"not found", 404, `[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]`, ErrNotFound, "does not exist"},
		{"deleted", 404, `[{"message":"entity is deleted","errorCode":"ENTITY_IS_DELETED","fields":[]}]`, ErrEntityDeleted, "recycle bin"},
		{"invalid field", 400, `[{"message":"No such column 'foo' on sobject of type Bar","errorCode":"INVALID_FIELD"}]`, ErrInvalidField, "No such column"},
		{"plain text 500", 500, `Internal Server Error`, nil, "Internal Server Error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.HandleFunc("GET /services/data/v62.0/limits/", serveJSON(tt.status, []byte(tt.body)))
			c := setup(t, mux, WithRetry(NoRetry))
			_, err := c.Limits(context.Background())
			var apiErr *Error
			if !errors.As(err, &apiErr) || apiErr.HTTPStatus != tt.status {
				t.Fatalf("error = %v, want *Error with status %d", err, tt.status)
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.sentinel)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not contain %q", err, tt.contains)
			}
			if c.Calls() != 1 {
				t.Errorf("%d calls, want 1 (no retry)", c.Calls())
			}
		})
	}
}

func TestRecordErrorExplains(t *testing.T) {
	tests := []struct {
		in   RecordError
		want string
	}{
		{RecordError{StatusCode: CodeRestrictedPicklist, Message: "Type: bad value for restricted picklist field: Prospect", Fields: []string{"Type"}},
			"Salesforce rejected 'Prospect' for Type: not an allowed value of this restricted picklist"},
		{RecordError{StatusCode: CodeRequiredFieldMissing, Message: "Required fields are missing: [Name]", Fields: []string{"Name"}},
			"required field Name is empty: fill it in and push again"},
		{RecordError{StatusCode: "SOMETHING_NEW", Message: "as Salesforce says"}, "as Salesforce says"},
	}
	for _, tt := range tests {
		t.Run(tt.in.StatusCode, func(t *testing.T) {
			if got := tt.in.Explain(); got != tt.want {
				t.Errorf("Explain = %q, want %q", got, tt.want)
			}
			if !strings.Contains(tt.in.Error(), tt.in.StatusCode) {
				t.Errorf("Error() %q lacks the code", tt.in.Error())
			}
		})
	}
}

func TestRetryTransient(t *testing.T) {
	tests := []struct {
		name      string
		failures  []func(w http.ResponseWriter)
		wantCalls int64
		wantErr   error
	}{
		{"503 then ok", []func(http.ResponseWriter){status(503, "")}, 2, nil},
		{"502 504 then ok", []func(http.ResponseWriter){status(502, ""), status(504, "")}, 3, nil},
		{"lock then ok", []func(http.ResponseWriter){status(400, `[{"errorCode":"UNABLE_TO_LOCK_ROW","message":"unable to obtain exclusive access to this record"}]`)}, 2, nil},
		{"retry-after honoured", []func(http.ResponseWriter){func(w http.ResponseWriter) { w.Header().Set("Retry-After", "0"); w.WriteHeader(503) }}, 2, nil},
		{"always 503 gives up", []func(http.ResponseWriter){status(503, ""), status(503, ""), status(503, ""), status(503, ""), status(503, "")}, 4, ErrUnavailable},
		{"limit not retried", []func(http.ResponseWriter){status(403, `[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"TotalRequests Limit exceeded."}]`)}, 1, ErrLimitExceeded},
		{"400 not retried", []func(http.ResponseWriter){status(400, `[{"errorCode":"MALFORMED_QUERY","message":"bad"}]`)}, 1, ErrMalformedQuery},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			mux := http.NewServeMux()
			mux.HandleFunc("GET /services/data/v62.0/limits/", func(w http.ResponseWriter, r *http.Request) {
				i := int(n.Add(1)) - 1
				if i < len(tt.failures) {
					tt.failures[i](w)
					return
				}
				serveJSON(200, []byte(`{"DailyApiRequests":{"Max":5,"Remaining":4}}`))(w, r)
			})
			c := setup(t, mux)
			_, err := c.Limits(context.Background())
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if c.Calls() != tt.wantCalls {
				t.Errorf("calls = %d, want %d", c.Calls(), tt.wantCalls)
			}
			if tt.wantErr == ErrUnavailable && !IsRetryable(err) {
				t.Errorf("IsRetryable(%v) = false", err)
			}
		})
	}
}

func status(code int, body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

// dropConnection closes the connection without answering, as a network
// failure or a crashed proxy does.
func dropConnection(t testing.TB, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Error(err)
		return
	}
	_ = conn.Close()
}

func TestRetryDroppedConnectionOnRead(t *testing.T) {
	var n atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("GET /services/data/v62.0/limits/", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			dropConnection(t, w)
			return
		}
		serveJSON(200, []byte(`{}`))(w, r)
	})
	c := setup(t, mux)
	if _, err := c.Limits(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c.Calls() != 2 {
		t.Errorf("calls = %d, want 2", c.Calls())
	}
}

func TestRetryCancelled(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /services/data/v62.0/limits/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(503)
	})
	c := setup(t, mux, WithRetry(RetryPolicy{MaxAttempts: 5, BaseDelay: time.Millisecond, MaxDelay: time.Minute, MaxElapsed: time.Hour}))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Limits(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("cancellation took %v", time.Since(start))
	}
}

// fakeRefresher counts refreshes and swaps the token the test server expects.
type fakeRefresher struct {
	n     atomic.Int32
	valid *atomic.Value
	err   error
}

func (f *fakeRefresher) RefreshSession(ctx context.Context) error {
	f.n.Add(1)
	if f.err != nil {
		return f.err
	}
	f.valid.Store("fresh")
	return nil
}

// tokenTransport adds the current token like crm/auth's transport.
type tokenTransport struct{ token *atomic.Value }

func (tt tokenTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+tt.token.Load().(string))
	return http.DefaultTransport.RoundTrip(r)
}

func TestRefreshOnInvalidSession(t *testing.T) {
	expired := fixture(t, "restforce_expired_session_response.json")
	tests := []struct {
		name        string
		refreshErr  error
		wantRefresh int32
		wantErr     bool
	}{
		{"refresh then ok", nil, 1, false},
		{"refresh fails", errors.New("needs reauthorization"), 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			current := &atomic.Value{}
			current.Store("00Dx0000000BV7z!stale")
			valid := &atomic.Value{}
			valid.Store("none")
			mux := http.NewServeMux()
			mux.HandleFunc("GET /services/data/v62.0/limits/", func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Authorization") != "Bearer "+valid.Load().(string) {
					serveJSON(401, expired)(w, r)
					return
				}
				serveJSON(200, []byte(`{}`))(w, r)
			})
			ref := &fakeRefresher{valid: valid, err: tt.refreshErr}
			// The refresher swaps both: what the server accepts and what
			// the transport sends.
			wrapped := refresherFunc(func(ctx context.Context) error {
				err := ref.RefreshSession(ctx)
				if err == nil {
					current.Store("fresh")
				}
				return err
			})
			srv := httptest.NewServer(mux)
			defer srv.Close()
			c, err := NewClient(srv.URL, WithAPIVersion("62.0"), WithRetry(fastRetry),
				WithHTTPClient(&http.Client{Transport: tokenTransport{current}}), WithSessionRefresher(wrapped))
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Limits(context.Background())
			if (err != nil) != tt.wantErr || ref.n.Load() != tt.wantRefresh {
				t.Fatalf("err = %v, refreshes = %d", err, ref.n.Load())
			}
		})
	}
	t.Run("still invalid after refresh", func(t *testing.T) {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /services/data/v62.0/limits/", serveJSON(401, expired))
		var n atomic.Int32
		c := setup(t, mux, WithSessionRefresher(refresherFunc(func(context.Context) error { n.Add(1); return nil })))
		_, err := c.Limits(context.Background())
		if !IsInvalidSession(err) || n.Load() != 1 || c.Calls() != 2 {
			t.Fatalf("err = %v, refreshes %d, calls %d; want ErrInvalidSession after one refresh", err, n.Load(), c.Calls())
		}
	})
}

type refresherFunc func(context.Context) error

func (f refresherFunc) RefreshSession(ctx context.Context) error { return f(ctx) }

// TestSecretsNeverLogged sends requests carrying a bearer token through
// failures that are logged and returned, and checks neither holds it.
func TestSecretsNeverLogged(t *testing.T) {
	const token = "00Dx0000000BV7z!AR8AQAxo9UfVkh8AlV0Gomt9Czx9LjHnSSpwBMmbRcgKFmxOtvxjTrKW19ye6PE3Ds1eQz3z8jr3W7_VbWmEu4Q8TVGSTHxs"
	var logs bytes.Buffer
	mux := http.NewServeMux()
	mux.HandleFunc("GET /services/data/v62.0/limits/", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(503)
		// A hostile or buggy server echoing the header back.
		_, _ = io.WriteString(w, "upstream said: Authorization: "+r.Header.Get("Authorization"))
	})
	tok := &atomic.Value{}
	tok.Store(token)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := NewClient(srv.URL, WithAPIVersion("62.0"), WithRetry(fastRetry),
		WithHTTPClient(&http.Client{Transport: tokenTransport{tok}}),
		WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Limits(context.Background())
	if err == nil {
		t.Fatal("want an error")
	}
	if logs.Len() == 0 {
		t.Fatal("nothing logged: the test would prove nothing")
	}
	secret := token[16:]
	for what, text := range map[string]string{"logs": logs.String(), "error": err.Error()} {
		if strings.Contains(text, secret) {
			t.Errorf("%s contain the token: %s", what, text)
		}
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, mustNot string }{
		{"https://x.my.salesforce.com/services/oauth2/token?refresh_token=5Aep861secret&grant_type=refresh_token", "5Aep861secret"},
		{"https://x/cb?code=aPrxSECRET&state=s", "aPrxSECRET"},
		{"https://user:pw@x/services", "pw"},
		{"https://x/services?sid=00Dx0000000BV7z!AR8AQsecret", "AR8AQsecret"},
		{"https://x/services?q=00Dx0000000BV7z!AR8AQsecret", "AR8AQsecret"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := redactURL(tt.in); strings.Contains(got, tt.mustNot) {
				t.Errorf("redactURL(%q) = %q", tt.in, got)
			}
		})
	}
	if got := RedactSecrets(`Authorization: Bearer 00Dx0000000BV7z!AR8AQ.x_y`); strings.Contains(got, "AR8AQ") {
		t.Errorf("RedactSecrets = %q", got)
	}
}

func FuzzParseLimitInfo(f *testing.F) {
	for _, s := range []string{"api-usage=18/5000", "per-app-api-usage=17/250(appName=x), api-usage=25/5000", "api-usage=/", "api-usage=-1/5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, ok := parseLimitInfo(s)
		if ok && (u.Max <= 0 || u.Used < 0 || u.Remaining() < 0) {
			t.Fatalf("parseLimitInfo(%q) = %+v", s, u)
		}
		if !ok && u != (Usage{}) {
			t.Fatalf("parseLimitInfo(%q) failed but returned %+v", s, u)
		}
	})
}
