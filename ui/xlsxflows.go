package ui

import (
	"context"
	"fmt"
)

// The import and export flows belong to the engine (app/xlsxflow.go, being
// written by the XLSX engineer). Until *app.Service has them, the views are
// written against these consumer-declared interfaces (STYLE.md #5) and find
// them on the Service at run time; a build whose Service lacks them says
// so in words instead of failing.

// ImportPreview is what the import dialog shows before anything changes.
type ImportPreview interface {
	// Summary is one line: "120 rows: 80 match by Email, 40 new, 3 problems".
	Summary() string
	// Header and Rows are the preview table (first rows of the file with
	// the column they map to).
	Header() []string
	Rows() [][]string
}

// xlsxImporter previews and applies an XLSX file into a sheet.
type xlsxImporter interface {
	PreviewImport(ctx context.Context, sheetID, path string) (ImportPreview, error)
	ApplyImport(ctx context.Context, sheetID string, p ImportPreview) (summary string, err error)
}

// xlsxExporter writes a sheet, or a run's failed records, to an XLSX file.
type xlsxExporter interface {
	ExportXLSX(ctx context.Context, sheetID, path string) error
	ExportRunErrors(ctx context.Context, runID uint64, path string) error
}

// errNoFlow is returned when the engine lacks a flow the view needs.
func errNoFlow(what, method string) error {
	return fmt.Errorf("%s is not available: the engine (app.Service) has no %s yet", what, method)
}

// importer returns the Service's import flow, if it has one.
func (mw *MainWindow) importer() (xlsxImporter, error) {
	if im, ok := any(mw.svc).(xlsxImporter); ok {
		return im, nil
	}
	return nil, errNoFlow("XLSX import", "PreviewImport/ApplyImport")
}

// exporter returns the Service's export flow, if it has one.
func (mw *MainWindow) exporter() (xlsxExporter, error) {
	if ex, ok := any(mw.svc).(xlsxExporter); ok {
		return ex, nil
	}
	return nil, errNoFlow("XLSX export", "ExportXLSX/ExportRunErrors")
}
