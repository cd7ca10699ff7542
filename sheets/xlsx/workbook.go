package xlsx

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Workbook describes a workbook's tabs, as Inspect finds them, so a user can
// choose which tab to import.
type Workbook struct {
	Tabs     []Tab
	Date1904 bool // the workbook counts dates from 1904 (old Mac Excel)
	// SheetID is the id of the sheet this workbook was exported from, read
	// from its metadata tab; "" for workbooks this app did not write.
	SheetID string

	pkg         *pkg
	styles      styles
	meta        *exportMeta // nil for workbooks this app did not write
	sstPartName string
	sst         []string // loaded on first use
	sstErr      error
	sstOK       bool
}

// Tab is one worksheet of a workbook. Metadata tabs this app writes are not
// listed.
type Tab struct {
	Name      string
	Hidden    bool   // hidden or very hidden in Excel
	Dimension string // the range the file claims to use, such as "A1:T100001"; "" when absent
	Rows      int    // from Dimension; 0 when unknown
	Columns   int    // from Dimension; 0 when unknown

	part string
}

// Names of the tabs this package writes for itself; readers skip them.
const (
	metaTab  = "_crmsheets"
	listsTab = "_crmsheets_lists"
)

type xmlWorkbook struct {
	WorkbookPr struct {
		Date1904 string `xml:"date1904,attr"`
	} `xml:"workbookPr"`
	Sheets []struct {
		Name  string `xml:"name,attr"`
		State string `xml:"state,attr"`
		RID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		RIDs  string `xml:"http://purl.oclc.org/ooxml/officeDocument/relationships id,attr"`
	} `xml:"sheets>sheet"`
}

type xmlRels struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

// Inspect opens a workbook and lists its tabs. It reads the workbook's
// directory parts and the first bytes of each worksheet, not the data, so it
// is quick on large files. Errors: ErrNotXLSX, ErrLegacyXLS, ErrEncrypted,
// ErrEmpty (no tabs), *TooLargeError.
func Inspect(r io.ReaderAt, size int64, lim Limits) (*Workbook, error) {
	wb, err := openWorkbook(r, size, lim.withDefaults())
	if err != nil {
		return nil, err
	}
	for i := range wb.Tabs {
		if err := wb.readDimension(&wb.Tabs[i]); err != nil {
			return nil, err
		}
	}
	return wb, nil
}

func openWorkbook(r io.ReaderAt, size int64, lim Limits) (*Workbook, error) {
	p, err := openPackage(r, size, lim)
	if err != nil {
		return nil, err
	}
	wbPart := "xl/workbook.xml"
	var root xmlRels
	if p.has("_rels/.rels") {
		if err := p.decode("_rels/.rels", &root); err != nil {
			return nil, err
		}
		for _, rel := range root.Rels {
			if strings.HasSuffix(rel.Type, "/officeDocument") {
				wbPart = relTarget("", rel.Target)
			}
		}
	}
	if !p.has(wbPart) {
		return nil, fmt.Errorf("no workbook part: %w", ErrNotXLSX)
	}
	var x xmlWorkbook
	if err := p.decode(wbPart, &x); err != nil {
		return nil, err
	}
	relsPart := relTarget(wbPart, "_rels/"+wbPart[strings.LastIndex(wbPart, "/")+1:]+".rels")
	var rels xmlRels
	if err := p.decode(relsPart, &rels); err != nil {
		return nil, err
	}
	targets := map[string]string{}
	var stylesPart, sstPart string
	for _, rel := range rels.Rels {
		t := relTarget(wbPart, rel.Target)
		targets[rel.ID] = t
		switch {
		case strings.HasSuffix(rel.Type, "/styles"):
			stylesPart = t
		case strings.HasSuffix(rel.Type, "/sharedStrings"):
			sstPart = t
		}
	}
	wb := &Workbook{pkg: p}
	d := strings.ToLower(x.WorkbookPr.Date1904)
	wb.Date1904 = d == "1" || d == "true"
	var metaPart string
	for _, s := range x.Sheets {
		id := s.RID
		if id == "" {
			id = s.RIDs
		}
		part, ok := targets[id]
		if !ok || !p.has(part) {
			continue // chart sheets and dangling entries have no worksheet part
		}
		switch s.Name {
		case metaTab:
			metaPart = part
			continue
		case listsTab:
			continue
		}
		wb.Tabs = append(wb.Tabs, Tab{Name: s.Name, Hidden: s.State == "hidden" || s.State == "veryHidden", part: part})
	}
	if len(wb.Tabs) == 0 {
		return nil, fmt.Errorf("no worksheets: %w", ErrEmpty)
	}
	if stylesPart != "" && p.has(stylesPart) {
		if wb.styles, err = readStyles(p, stylesPart); err != nil {
			return nil, err
		}
	}
	if sstPart != "" && p.has(sstPart) {
		wb.sstPartName = sstPart
	}
	if metaPart != "" {
		m, err := wb.readMeta(metaPart)
		if err != nil {
			return nil, err
		}
		wb.meta = m
		wb.SheetID = m.sheetID
	}
	return wb, nil
}

// decode unmarshals a small part.
func (p *pkg) decode(name string, v any) error {
	rc, err := p.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := xml.NewDecoder(rc).Decode(v); err != nil {
		if errIsLimit(err) {
			return err
		}
		return fmt.Errorf("read %s: %v: %w", name, err, ErrNotXLSX)
	}
	return nil
}

// tab finds a tab by name; "" is the first visible tab.
func (wb *Workbook) tab(name string) (*Tab, error) {
	if name == "" {
		for i := range wb.Tabs {
			if !wb.Tabs[i].Hidden {
				return &wb.Tabs[i], nil
			}
		}
		return &wb.Tabs[0], nil
	}
	for i := range wb.Tabs {
		if wb.Tabs[i].Name == name {
			return &wb.Tabs[i], nil
		}
	}
	for i := range wb.Tabs {
		if strings.EqualFold(wb.Tabs[i].Name, name) {
			return &wb.Tabs[i], nil
		}
	}
	return nil, fmt.Errorf("tab %q: %w", name, ErrNoSuchTab)
}

// sharedStrings loads the shared string table once.
func (wb *Workbook) sharedStrings() ([]string, error) {
	if wb.sstOK || wb.sstPartName == "" {
		return wb.sst, wb.sstErr
	}
	wb.sstOK = true
	wb.sst, wb.sstErr = readSharedStrings(wb.pkg, wb.sstPartName)
	return wb.sst, wb.sstErr
}

// readDimension reads the <dimension ref> at the head of a worksheet.
func (wb *Workbook) readDimension(t *Tab) error {
	rc, err := wb.pkg.open(t.part)
	if err != nil {
		return err
	}
	defer rc.Close()
	dec := xml.NewDecoder(rc)
	for {
		tok, err := dec.RawToken()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			if errIsLimit(err) {
				return err
			}
			return fmt.Errorf("read tab %q: %v: %w", t.Name, err, ErrNotXLSX)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "dimension":
			t.Dimension = attr(se, "ref")
			t.Columns, t.Rows = dimensionSize(t.Dimension)
			return nil
		case "sheetData":
			return nil
		}
	}
}

// dimensionSize returns the columns and rows a range such as "A1:T100" spans
// from A1 (a used range that starts lower still counts from the top).
func dimensionSize(ref string) (cols, rows int) {
	last := ref
	if i := strings.IndexByte(ref, ':'); i >= 0 {
		last = ref[i+1:]
	}
	c, r, ok := parseCellRef(last)
	if !ok {
		return 0, 0
	}
	return c + 1, r
}

func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// parseCellRef parses "AB12" into a 0-based column and a 1-based row.
func parseCellRef(ref string) (col, row int, ok bool) {
	ref = strings.TrimPrefix(ref, "$")
	i := 0
	for i < len(ref) && (ref[i] >= 'A' && ref[i] <= 'Z' || ref[i] >= 'a' && ref[i] <= 'z') {
		c := int(ref[i]|0x20) - 'a' + 1
		col = col*26 + c
		if col > 1<<20 {
			return 0, 0, false
		}
		i++
	}
	if i == 0 || i > 3 {
		return 0, 0, false
	}
	j := i
	for j < len(ref) && ref[j] == '$' {
		j++
	}
	if j == len(ref) {
		return 0, 0, false
	}
	for ; j < len(ref); j++ {
		if ref[j] < '0' || ref[j] > '9' {
			return 0, 0, false
		}
		row = row*10 + int(ref[j]-'0')
		if row > 1<<24 {
			return 0, 0, false
		}
	}
	return col - 1, row, row > 0
}
