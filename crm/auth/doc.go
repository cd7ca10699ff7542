// Package auth connects the app to a Salesforce org: environments
// (production, sandbox, My Domain, the local demo org), the OAuth 2.0
// authorization code flow with PKCE for a native app (system browser, the
// callback http://localhost:PORT/OauthRedirect on one fixed port that the
// org's app registers, a checked state), Salesforce's refusals turned into
// one sentence each pointing at the admin guide (Explain), the
// username-password flow used by the embedded demo org, and token
// persistence.
//
// A [Session] hands crm an *http.Client whose transport adds the bearer
// token, saves every refreshed token through a [TokenStore] (x/oauth2 has no
// refresh callback, so the token source is wrapped), and implements
// crm.SessionRefresher so that a 401 forces a refresh. A refresh token that
// Salesforce refuses (invalid_grant) turns the session into the "needs
// reauthorization" state, reported as [ErrNeedsReauth].
//
// Tokens never reach logs or error text. The environment is stored with the
// session and reused for every refresh: a session is never silently switched
// to another login host.
package auth
