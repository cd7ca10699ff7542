package crm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// request is one logical call; send may transmit it several times.
type request struct {
	method string
	url    string // absolute
	body   []byte
	// bodyFn, when set instead of body, gives the body afresh for each
	// transmission (a Bulk upload read from its work file), bodyLen bytes.
	bodyFn      func() io.Reader
	bodyLen     int64
	contentType string
	accept      string
	header      http.Header
	// idempotent requests are resent after a lost response; others (creates)
	// end with errResponseLost once their bytes may have reached Salesforce.
	idempotent bool
	// resentAfterLoss is set by send when the request was resent after a
	// response was lost, so Salesforce may have applied it already.
	resentAfterLoss bool
}

// errResponseLost: the request was written but no complete response came
// back, and the request is not idempotent.
type errResponseLost struct{ cause error }

func (e *errResponseLost) Error() string { return "response lost: " + e.cause.Error() }
func (e *errResponseLost) Unwrap() error { return e.cause }

// send transmits req, retrying transient failures under the client's
// RetryPolicy and refreshing the session once per 401. handle reads a
// successful (2xx) response; a failure while reading it (a connection
// dropped mid-body) is treated like a lost response. handle may be nil.
func (c *Client) send(ctx context.Context, req *request, handle func(*http.Response) error) error {
	start := time.Now()
	justRefreshed := false
	safeURL := redactURL(req.url)
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s %s: %w", req.method, safeURL, err)
		}
		hreq, wrote, err := c.newHTTPRequest(ctx, req)
		if err != nil {
			return err
		}
		c.countCall(ctx)
		sentAt := time.Now()
		resp, err := c.hc.Do(hreq)
		c.countWait(ctx, time.Since(sentAt))
		var failure error
		var wait time.Duration
		if err == nil {
			c.trackUsage(resp.Header)
			switch {
			case resp.StatusCode < 300:
				if handle == nil {
					drain(resp.Body)
					return nil
				}
				herr := handle(resp)
				drain(resp.Body)
				if herr == nil {
					return nil
				}
				if !isTransportError(herr) || ctx.Err() != nil {
					return herr
				}
				err = herr // fall through to the transport-error path below
			default:
				apiErr := readError(resp, req.method, safeURL)
				if apiErr.HTTPStatus == http.StatusUnauthorized && c.refresher != nil && !justRefreshed {
					c.log.Info("salesforce session expired, refreshing", "method", req.method, "url", safeURL)
					if rerr := c.refresher.RefreshSession(context.WithValue(ctx, sentAtKey{}, sentAt)); rerr != nil {
						return fmt.Errorf("%s %s: refresh the session after %s: %w", req.method, safeURL, apiErr.Code, rerr)
					}
					justRefreshed = true
					attempt-- // a refresh is not a failed attempt
					continue
				}
				if !retryableStatus(apiErr.HTTPStatus) && !retryableCode(apiErr.Code) {
					return apiErr
				}
				failure = apiErr
				wait = retryAfter(resp.Header, time.Now())
			}
		}
		justRefreshed = false
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("%s %s: %w", req.method, safeURL, ctx.Err())
			}
			if !isTransportError(err) {
				// Not worth retrying: a TLS or DNS failure, or the token
				// transport refusing (crm/auth's ErrNeedsReauth).
				return fmt.Errorf("%s %s: %w", req.method, safeURL, scrub(err))
			}
			if wrote.Load() && !req.idempotent {
				return &errResponseLost{cause: &networkError{method: req.method, url: safeURL, err: scrub(err)}}
			}
			failure = &networkError{method: req.method, url: safeURL, err: scrub(err)}
			req.resentAfterLoss = req.resentAfterLoss || wrote.Load()
		}
		delay, ok := c.retry.wait(attempt, time.Since(start), wait)
		if !ok {
			return fmt.Errorf("gave up after %d attempts in %v: %w", attempt, time.Since(start).Round(time.Millisecond), failure)
		}
		c.log.Warn("salesforce call failed, retrying", "method", req.method, "url", safeURL, "attempt", attempt, "wait", delay, "error", failure.Error())
		if err := c.sleepFor(ctx, delay, sleep); err != nil {
			return fmt.Errorf("%s %s: %w (last failure: %v)", req.method, safeURL, err, failure)
		}
	}
}

