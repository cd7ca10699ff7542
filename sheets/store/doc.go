// Package store is the app's local database: sheets, their rows in an
// explicit order, the record-id and key-column indexes, versions of each
// sheet's mapping and sync settings, the history of sync runs with their
// per-record outcomes, and small settings. It is the only package of the app
// that imports bbolt.
//
// Everything lives in one bbolt file. Every call that changes several rows is
// one transaction, so a crash leaves the last committed state, never a
// half-written row; the sync engine groups a batch's row changes and a run's
// outcomes into one transaction with Batch.
//
// Rows are stored in a compact binary encoding (column ids interned per
// sheet, varint lengths) under 8-byte position keys spaced by a large gap, so
// a row can be inserted between two others without renumbering the sheet;
// when a gap is used up only a small window around the insertion point is
// renumbered, in the same transaction.
//
// A Store is safe for concurrent use. Only one process may open a store file
// for writing at a time: a second opener fails within Options.Timeout with
// ErrLocked rather than waiting.
package store
