// Package reliability is the suite that tries to make CRM Sheets lose data:
// it kills the CLI in the middle of pushes, makes the org misbehave (503s,
// row locks, expiring tokens, dropped connections, latency), runs out of
// daily API calls, feeds broken XLSX files, and looks for secrets where they
// must not be. Every scenario ends by reading the org and the store back and
// counting what was lost; the goal is nothing.
//
// `make test` runs a short version of every scenario. `make reliability`
// sets CRMSHEETS_RELIABILITY=long for the full sizes of issue 7 and writes
// the results to docs/RELIABILITY.md (CRMSHEETS_RELIABILITY_REPORT).
package reliability