// newHTTPRequest builds one transmission of req. wrote becomes true as soon
// as the request's headers are written: from then on Salesforce may have
// the request, so a create is never sent again. It is set before the body
// leaves, not when the transport reports the whole request written: that
// report comes from the write loop after the last byte, and an answer cut
// off by the server can reach Do first, which made a create that
// Salesforce had saved look unsent and sent it twice. It is atomic because
// the write loop sets it.
func (c *Client) newHTTPRequest(ctx context.Context, req *request) (*http.Request, *atomic.Bool, error) {
	wrote := new(atomic.Bool)
	trace := &httptrace.ClientTrace{
		WroteHeaders: func() { wrote.Store(true) },
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
	}
	var body io.Reader
	switch {
	case req.bodyFn != nil:
		body = req.bodyFn()
	case req.body != nil:
		body = bytes.NewReader(req.body)
	}
	hreq, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), req.method, req.url, body)
	if err != nil {
		return nil, nil, fmt.Errorf("build request %s %s: %w", req.method, redactURL(req.url), err)
	}
	if req.bodyFn != nil {
		hreq.ContentLength = req.bodyLen
		hreq.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(req.bodyFn()), nil }
	}
	for k, vs := range req.header {
		hreq.Header[k] = vs
	}
	if req.contentType != "" {
		hreq.Header.Set("Content-Type", req.contentType)
	}
	accept := req.accept
	if accept == "" {
		accept = "application/json"
	}
	hreq.Header.Set("Accept", accept)
	hreq.Header.Set("User-Agent", "crmsheets")
	return hreq, wrote, nil
}

// callJSON sends a JSON body (nil for none) and decodes a JSON response into
// out (nil to discard).
func (c *Client) callJSON(ctx context.Context, method, path string, in, out any, idempotent bool) error {
	req := &request{method: method, url: c.absURL(path), idempotent: idempotent}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode %s %s body: %w", method, path, err)
		}
		req.body, req.contentType = b, "application/json"
	}
	var handle func(*http.Response) error
	if out != nil {
		handle = func(resp *http.Response) error {
			if resp.StatusCode == http.StatusNoContent {
				return nil
			}
			if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
				return fmt.Errorf("decode %s %s response: %w", method, redactURL(req.url), err)
			}
			return nil
		}
	}
	return c.send(ctx, req, handle)
}

// readError turns a non-2xx response into an *Error. Salesforce sends a JSON
// array of {message, errorCode, fields}; OAuth-style {error,
// error_description} and plain text are handled too.
func readError(resp *http.Response, method, safeURL string) *Error {
	defer drain(resp.Body)
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	e := &Error{HTTPStatus: resp.StatusCode, Method: method, URL: safeURL}
	var list []struct {
		Message   string   `json:"message"`
		ErrorCode string   `json:"errorCode"`
		Fields    []string `json:"fields"`
	}
	var oauth struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	switch {
	case json.Unmarshal(raw, &list) == nil && len(list) > 0:
		e.Code, e.Message, e.Fields = list[0].ErrorCode, list[0].Message, list[0].Fields
		for _, more := range list[1:] {
			e.Message += "; " + more.Message
		}
	case json.Unmarshal(raw, &oauth) == nil && oauth.Error != "":
		e.Code, e.Message = oauth.Error, oauth.Description
	default:
		e.Message = strings.TrimSpace(string(raw))
		if len(e.Message) > 300 {
			e.Message = e.Message[:300] + "…"
		}
		if e.Message == "" {
			e.Message = http.StatusText(resp.StatusCode)
		}
	}
	if resp.StatusCode == http.StatusMultipleChoices {
		e.Code = CodeMultipleChoices
	}
	// A server (or proxy) may echo request headers in an error page.
	e.Message = RedactSecrets(e.Message)
	return e
}

// isTransportError reports failures where the connection, not Salesforce,
// failed: worth another attempt.
func isTransportError(err error) bool {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	// The HTTP/1 transport reports a server that closed the connection
	// without answering with this unexported error text.
	return strings.Contains(err.Error(), "server closed idle connection") ||
		strings.Contains(err.Error(), "connection reset")
}

// scrub drops the URL from a *url.Error (already shown redacted by the
// caller) so that no query string reaches error text twice.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// pollClock is the time a Bulk job's polling reads and sleeps on (a fake
// one in tests counts polls without waiting).
type pollClock struct {
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
}

var realClock = pollClock{now: time.Now, sleep: sleep}
