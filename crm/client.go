package crm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of a new Client.
const (
	// DefaultTimeout bounds every HTTP request when the caller's http.Client
	// has no timeout of its own.
	DefaultTimeout = 2 * time.Minute
	// DefaultQueryBatchSize is Salesforce's page size for query results.
	DefaultQueryBatchSize = 2000
	// DefaultBulkThreshold is the record count above which the engine should
	// prefer Bulk API 2.0 over sObject Collections: the one threshold of the
	// app (its engine and the CLI use it). Measured by
	// BenchmarkBulkThreshold: from about 1,000 records a Bulk job spends
	// fewer calls than Collections (create, upload, close and a poll or two
	// against one call per 200 records: 4 against 10 at 2,000), and from
	// about 3,000 it is also faster; at 2,000 it costs a few tens of
	// milliseconds more for 60% fewer calls, and the daily API limit is
	// what runs out first. Below it, a push of 1,000 rows stays on
	// Collections (5 writes).
	DefaultBulkThreshold = 2000
	// DefaultBulkPollMin is the wait before the first poll of a Bulk API
	// 2.0 job: a job of a few thousand records is often done by then.
	DefaultBulkPollMin = 20 * time.Millisecond
	// DefaultBulkPollMax is the longest wait between polls of a Bulk API
	// 2.0 job. The wait follows the job's own rate (see waitJob); this
	// only bounds a wrong estimate. At 10 s a 30-second job took two
	// polls more than its plan.
	DefaultBulkPollMax = 5 * time.Minute
	// DefaultBulkQueryThreshold is the record count above which a read
	// (pull, re-read, read-back) runs as one Bulk API 2.0 query job instead
	// of REST query pages of 2,000: from there the job's fixed calls
	// (create, a few polls, one download per 50,000 records) are no more
	// than the pages, and it is no slower. Measured by the CLI scaling
	// benchmark (internal/clibench), which reads the same SOQL both ways
	// with bare clients: at 10k records REST paging and the Bulk job take
	// about the same time, at 100k the Bulk job reads in under half the
	// time; the CLI's pull of 100k spends 5 calls (50 pages by REST).
	DefaultBulkQueryThreshold = 10000
	// CollectionBatchSize is the sObject Collections limit per request.
	CollectionBatchSize = 200
	// MinAPIVersion is the oldest version the client accepts (Collections
	// upsert needs 46.0).
	MinAPIVersion = "46.0"
	// MaxAPIVersion is the newest version the client was tested against;
	// negotiation never picks a newer one.
	MaxAPIVersion = "66.0"
)

// SessionRefresher renews the access token carried by the client's HTTP
// client. The client calls it once when Salesforce answers 401
// INVALID_SESSION_ID and then resends the request. crm/auth's transport
// implements it; a caller can also pass one with WithSessionRefresher.
// Implementations must be safe for concurrent use and should coalesce
// concurrent refreshes (see RequestSentAt).
type SessionRefresher interface {
	RefreshSession(ctx context.Context) error
}

// sentAtKey carries, in the context given to RefreshSession, when the
// request that got the 401 was sent.
type sentAtKey struct{}

// RequestSentAt returns when the request that Salesforce answered with 401
// was sent, from the context the client passes to
// SessionRefresher.RefreshSession. A refresher that got a new token after
// that moment can skip refreshing again: the request will be resent with the
// newer token. ok is false outside a refresh.
func RequestSentAt(ctx context.Context) (sent time.Time, ok bool) {
	sent, ok = ctx.Value(sentAtKey{}).(time.Time)
	return sent, ok
}

// Client talks to one Salesforce org. Create it with NewClient. A Client is
// safe for concurrent use; its describe cache and usage counters are shared
// by all goroutines.
type Client struct {
	instance      *url.URL
	hc            *http.Client
	refresher     SessionRefresher
	retry         RetryPolicy
	log           *slog.Logger
	batchSize     int
	bulkThreshold int
	workDir       string // see WithWorkDir
	bulkPollMin   time.Duration
	bulkPollMax   time.Duration
	clock         pollClock

	versionMu sync.Mutex
	version   string

	describeMu sync.Mutex
	describes  map[string]*ObjectDescribe

	calls atomic.Int64
	usage atomic.Pointer[Usage]
}

