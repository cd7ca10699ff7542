package xlsx

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// wideBook has one header row 16,384 columns wide (Excel's maximum).
func wideBook(t testing.TB) []byte {
	return build(t, func(t testing.TB, f *excelize.File) {
		row := make([]any, 16384)
		for i := range row {
			row[i] = "h"
		}
		must(t, f.SetSheetRow("Sheet1", "A1", &row))
	})
}

// encryptedBook is a workbook saved with a password by excelize (ECMA-376
// agile encryption in an OLE compound file, as Excel writes it).
func encryptedBook(t testing.TB) []byte {
	f := excelize.NewFile()
	defer f.Close()
	must(t, f.SetCellStr("Sheet1", "A1", "Secret"))
	var buf bytes.Buffer
	must(t, f.Write(&buf, excelize.Options{Password: "hunter2"}))
	return buf.Bytes()
}

// bombBook holds a worksheet that inflates to 64 MB of blank rows from a
// few kilobytes.
func bombBook(t testing.TB) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range map[string]string{
		"_rels/.rels":                `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":            `<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
	} {
		w, err := zw.Create(name)
		must(t, err)
		_, err = w.Write([]byte(content))
		must(t, err)
	}
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	must(t, err)
	_, err = w.Write([]byte(`<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>`))
	must(t, err)
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for range 64 {
		_, err = w.Write(chunk)
		must(t, err)
	}
	_, err = w.Write([]byte(`</t></is></c></row></sheetData></worksheet>`))
	must(t, err)
	must(t, zw.Close())
	return buf.Bytes()
}

func TestBadInput(t *testing.T) {
	contacts := fixture(t, "contacts.xlsx")
	corrupt := bytes.Clone(contacts)
	for i := len(corrupt) / 4; i < len(corrupt)/2; i++ {
		corrupt[i] ^= 0x5A // damage the deflated parts, keep the directory
	}
	tests := []struct {
		name string
		data []byte
		opt  ReadOptions
		lim  Limits
		want error
	}{
		{"empty file", nil, ReadOptions{}, Limits{}, ErrNotXLSX},
		{"not a zip", []byte("Name,Email\nAda,ada@example.com\n"), ReadOptions{}, Limits{}, ErrNotXLSX},
		{"truncated", contacts[:len(contacts)/2], ReadOptions{}, Limits{}, ErrNotXLSX},
		{"corrupt parts", corrupt, ReadOptions{}, Limits{}, ErrNotXLSX},
		{"zip without workbook", zipOf(t, "mimetype", "application/vnd.oasis.opendocument.spreadsheet"), ReadOptions{}, Limits{}, ErrNotXLSX},
		{"password-protected", encryptedBook(t), ReadOptions{}, Limits{}, ErrEncrypted},
		{"legacy xls", fixture(t, "legacy.xls"), ReadOptions{}, Limits{}, ErrLegacyXLS},
		{"empty workbook", fixture(t, "empty.xlsx"), ReadOptions{}, Limits{}, ErrEmpty},
		{"no header row", fixture(t, "numbers.xlsx"), ReadOptions{}, Limits{}, ErrNoHeader},
		{"chosen header row empty", fixture(t, "contacts.xlsx"), ReadOptions{HeaderRow: 2}, Limits{}, ErrNoHeader},
		{"no such tab", fixture(t, "contacts.xlsx"), ReadOptions{Tab: "Leads"}, Limits{}, ErrNoSuchTab},
		{"file too large", contacts, ReadOptions{}, Limits{MaxFileBytes: 1000}, ErrTooLarge},
		{"too many rows", contacts, ReadOptions{}, Limits{MaxRows: 4}, ErrTooLarge},
		{"16k columns", wideBook(t), ReadOptions{}, Limits{}, ErrTooLarge},
		{"zip bomb", bombBook(t), ReadOptions{}, Limits{MaxPartBytes: 8 << 20}, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb, err := ReadTable(context.Background(), bytes.NewReader(tt.data), int64(len(tt.data)), tt.opt, tt.lim)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ReadTable = %v, %v; want %v", tb, err, tt.want)
			}
			if tb != nil {
				t.Error("a table came back with the error")
			}
			if strings.TrimSpace(err.Error()) == "" {
				t.Error("empty error message")
			}
		})
	}
}

func TestLimitsAllowWideWhenRaised(t *testing.T) {
	b := wideBook(t)
	tb, err := ReadTable(context.Background(), bytes.NewReader(b), int64(len(b)), ReadOptions{}, Limits{MaxColumns: 16384})
	if err != nil {
		t.Fatalf("16k columns with a raised limit: %v", err)
	}
	if n := len(tb.Columns); n != 16384 || tb.Columns[n-1].Name != "h (16384)" {
		t.Fatalf("%d columns, last %q", n, tb.Columns[n-1].Name)
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b := fixture(t, "contacts.xlsx")
	if _, err := ReadTable(ctx, bytes.NewReader(b), int64(len(b)), ReadOptions{}, Limits{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled read: %v", err)
	}
}

// zipOf is a zip with one file.
func zipOf(t testing.TB, name, content string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	must(t, err)
	_, err = w.Write([]byte(content))
	must(t, err)
	must(t, zw.Close())
	return buf.Bytes()
}
