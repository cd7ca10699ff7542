package xlsx

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"crmsheets/sheets"
)

// readBytes reads a workbook in memory.
func readBytes(t testing.TB, b []byte, opt ReadOptions) (*Table, error) {
	t.Helper()
	return ReadTable(context.Background(), bytes.NewReader(b), int64(len(b)), opt, Limits{})
}

// view is the part of a Table the fixture tests pin.
type view struct {
	Header   int
	Names    []string
	Types    []sheets.Type
	Rows     [][]string
	Sources  []int
	Problems []string
}

func viewOf(tb *Table) view {
	v := view{Header: tb.HeaderRow, Rows: tb.Rows, Sources: tb.SourceRows}
	for _, c := range tb.Columns {
		v.Names = append(v.Names, c.Name)
		v.Types = append(v.Types, c.Type)
	}
	for _, p := range tb.Problems {
		v.Problems = append(v.Problems, p.String())
	}
	return v
}

const (
	tText  = sheets.TypeText
	tNum   = sheets.TypeNumber
	tDate  = sheets.TypeDate
	tStamp = sheets.TypeDateTime
	tBool  = sheets.TypeBool
	tEmail = sheets.TypeEmail
	tRef   = sheets.TypeReference
)

func TestReadFixtures(t *testing.T) {
	tests := []struct {
		file string
		opt  ReadOptions
		want view
	}{
		{"contacts.xlsx", ReadOptions{}, view{
			Header: 3,
			Names:  []string{"Name", "Email", "Employees", "Active", "Since", "Revenue", "Id", "Zip"},
			Types:  []sheets.Type{tText, tEmail, tNum, tBool, tDate, tNum, tRef, tText},
			Rows: [][]string{
				{"Ada Lovelace", "ada@example.com", "12", "true", "2024-03-31", "1200.5", "0012300000bVTphAAG", "01234"},
				{"Alan Turing", "alan@example.org", "30", "false", "2000-01-01", "99", "0012300000bVTphAAG", "90210"},
				{"Grace Hopper", "grace@example.net", "7", "true", "1900-01-01", "0.1", "0012300000bVTphAAG", "00501"},
			},
			Sources: []int{4, 5, 6},
		}},
		{"textdates.xlsx", ReadOptions{}, view{
			Header: 1,
			Names:  []string{"ISO", "US", "European", "German", "Ambiguous", "Stamp", "Short year", "Slashed ISO"},
			Types:  []sheets.Type{tDate, tDate, tDate, tDate, tText, tStamp, tText, tDate},
			Rows: [][]string{
				{"2024-03-31", "2024-03-31", "2024-03-31", "2024-03-31", "03/04/2024", "2024-03-31T14:05:00.000Z", "31/03/24", "2024-03-31"},
				{"2000-01-01", "2000-01-02", "2000-01-02", "2000-01-02", "01/02/2000", "2024-03-31T14:05:09.000Z", "1/2/00", "2000-01-01"},
				{"1999-12-31", "1999-12-13", "1999-12-13", "1999-12-13", "12/11/1999", "1999-12-31T23:59:59.000Z", "12/13/99", "1999-12-31"},
			},
			Sources: []int{2, 3, 4},
		}},
		{"textdates.xlsx", ReadOptions{DateFormats: map[int]DateFormat{4: DateDMYSlash}}, view{
			Header: 1,
			Names:  []string{"ISO", "US", "European", "German", "Ambiguous", "Stamp", "Short year", "Slashed ISO"},
			Types:  []sheets.Type{tDate, tDate, tDate, tDate, tDate, tStamp, tText, tDate},
			Rows: [][]string{
				{"2024-03-31", "2024-03-31", "2024-03-31", "2024-03-31", "2024-04-03", "2024-03-31T14:05:00.000Z", "31/03/24", "2024-03-31"},
				{"2000-01-01", "2000-01-02", "2000-01-02", "2000-01-02", "2000-02-01", "2024-03-31T14:05:09.000Z", "1/2/00", "2000-01-01"},
				{"1999-12-31", "1999-12-13", "1999-12-13", "1999-12-13", "1999-11-12", "1999-12-31T23:59:59.000Z", "12/13/99", "1999-12-31"},
			},
			Sources: []int{2, 3, 4},
		}},
		{"date1904.xlsx", ReadOptions{}, view{
			Header: 1,
			Names:  []string{"Day", "Stamp"},
			Types:  []sheets.Type{tDate, tStamp},
			Rows: [][]string{
				{"1904-01-01", "1904-01-01T12:00:00.000Z"},
				{"2024-03-31", "2024-03-31T12:00:00.000Z"},
				{"2000-01-01", "2000-01-01T12:00:00.000Z"},
			},
			Sources: []int{2, 3, 4},
		}},
		{"shapes.xlsx", ReadOptions{}, view{
			Header: 1,
			Names:  []string{"Region", "Company", "Seats", "Double", "Label", "Opened", "Call at"},
			Types:  []sheets.Type{tText, tText, tNum, tNum, tText, tStamp, tText},
			Rows: [][]string{
				{"North", "Acme", "3", "6", "L3", "2024-03-31T06:00:00.000Z", "14:00:00"},
				{"North", "Globex", "4", "8", "L4", "2024-03-31T06:00:00.000Z", "15:00:00"},
				{"South", "Initech", "5", "10", "L5", "2024-03-31T06:00:00.000Z", "16:00:00"},
				{"West", "Hooli", "6", "12", "L6", "2024-03-31T06:00:00.000Z", "17:00:00"},
			},
			Sources: []int{2, 3, 4, 5},
		}},
		{"shapes.xlsx", ReadOptions{SkipHiddenRows: true}, view{
			Header: 1,
			Names:  []string{"Region", "Company", "Seats", "Double", "Label", "Opened", "Call at"},
			Types:  []sheets.Type{tText, tText, tNum, tNum, tText, tStamp, tText},
			Rows: [][]string{
				{"North", "Acme", "3", "6", "L3", "2024-03-31T06:00:00.000Z", "14:00:00"},
				{"North", "Globex", "4", "8", "L4", "2024-03-31T06:00:00.000Z", "15:00:00"},
				{"West", "Hooli", "6", "12", "L6", "2024-03-31T06:00:00.000Z", "17:00:00"},
			},
			Sources: []int{2, 3, 5},
		}},
		{"headers.xlsx", ReadOptions{}, view{
			Header:   1,
			Names:    []string{"Email", "email (2)", "Column C", "Name"},
			Types:    []sheets.Type{tEmail, tEmail, tText, tText},
			Rows:     [][]string{{"a@example.com", "b@example.com", "x", "A"}, {"c@example.com", "d@example.com", "y", "C"}},
			Sources:  []int{2, 4},
			Problems: []string{"row 3: the header row is repeated here; the row is skipped"},
		}},
		{"tabs.xlsx", ReadOptions{}, view{
			Header:  1,
			Names:   []string{"Company", "Website"},
			Types:   []sheets.Type{tText, tText},
			Rows:    [][]string{{"Acme", "https://www.acme.com/"}},
			Sources: []int{2},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			tb, err := readBytes(t, fixture(t, tt.file), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, viewOf(tb), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestAmbiguousDates(t *testing.T) {
	tb, err := readBytes(t, fixture(t, "textdates.xlsx"), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := tb.Columns[4]
	if !c.AmbiguousDate() || !cmp.Equal(c.Ambiguous, []DateFormat{DateMDYSlash, DateDMYSlash}) {
		t.Fatalf("column %q: ambiguous %v, want MM/DD and DD/MM offered", c.Name, c.Ambiguous)
	}
	if err := tb.ChooseDateFormat(4, DateMDYSlash); err != nil {
		t.Fatal(err)
	}
	if got := []string{tb.Rows[0][4], tb.Rows[1][4], tb.Rows[2][4]}; !cmp.Equal(got, []string{"2024-03-04", "2000-01-02", "1999-12-11"}) {
		t.Errorf("after choosing MM/DD/YYYY: %q", got)
	}
	if tb.Columns[4].Type != sheets.TypeDate || tb.Columns[4].AmbiguousDate() {
		t.Errorf("column not settled: %+v", tb.Columns[4])
	}
	if err := tb.ChooseDateFormat(0, DateDMYSlash); err == nil {
		t.Error("ChooseDateFormat accepted a column that is not ambiguous")
	}
}

func TestDateTimesInLocation(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	tb, err := readBytes(t, fixture(t, "date1904.xlsx"), ReadOptions{Location: paris})
	if err != nil {
		t.Fatal(err)
	}
	// Noon in Paris is 10:00 UTC in summer; the date column never moves.
	if got := tb.Rows[1]; got[0] != "2024-03-31" || got[1] != "2024-03-31T10:00:00.000Z" {
		t.Errorf("row 3 in Paris = %q", got)
	}
}

func TestInspect(t *testing.T) {
	b := fixture(t, "tabs.xlsx")
	wb, err := Inspect(bytes.NewReader(b), int64(len(b)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Tab{{Name: "Sheet1", Hidden: true}, {Name: "Leads"}}
	if d := cmp.Diff(want, wb.Tabs, cmpopts.IgnoreUnexported(Tab{}), cmpopts.IgnoreFields(Tab{}, "Dimension", "Rows", "Columns")); d != "" {
		t.Errorf("tabs (-want +got):\n%s", d)
	}
	if _, err := wb.ReadTable(context.Background(), ReadOptions{Tab: "nope"}); !errors.Is(err, ErrNoSuchTab) {
		t.Errorf("unknown tab: %v, want ErrNoSuchTab", err)
	}
	tb, err := wb.ReadTable(context.Background(), ReadOptions{Tab: "Sheet1"})
	if err != nil || tb.Rows[0][0] != "x" {
		t.Errorf("hidden tab by name: %v %v", tb, err)
	}
}

func TestDimensionSize(t *testing.T) {
	tests := []struct {
		ref        string
		cols, rows int
	}{
		{"A1", 1, 1},
		{"A1:T100001", 20, 100001},
		{"B2:$C$9", 3, 9},
		{"XFD1048576", 16384, 1048576},
		{"", 0, 0},
		{"A0", 0, 0},
		{"AAAA1", 0, 0},
		{"1A", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			if c, r := dimensionSize(tt.ref); c != tt.cols || r != tt.rows {
				t.Errorf("dimensionSize(%q) = %d, %d; want %d, %d", tt.ref, c, r, tt.cols, tt.rows)
			}
		})
	}
}
