package store

import (
	"errors"
	"fmt"
	"strings"

	bolterrors "go.etcd.io/bbolt/errors"

	"crmsheets/sheets"
)

// Errors callers branch on with errors.Is. bbolt's own errors never leave the
// package: they are translated at the boundary (see translate).
var (
	// ErrLocked means another process holds the store file: another window of
	// the app, or a command-line sync. Its text is meant for users.
	ErrLocked = errors.New("CRM Sheets is already open in another window or a sync is running")

	// ErrNotFound means the sheet, row, column, run or version asked for does
	// not exist.
	ErrNotFound = errors.New("not found")

	// ErrDuplicate means a name or id that must be unique is already taken: a
	// sheet name, a column name, a row id.
	ErrDuplicate = errors.New("already exists")

	// ErrReadOnly means a change was attempted on a store opened with
	// Options.ReadOnly.
	ErrReadOnly = errors.New("the store is open read-only")

	// ErrClosed means the store was used after Close.
	ErrClosed = errors.New("the store is closed")

	// ErrCorrupt means the file is not a CRM Sheets store, or is damaged.
	ErrCorrupt = errors.New("the store file is damaged or not a CRM Sheets store")

	// ErrSchemaTooNew means the file was written by a newer version of the
	// app; this version must not touch it.
	ErrSchemaTooNew = errors.New("the store was written by a newer version of CRM Sheets")

	// ErrReadOnlyColumn means a cell edit targeted a read-only column (formula
	// or system field): such cells only change by pulling from Salesforce.
	ErrReadOnlyColumn = errors.New("the column is read-only")

	// ErrInvalidSheet means a sheet definition failed sheets.Sheet.Validate.
	ErrInvalidSheet = errors.New("invalid sheet definition")
)

// translate maps bbolt's errors to the package's sentinels, keeping the
// original in the chain for diagnosis. Other errors pass through unchanged.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, bolterrors.ErrTimeout):
		return fmt.Errorf("%w: %w", ErrLocked, err)
	case errors.Is(err, bolterrors.ErrDatabaseReadOnly), errors.Is(err, bolterrors.ErrTxNotWritable):
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	case errors.Is(err, bolterrors.ErrDatabaseNotOpen):
		return fmt.Errorf("%w: %w", ErrClosed, err)
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrChecksum),
		errors.Is(err, bolterrors.ErrVersionMismatch), errors.Is(err, bolterrors.ErrInvalidMapping):
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return err
}

// CellError is one cell that does not fit a column's new type.
type CellError struct {
	Row   int          // 1-based position of the row in the sheet, as the user sees it
	RowID sheets.RowID // the row's stable id
	Value string       // the cell's current canonical text
	Err   error        // the *sheets.ValueError from parsing Value with the new type
}

// RetypeError is returned by RetypeColumn when some cells do not parse with
// the new type; nothing was changed. It lists the first failing cells (at
// most MaxRetypeErrors) in row order and matches sheets.ErrInvalidValue.
type RetypeError struct {
	Sheet  string // sheet name
	Column string // column name
	Type   sheets.Type
	Cells  []CellError
	More   bool // more cells failed than are listed
}

// MaxRetypeErrors caps the cells a RetypeError lists.
const MaxRetypeErrors = 10

// Error lists the failing cells by row number and value.
func (e *RetypeError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sheet %q: column %q cannot become %s: ", e.Sheet, e.Column, strings.ToLower(e.Type.Label()))
	for i, c := range e.Cells {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "row %d: %q", c.Row, c.Value)
	}
	if e.More {
		b.WriteString("; and more")
	}
	return b.String()
}

// Is makes errors.Is(err, sheets.ErrInvalidValue) true.
func (e *RetypeError) Is(target error) bool { return target == sheets.ErrInvalidValue }
