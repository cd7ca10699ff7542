package xlsx

import (
	"errors"
	"fmt"
)

// Errors returned by Inspect and ReadTable. Callers branch on them with
// errors.Is to tell the user what is wrong with the file; each is wrapped
// with the detail of the file at hand.
var (
	// ErrNotXLSX is a file that is not an Office Open XML workbook: not a
	// zip, a zip without a workbook (such as an .ods), or a truncated file.
	ErrNotXLSX = errors.New("not an Excel workbook (.xlsx)")
	// ErrLegacyXLS is an Excel 97-2003 binary workbook (.xls).
	ErrLegacyXLS = errors.New("an Excel 97-2003 workbook (.xls): save it as .xlsx first")
	// ErrEncrypted is a password-protected workbook, which is stored as an
	// encrypted compound file rather than a zip.
	ErrEncrypted = errors.New("the workbook is password-protected: remove the password in Excel and try again")
	// ErrEmpty is a workbook with no tabs, or a tab with no values.
	ErrEmpty = errors.New("the workbook has no data")
	// ErrNoHeader is a tab where no row looks like a header (mostly text).
	ErrNoHeader = errors.New("no header row found: the first rows hold no column names")
	// ErrNoSuchTab is a ReadOptions.Tab that the workbook does not have.
	ErrNoSuchTab = errors.New("no such tab in the workbook")
	// ErrTooLarge is matched by every *TooLargeError.
	ErrTooLarge = errors.New("the workbook is too large")
)

// TooLargeError is a workbook beyond one of the Limits. What names the limit
// ("file size", "rows", "columns", part names for inflated XML).
type TooLargeError struct {
	What  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the workbook is too large: %s over the limit of %d", e.What, e.Limit)
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }
