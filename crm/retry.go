package crm

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// RetryPolicy bounds the retries of transient failures (HTTP 502/503/504,
// UNABLE_TO_LOCK_ROW, SERVER_UNAVAILABLE, dropped connections): at most
// MaxAttempts sends in total, waits growing exponentially from BaseDelay up to
// MaxDelay with jitter, and no new attempt once MaxElapsed has passed since the
// first. A Retry-After header from Salesforce is honoured when it asks for a
// longer wait. Waits end early when the context is cancelled.
type RetryPolicy struct {
	MaxAttempts int
	BaseDelay   time.Duration
	MaxDelay    time.Duration
	MaxElapsed  time.Duration
}

// DefaultRetryPolicy suits an interactive sync: eight attempts within two
// minutes.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 8, BaseDelay: 250 * time.Millisecond, MaxDelay: 15 * time.Second, MaxElapsed: 2 * time.Minute}

// NoRetry sends every request once.
var NoRetry = RetryPolicy{MaxAttempts: 1, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxElapsed: time.Millisecond}

func (p RetryPolicy) validate() error {
	switch {
	case p.MaxAttempts < 1:
		return errors.New("MaxAttempts must be at least 1")
	case p.BaseDelay <= 0 || p.MaxDelay < p.BaseDelay:
		return errors.New("need 0 < BaseDelay <= MaxDelay")
	case p.MaxElapsed <= 0:
		return errors.New("MaxElapsed must be positive")
	}
	return nil
}

// wait returns how long to wait before attempt+1 after attempt failed, and
// false when the policy is exhausted. retryAfter is the server's request (0
// when absent).
func (p RetryPolicy) wait(attempt int, elapsed, retryAfter time.Duration) (time.Duration, bool) {
	if attempt >= p.MaxAttempts {
		return 0, false
	}
	d := p.BaseDelay
	for i := 1; i < attempt && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	// Equal jitter: half fixed, half random, so that clients that failed
	// together do not come back together.
	d = d/2 + rand.N(d/2+1)
	if retryAfter > d {
		d = retryAfter
	}
	if elapsed+d > p.MaxElapsed {
		return 0, false
	}
	return d, true
}

// retryAfter parses a Retry-After header (seconds or an HTTP date).
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
