// Package app is the engine of CRM Sheets and the one façade the desktop UI
// and the CLI call: saved orgs and the connection to Salesforce (or to the
// embedded demo org), sheets and their columns, mapping columns to fields,
// filters, and the sync runs themselves — plan (dry run), pull, push and
// bidirectional sync with conflict policies, API budget, crash safety,
// history, revert and the scheduler.
//
// Views hold no logic: every action a window or a command offers is one
// method of [Service], so the GUI and the CLI behave identically. The
// façade is closed: its signatures use app's own types (or the sheets
// domain and the pure sub-packages), every error a caller branches on is
// listed in errors.go as app's own value (the store's not-found, duplicate
// and locked errors are translated where app calls the store, in
// storedoor.go), the XLSX flows hand out app's own tables and plans
// (xlsxtypes.go), and ui and app/cli import nothing below app (arch_test.go
// checks each of these).
//
// app joins the rooms below it and holds no rule of theirs: the pure field
// mapping, validation and value conversion live in app/fieldmap, the pure
// three-way merge in app/merge; the store, the XLSX files and the
// Salesforce client are reached through their packages. The demo org is
// not imported either: main.go injects it as a [DemoOrg].
//
// The sync semantics are the product's promise (see DESIGN.md "Sync
// semantics"): a run is recorded as running before its first call; rows about
// to be created are marked create-pending before the call that creates them;
// every batch's record ids, bases and per-record outcomes are written in one
// store transaction; a push re-reads the Salesforce values of the rows it is
// about to change and settles each field with the pure three-way merge of
// app/merge; nothing is overwritten in Salesforce that the user did not
// change, and nothing disappears from a sheet silently.
package app