// Option configures a Client; options validate their argument and NewClient
// reports the first invalid one.
type Option func(*Client) error

// WithHTTPClient sets the HTTP client, typically the one returned by
// crm/auth's Session.HTTPClient, which adds the bearer token. If its
// Transport implements SessionRefresher, 401 responses refresh the token. A
// client without a Timeout gets DefaultTimeout (on a copy: the caller's
// client is not modified).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("WithHTTPClient: nil client")
		}
		cp := *hc
		if cp.Timeout == 0 {
			cp.Timeout = DefaultTimeout
		}
		c.hc = &cp
		if r, ok := hc.Transport.(SessionRefresher); ok && c.refresher == nil {
			c.refresher = r
		}
		return nil
	}
}

// WithSessionRefresher sets what renews the token after a 401.
func WithSessionRefresher(r SessionRefresher) Option {
	return func(c *Client) error {
		c.refresher = r
		return nil
	}
}

// WithAPIVersion pins the REST API version ("62.0"); otherwise the client
// negotiates it from /services/data/ on first use.
func WithAPIVersion(v string) Option {
	return func(c *Client) error {
		v = strings.TrimPrefix(v, "v")
		if _, err := parseVersion(v); err != nil {
			return fmt.Errorf("WithAPIVersion: %w", err)
		}
		if compareVersions(v, MinAPIVersion) < 0 {
			return fmt.Errorf("WithAPIVersion %s: older than the minimum %s", v, MinAPIVersion)
		}
		c.version = v
		return nil
	}
}

// WithRetry sets the retry policy for transient failures.
func WithRetry(p RetryPolicy) Option {
	return func(c *Client) error {
		if err := p.validate(); err != nil {
			return fmt.Errorf("WithRetry: %w", err)
		}
		c.retry = p
		return nil
	}
}

// WithLogger sets the logger for retries, refreshes and slow polls. Tokens
// never reach it.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		if l == nil {
			return errors.New("WithLogger: nil logger")
		}
		c.log = l
		return nil
	}
}

// WithQueryBatchSize asks Salesforce for pages of n records (200..2000) with
// the Sforce-Query-Options header. Salesforce treats it as a hint.
func WithQueryBatchSize(n int) Option {
	return func(c *Client) error {
		if n < 200 || n > 2000 {
			return fmt.Errorf("WithQueryBatchSize %d: must be within 200..2000", n)
		}
		c.batchSize = n
		return nil
	}
}

// WithBulkThreshold sets the record count above which UseBulk reports true.
func WithBulkThreshold(n int) Option {
	return func(c *Client) error {
		if n < 1 {
			return fmt.Errorf("WithBulkThreshold %d: must be positive", n)
		}
		c.bulkThreshold = n
		return nil
	}
}

// WithWorkDir sets the folder where a Bulk API 2.0 upload larger than
// bulkSpillBytes is written while its job runs (default: the system's
// temporary folder), so its CSV is not held in memory. The app passes its
// own folder: the file holds the records' values.
func WithWorkDir(dir string) Option {
	return func(c *Client) error {
		c.workDir = dir
		return nil
	}
}

// WithBulkPolling sets the first and the longest wait between polls of a
// Bulk API 2.0 job (defaults DefaultBulkPollMin and DefaultBulkPollMax;
// see waitJob).
func WithBulkPolling(first, longest time.Duration) Option {
	return func(c *Client) error {
		if first <= 0 || longest < first {
			return fmt.Errorf("WithBulkPolling %v, %v: need 0 < first <= longest", first, longest)
		}
		c.bulkPollMin, c.bulkPollMax = first, longest
		return nil
	}
}

// NewClient returns a client for the org at instanceURL (the instance_url of
// the OAuth token response, e.g. https://mycompany.my.salesforce.com). The
// URL must be https, or http on a loopback address (the local emulator).
func NewClient(instanceURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(instanceURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("new client for %q: %w", instanceURL, err)
	}
	if u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return nil, fmt.Errorf("new client for %q: instance URL must be https (or http on a loopback address)", instanceURL)
	}
	u.RawQuery, u.Fragment = "", ""
	c := &Client{
		instance:      u,
		hc:            &http.Client{Timeout: DefaultTimeout},
		retry:         DefaultRetryPolicy,
		log:           slog.New(slog.DiscardHandler),
		bulkThreshold: DefaultBulkThreshold,
		bulkPollMin:   DefaultBulkPollMin,
		bulkPollMax:   DefaultBulkPollMax,
		clock:         realClock,
		describes:     map[string]*ObjectDescribe{},
	}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, fmt.Errorf("new client for %s: %w", u.Redacted(), err)
		}
	}
	return c, nil
}

