// Package grid is the spreadsheet view of one sheet: a virtualized
// widget.Table over a display-ready row model, with a formula-bar style
// editor, keyboard navigation, range copy/paste as TSV, find, sort and
// filter of the view, column resize and undo of local edits.
//
// The grid never holds a sheet in memory: it keeps the ordered row ids (8
// bytes a row) and pages formatted rows in from its Source by id, so a
// 100k-row sheet opens as fast as the ids can be read. It touches no
// storage or Salesforce package: its Source is the engine (*app.Service
// satisfies it), declared here by the consumer as STYLE.md #5 asks.
package grid
