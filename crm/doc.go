// Package crm is the application's only HTTP client for Salesforce: the REST
// API (versions, describe, SOQL query and queryAll, sObject Collections,
// upsert by external id, limits) and Bulk API 2.0, plus the helpers every
// caller needs to talk to it safely: 15/18-character record ids and a SOQL
// builder that quotes every literal.
//
// The client follows the shape of go-github: [NewClient] takes functional
// options that validate, every call takes a context first and returns the
// context's error when cancelled, paginated results are iter.Seq2 iterators,
// and the daily API usage reported by Salesforce in the Sforce-Limit-Info
// header is tracked on every response ([Client.Usage]).
//
// Errors returned by Salesforce are *[Error] values that match the sentinels
// of this package with errors.Is (for example [ErrInvalidSession],
// [ErrLimitExceeded]). Transient failures (HTTP 502/503/504, UNABLE_TO_LOCK_ROW,
// SERVER_UNAVAILABLE, dropped connections) are retried with exponential backoff
// and jitter according to a [RetryPolicy]; a 401 INVALID_SESSION_ID makes the
// client ask its [SessionRefresher] for a new token once and resend.
//
// Requests that create data are never blindly resent after their response was
// lost: see [ErrOutcomeUnknown] for the contract.
//
// Authentication lives in crm/auth, which hands this package an *http.Client
// that carries the token (see [WithHTTPClient]). This package knows nothing of
// sheets.
package crm
