// Package sheets is the pure model of a CRM sheet: typed columns, rows with
// stable ids, the sync base each row was last reconciled against, and the row
// states the sync engine and the grid show.
//
// It knows nothing of Salesforce, storage or user interfaces, so every rule
// about values and states lives in one place that the store, the XLSX
// importer, the merge engine and the views all share.
//
// Cells hold canonical text: the one spelling of a value that Parse produces
// and Format reads (dates "2006-01-02", datetimes RFC 3339 in UTC with
// milliseconds, numbers without grouping or locale, booleans "true"/"false",
// multi-select picklists joined with ";"). The empty string is a blank cell.
// Keeping cells as canonical strings makes comparisons for three-way merges
// exact and the on-disk encoding compact.
package sheets
