package app

import "crmsheets/sheets/xlsx"

// The XLSX flows hand the views the importer's own values (tables, previews,
// options). These aliases let the views name them through app, so ui never
// imports sheets/xlsx (DESIGN.md: only sheets/xlsx touches spreadsheet
// files, and ui speaks to app alone).
type (
	// ImportTable is a workbook tab read for a preview (xlsx.Table).
	ImportTable = xlsx.Table
	// ImportColumn is one column of an ImportTable (xlsx.ColumnInfo).
	ImportColumn = xlsx.ColumnInfo
	// ImportReadOptions choose the tab, header row and date orders (xlsx.ReadOptions).
	ImportReadOptions = xlsx.ReadOptions
	// ImportLimits bound what an import reads (xlsx.Limits); zero values are the defaults.
	ImportLimits = xlsx.Limits
	// WorkbookTab describes one tab of a workbook (xlsx.Tab).
	WorkbookTab = xlsx.Tab
	// DateFormat is a day/month/year order of text dates (xlsx.DateFormat).
	DateFormat = xlsx.DateFormat
	// CellProblem is a file cell that could not be imported, with its reason (xlsx.CellProblem).
	CellProblem = xlsx.CellProblem
	// ImportOptions choose the key column and whether to overwrite or add rows (xlsx.MergeOptions).
	ImportOptions = xlsx.MergeOptions
	// ImportPlan is the preview of an import into an existing sheet: rows matched, cells to change, rows to add (xlsx.MergePlan).
	ImportPlan = xlsx.MergePlan
	// ImportColumnMatch pairs a file column with a sheet column (xlsx.ColumnMatch).
	ImportColumnMatch = xlsx.ColumnMatch
	// ImportCellChange is one cell a merge import would change (xlsx.CellChange).
	ImportCellChange = xlsx.CellChange
	// ImportMatchedRow is a file row matched to a sheet row (xlsx.MatchedRow).
	ImportMatchedRow = xlsx.MatchedRow
	// ImportNewRow is a file row a merge would add (xlsx.NewRow).
	ImportNewRow = xlsx.NewRow
	// ImportDuplicateKey is a key found on several file rows (xlsx.DuplicateKey).
	ImportDuplicateKey = xlsx.DuplicateKey
	// ExportOptions choose the time zone and tab name of an export (xlsx.ExportOptions).
	ExportOptions = xlsx.ExportOptions
)
