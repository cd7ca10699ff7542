// Package emulator is the demo org: a local server that speaks the Salesforce
// REST API wire format (OAuth 2.0, describe, SOQL query and queryAll with
// aggregates, parent-to-child subqueries and column metadata, SOSL search,
// sObject REST, sObject Collections, sObject Tree and Composite,
// getUpdated/getDeleted, limits and Bulk API 2.0) faithfully enough for an
// unmodified Salesforce client to use it: Salesforce's CLI and jsforce run
// against it (scripts/demo-org-clients.sh). Like every org it has one
// Organization row, profiles and a few users, one of them inactive.
//
// It is both the app's embedded default org and the test double every
// integration test talks to over real HTTP:
//
//	srv, err := emulator.New(emulator.Options{SeedAccounts: 50})
//	ts := httptest.NewServer(srv.Handler())
//	access, _, err := srv.IssueToken(ts.URL)
//
// Like a real org it lets in only the connected apps it knows (apps.go):
// its own (DemoClientID), Salesforce CLI's PlatformCLI, and those of
// Options.Apps, each with callback URLs compared as exact strings and PKCE
// where the app requires it; what Salesforce refuses on its error page or
// with an OAuth error, it refuses the same way.
//
// Response shapes, status codes and error bodies follow
// ../shared/salesforce/API-REFERENCE.md (section numbers are cited in the
// code). The SOQL grammar lives in the soql sub-package; this package supplies
// the schema and records it evaluates against.
//
// State is held in memory (records per object in id order, copy-on-write so
// that open query cursors see a stable snapshot) and, when Options.DataFile is
// set, written through to a bbolt file after every write so the org survives a
// restart. Queries whose WHERE narrows by equality (Id IN, Email =, Name IN)
// read their candidates from the id index or from field indexes built on
// first use (query_plan.go, index.go) instead of scanning the table.
package emulator
