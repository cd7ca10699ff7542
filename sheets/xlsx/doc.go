// Package xlsx reads and writes sheets as Excel workbooks (.xlsx). It is the
// only package of the app that imports excelize, so a change of XLSX library
// touches this package alone.
//
// Import works in two steps that never touch the store:
//
//   - ReadTable streams one tab of a workbook into a Table: the header row
//     (detected or chosen), deduplicated column names, column types inferred
//     from the data and every value in the sheets package's canonical text.
//     Values that do not fit are collected as CellProblems, never fatal.
//     Workbooks this package exported carry hidden row ids, so a re-import
//     matches every row exactly even when its key cells were edited.
//   - PlanMerge compares a Table with the rows of an existing sheet and
//     returns a MergePlan: the preview (matched, new, changed cells, invalid
//     values, duplicate keys) and, through Apply, the rows to write in one
//     store transaction.
//
// Export and ExportFailures write sheets with excelize's StreamWriter: a
// styled, frozen header, typed cells, picklist drop-downs, shaded read-only
// columns, and a very hidden metadata tab. Text cells are always written as
// text, never as formulas, whatever they start with.
//
// Reading does not use excelize: its streaming Rows iterator hides each
// cell's style (so a date serial cannot be told from a number without
// re-parsing display text such as "03-31-24") and the merged ranges (which
// it only gives by loading the whole worksheet into memory). The reader here
// streams the same XML with encoding/xml, sees styles, types, formulas'
// cached values, hidden rows and merged ranges in one pass, and bounds every
// part it inflates so a zip bomb fails with ErrTooLarge.
package xlsx