// InstanceURL returns the org's base URL.
func (c *Client) InstanceURL() string { return c.instance.String() }

// APIVersion returns the API version in use ("62.0"), or "" while it is not
// negotiated yet (see Negotiate).
func (c *Client) APIVersion() string {
	c.versionMu.Lock()
	defer c.versionMu.Unlock()
	return c.version
}

// Calls returns the number of HTTP requests this client sent to the REST and
// Bulk APIs, retries included: the client's share of the daily API usage.
func (c *Client) Calls() int64 { return c.calls.Load() }

// sleepFor is sleep, counted as waiting for Salesforce (see
// CallCount.Waited).
func (c *Client) sleepFor(ctx context.Context, d time.Duration, sleep func(context.Context, time.Duration) error) error {
	start := time.Now()
	err := sleep(ctx, d)
	c.countWait(ctx, time.Since(start))
	return err
}

// CallCount counts the calls one piece of work makes to Salesforce (as
// Calls does for the whole client) and the time it waits for them: the app
// runs a scheduled sync beside one the user started, on one client, and
// each run's history must count its own calls only.
type CallCount struct {
	calls  atomic.Int64
	waited atomic.Int64 // nanoseconds
}

// Calls is the calls counted so far.
func (n *CallCount) Calls() int64 { return n.calls.Load() }

// Waited is the time spent waiting for Salesforce so far: each call from
// sending it until its answer's headers came back, and the waits between
// a Bulk job's polls and before retries. A run's history keeps it, so a
// slow sync shows whether the time went to Salesforce or to the app's own
// work: at least the run's time less this (a pull stores a page while it
// waits for the next, so some of its own work hides under the wait).
func (n *CallCount) Waited() time.Duration { return time.Duration(n.waited.Load()) }

type callCountKey struct{}

// WithCallCount returns a context that has the client count in n every
// call made with it (or with a context made from it) and every wait for
// one, besides the client's own totals.
func WithCallCount(ctx context.Context, n *CallCount) context.Context {
	return context.WithValue(ctx, callCountKey{}, n)
}

// countCall counts a call sent with ctx.
func (c *Client) countCall(ctx context.Context) {
	c.calls.Add(1)
	if n, _ := ctx.Value(callCountKey{}).(*CallCount); n != nil {
		n.calls.Add(1)
	}
}

// countWait counts d waited for Salesforce on behalf of ctx.
func (c *Client) countWait(ctx context.Context, d time.Duration) {
	if n, _ := ctx.Value(callCountKey{}).(*CallCount); n != nil {
		n.waited.Add(int64(d))
	}
}

// BulkThreshold returns the record count above which the engine should use
// Bulk API 2.0.
func (c *Client) BulkThreshold() int { return c.bulkThreshold }

// UseBulk reports whether n records should go through Bulk API 2.0.
func (c *Client) UseBulk(n int) bool { return n > c.bulkThreshold }

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1" || strings.HasPrefix(host, "127.")
}

// dataPath returns the path of a REST resource under the negotiated version.
func (c *Client) dataPath(ctx context.Context, resource string) (string, error) {
	v, err := c.Negotiate(ctx)
	if err != nil {
		return "", err
	}
	return "/services/data/v" + v + "/" + strings.TrimPrefix(resource, "/"), nil
}

// absURL resolves a path returned by Salesforce (nextRecordsUrl, a data
// path) against the instance URL, keeping any path prefix of the instance.
func (c *Client) absURL(path string) string {
	base := strings.TrimRight(c.instance.String(), "/")
	if p := c.instance.Path; p != "" && strings.HasPrefix(path, p+"/") {
		path = strings.TrimPrefix(path, p)
	}
	return base + path
}

// drain discards what is left of a body so that the connection is reused.
func drain(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 1<<16))
	_ = body.Close()
}
