package xlsx

// Limits bound what an import accepts, so a hostile or mistaken file fails
// with ErrTooLarge instead of exhausting memory. Zero fields take the
// defaults below.
type Limits struct {
	MaxFileBytes int64 // size of the .xlsx file itself
	MaxPartBytes int64 // inflated size of any one XML part (bounds zip bombs)
	MaxRows      int   // rows of the tab, header included
	MaxColumns   int   // columns of the tab
	MaxCellBytes int   // one cell's text; longer cells are reported as problems and left blank
}

// Default limits. A million rows is Excel's own maximum; a cell holds at
// most 32,767 characters in Excel, up to four bytes each.
const (
	DefaultMaxFileBytes = 200 << 20
	DefaultMaxPartBytes = 2 << 30
	DefaultMaxRows      = 1 << 20
	DefaultMaxColumns   = 1000
	DefaultMaxCellBytes = 32767 * 4
)

func (l Limits) withDefaults() Limits {
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = DefaultMaxFileBytes
	}
	if l.MaxPartBytes <= 0 {
		l.MaxPartBytes = DefaultMaxPartBytes
	}
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultMaxRows
	}
	if l.MaxColumns <= 0 {
		l.MaxColumns = DefaultMaxColumns
	}
	if l.MaxCellBytes <= 0 {
		l.MaxCellBytes = DefaultMaxCellBytes
	}
	return l
}
