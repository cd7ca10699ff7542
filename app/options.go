package app

import (
	"time"

	"golang.org/x/oauth2"

	"crmsheets/crm"
)

// RetryPolicy says how often and how patiently a Salesforce request that
// failed for a passing reason (a lock, a timeout, a 5xx, a request limit
// with Retry-After) is sent again. It is app's own type so that Options
// speaks only app's language; the client's policy is built from it.
type RetryPolicy struct {
	// MaxAttempts counts the first try; 1 sends every request once.
	MaxAttempts int
	// BaseDelay is the first wait; each next wait doubles, with jitter.
	BaseDelay time.Duration
	// MaxDelay caps one wait.
	MaxDelay time.Duration
	// MaxElapsed is when a request stops being retried at all.
	MaxElapsed time.Duration
}

// crm converts the policy for the Salesforce client.
func (p RetryPolicy) crm() crm.RetryPolicy {
	return crm.RetryPolicy{MaxAttempts: p.MaxAttempts, BaseDelay: p.BaseDelay, MaxDelay: p.MaxDelay, MaxElapsed: p.MaxElapsed}
}

// TokenVault keeps OAuth tokens under a session's key (see SessionInfo):
// the OS keychain, 0600 files, or memory in tests. It is declared here,
// where it is used, so that a caller can supply any vault with these three
// methods without reaching past app into crm/auth.
type TokenVault interface {
	// Load returns the token saved under key, or an error wrapping the
	// vault's "no token" error when there is none.
	Load(key string) (*oauth2.Token, error)
	// Save stores t under key, replacing what was there.
	Save(key string, t *oauth2.Token) error
	// Delete forgets the token under key; deleting nothing is no error.
	Delete(key string) error
}
