package crm

import (
	"net/url"
	"regexp"
	"strings"
)

// secretParams are query parameters whose values never appear in logs or
// errors (OAuth parameters a URL could carry).
var secretParams = []string{"access_token", "refresh_token", "token", "code", "code_verifier", "client_secret", "password", "sid", "oauth_token"}

// bearerPattern matches an Authorization header value or a Salesforce access
// token (the 15-char org id, "!", then the opaque part).
var bearerPattern = regexp.MustCompile(`(?i)(bearer\s+)[^\s"',;]+|\b00D[0-9A-Za-z]{12,15}![0-9A-Za-z._\-]+`)

// redactURL returns raw with the values of secret parameters replaced by
// REDACTED and long query strings shortened, in the way of go-github's
// sanitizeURL. It is applied to every URL that reaches a log or an error.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.User != nil {
		u.User = url.User("REDACTED")
	}
	q := u.Query()
	changed := false
	for _, p := range secretParams {
		for k := range q {
			if strings.EqualFold(k, p) {
				q.Set(k, "REDACTED")
				changed = true
			}
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	s := u.String()
	if len(s) > 240 {
		s = s[:240] + "…"
	}
	return RedactSecrets(s)
}

// RedactSecrets replaces bearer tokens and Salesforce access tokens in s by
// REDACTED. Use it on any text built from HTTP traffic before logging it.
func RedactSecrets(s string) string {
	return bearerPattern.ReplaceAllString(s, "${1}REDACTED")
}
