package xlsx

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"crmsheets/sheets"
)

// leadSheet is keyed by Website, with three synced rows.
func leadSheet() (*sheets.Sheet, []*sheets.Row) {
	s := &sheets.Sheet{ID: "leads", Name: "Leads", Object: "Lead", KeyColumn: "c2"}
	s.AddColumn(sheets.Column{Name: "Company", Type: sheets.TypeText, Field: "Company"})
	s.AddColumn(sheets.Column{Name: "Website", Type: sheets.TypeURL, Field: "Website"})
	s.AddColumn(sheets.Column{Name: "Employees", Type: sheets.TypeNumber, Field: "NumberOfEmployees"})
	s.AddColumn(sheets.Column{Name: "Rating", Type: sheets.TypePicklist, Choices: []string{"Hot", "Warm", "Cold"}, Restricted: true, Field: "Rating"})
	rows := []*sheets.Row{
		{ID: 1, RecordID: "00Q2300000aaaaaEAA", Cells: map[string]string{"c1": "Acme", "c2": "https://www.acme.com/", "c3": "10"}},
		{ID: 2, RecordID: "00Q2300000bbbbbEAA", Cells: map[string]string{"c1": "Globex", "c2": "globex.com"}},
		{ID: 3, Cells: map[string]string{"c1": "Initech", "c2": "initech.com", "c4": "Warm"}},
	}
	for _, r := range rows {
		r.MarkSynced(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	}
	return s, rows
}

// fileTable is a vendor file: Company, Website, Employees, Rating, Id.
func fileTable(rows ...[]string) *Table {
	t := &Table{
		Columns: []ColumnInfo{
			{Name: "company", Type: sheets.TypeText}, {Name: "WEBSITE", Type: sheets.TypeText},
			{Name: "Number of Employees", Type: sheets.TypeNumber}, {Name: "Rating", Type: sheets.TypeText},
			{Name: "Id", Type: sheets.TypeReference, RecordIDs: true}, {Name: "Fax", Type: sheets.TypeText},
		},
		RecordIDColumn: 4,
	}
	for i, r := range rows {
		t.Rows = append(t.Rows, r)
		t.SourceRows = append(t.SourceRows, i+2)
	}
	return t
}

// planView is what the merge tests pin.
type planView struct {
	Matched   map[int]string // source row -> "by:row id"
	Changes   []string
	New       []int
	Unmatched []int
	Invalid   []string
	Dups      []DuplicateKey
	Skipped   []string
	Unmapped  []string
}

func viewPlan(p *MergePlan) planView {
	v := planView{Matched: map[int]string{}, Unmatched: p.Unmatched, Dups: p.DuplicateKeys, Unmapped: p.UnmatchedColumns}
	for _, m := range p.Matched {
		v.Matched[m.SourceRow] = m.By.String() + ":" + itoa(int(m.Row.ID))
		for _, c := range m.Changes {
			v.Changes = append(v.Changes, itoa(c.SourceRow)+" "+c.Column+": "+c.Old+" → "+c.New)
		}
	}
	for _, n := range p.New {
		v.New = append(v.New, n.SourceRow)
	}
	for _, pr := range p.Invalid {
		v.Invalid = append(v.Invalid, pr.String())
	}
	for _, pr := range p.Skipped {
		v.Skipped = append(v.Skipped, pr.String())
	}
	return v
}

func itoa(n int) string { return formatNumber(float64(n)) }

func TestPlanMerge(t *testing.T) {
	tests := []struct {
		name string
		file *Table
		opt  MergeOptions
		want planView
	}{
		{
			name: "key normalized: scheme, www, case, trailing slash",
			file: fileTable([]string{"Acme Corp", "ACME.com", "12", "hot", "", ""}, []string{"", "http://globex.com/", "", "", "", ""}),
			want: planView{
				Matched:  map[int]string{2: "key:1", 3: "key:2"},
				Changes:  []string{"2 Company: Acme → Acme Corp", "2 Employees: 10 → 12", "2 Rating:  → Hot"},
				Unmapped: []string{"Fax"},
			},
		},
		{
			name: "record id (15 characters) beats the key",
			file: fileTable([]string{"Globex Inc", "acme.com", "", "", "00Q2300000bbbbb", ""}),
			want: planView{
				Matched:  map[int]string{2: "record id:2"},
				Changes:  []string{"2 Company: Globex → Globex Inc", "2 Website: globex.com → acme.com"},
				Unmapped: []string{"Fax"},
			},
		},
		{
			name: "only empty cells",
			file: fileTable([]string{"Acme Corp", "acme.com", "99", "Cold", "", ""}),
			opt:  MergeOptions{OnlyEmpty: true},
			want: planView{
				Matched:  map[int]string{2: "key:1"},
				Changes:  []string{"2 Rating:  → Cold"},
				Unmapped: []string{"Fax"},
			},
		},
		{
			name: "unmatched rows kept out, or added",
			file: fileTable([]string{"Hooli", "hooli.com", "5", "", "", ""}),
			want: planView{Matched: map[int]string{}, Unmatched: []int{2}, Unmapped: []string{"Fax"}},
		},
		{
			name: "unmatched rows added",
			file: fileTable([]string{"Hooli", "hooli.com", "5", "", "", ""}),
			opt:  MergeOptions{AddUnmatched: true},
			want: planView{Matched: map[int]string{}, New: []int{2}, Unmapped: []string{"Fax"}},
		},
		{
			name: "invalid values reported per cell, the rest applied",
			file: fileTable([]string{"Initech", "initech.com", "many", "Lukewarm", "", ""}),
			want: planView{
				Matched:  map[int]string{2: "key:3"},
				Invalid:  []string{`row 2, column "Number of Employees", "many": use digits with a point for decimals, without separators or symbols`, `row 2, column "Rating", "Lukewarm": not one of the allowed values (Hot, Warm, Cold)`},
				Unmapped: []string{"Fax"},
			},
		},
		{
			name: "duplicate keys: the first applies, the second is skipped",
			file: fileTable([]string{"Acme 1", "acme.com", "", "", "", ""}, []string{"Acme 2", "www.acme.com", "", "", "", ""}),
			want: planView{
				Matched:  map[int]string{2: "key:1"},
				Changes:  []string{"2 Company: Acme → Acme 1"},
				Dups:     []DuplicateKey{{Key: "acme.com", SourceRows: []int{2, 3}}},
				Skipped:  []string{"row 3: row 2 of the file already matches the same sheet row"},
				Unmapped: []string{"Fax"},
			},
		},
		{
			name: "blank file cells never clear, unless asked",
			file: fileTable([]string{"", "acme.com", "", "", "", ""}),
			opt:  MergeOptions{ClearBlanks: true},
			want: planView{
				Matched:  map[int]string{2: "key:1"},
				Changes:  []string{"2 Company: Acme → ", "2 Employees: 10 → "},
				Unmapped: []string{"Fax"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, rows := leadSheet()
			p, err := PlanMerge(s, seq(rows), tt.file, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, viewPlan(p), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestPlanMergeForeignRowIDs(t *testing.T) {
	s, rows := leadSheet()
	tb := fileTable([]string{"Acme", "acme.com", "", "", "", ""})
	tb.SheetID, tb.RowIDs = "another-sheet", []sheets.RowID{2}
	p, err := PlanMerge(s, seq(rows), tb, MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !p.ForeignRowIDs || len(p.Matched) != 1 || p.Matched[0].Row.ID != 1 {
		t.Fatalf("row ids of another sheet must be ignored: %+v", viewPlan(p))
	}
}

func TestPlanMergeNewRowState(t *testing.T) {
	s, rows := leadSheet()
	tb := fileTable([]string{"Hooli", "hooli.com", "5", "", "", ""}, []string{"Pied Piper", "piedpiper.com", "", "", "00Q2300000ccccc", ""})
	p, err := PlanMerge(s, seq(rows), tb, MergeOptions{AddUnmatched: true, Now: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	_, insert := p.Apply()
	if len(insert) != 2 || insert[0].State != sheets.StateNew || insert[0].ID != 0 {
		t.Fatalf("new rows: %+v", insert)
	}
	if insert[1].RecordID != "00Q2300000cccccEAA" || insert[1].State != sheets.StateModified {
		t.Errorf("new row with a record id: %+v", insert[1])
	}
}

func TestPlanMergeBadKeyColumn(t *testing.T) {
	s, rows := leadSheet()
	if _, err := PlanMerge(s, seq(rows), fileTable(), MergeOptions{KeyColumn: "c99"}); err == nil {
		t.Fatal("unknown key column accepted")
	}
}

func TestChooseDateFormatOnHandBuiltTable(t *testing.T) {
	tb := &Table{
		Columns:    []ColumnInfo{{Name: "When", Type: sheets.TypeText, Ambiguous: []DateFormat{DateMDYSlash, DateDMYSlash}}},
		Rows:       [][]string{{"01/02/2024"}},
		SourceRows: []int{2},
	}
	if err := tb.ChooseDateFormat(0, DateDMYSlash); err != nil || tb.Rows[0][0] != "2024-02-01" {
		t.Fatalf("ChooseDateFormat: %v, %q", err, tb.Rows[0][0])
	}
}

// BenchmarkPlanMerge previews a 100k-row file against a 100k-row sheet
// matched by key, the preview a user waits for.
func BenchmarkPlanMerge(b *testing.B) {
	s := benchSheet()
	s.KeyColumn = s.Columns[1].ID // email
	var rows []*sheets.Row
	for r := range benchRowsSeq(s, benchRows) {
		rows = append(rows, r)
	}
	tb := &Table{RecordIDColumn: -1}
	for _, c := range s.Columns {
		tb.Columns = append(tb.Columns, ColumnInfo{Name: c.Name, Type: c.Type})
	}
	for i, r := range rows {
		cells := make([]string, len(s.Columns))
		for j, c := range s.Columns {
			cells[j] = r.Cells[c.ID]
		}
		if i%10 == 0 {
			cells[2] = "1" // one row in ten changes a number
		}
		tb.Rows = append(tb.Rows, cells)
		tb.SourceRows = append(tb.SourceRows, i+2)
	}
	b.ResetTimer()
	for range b.N {
		p, err := PlanMerge(s, seq(rows), tb, MergeOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Matched) != benchRows {
			b.Fatalf("%d matched", len(p.Matched))
		}
	}
}

// A resaved file cannot say what parsing trims: a plain-text value kept
// with a trailing line break (CRLF, or a lone CR) or surrounding spaces
// comes back without it, and that is no change. A real edit still is.
func TestPlanMergeTrimmedLineBreaksAreNoChange(t *testing.T) {
	s, rows := leadSheet()
	rows[0].Cells["c1"] = "Acme\r\n"
	rows[1].Cells["c1"] = " Globex\r"
	tb := fileTable(
		[]string{"Acme\n", "acme.com", "10", "", "", ""},
		[]string{"Globex", "globex.com", "", "", "", ""},
		[]string{"Initech Corp\n", "initech.com", "", "Warm", "", ""},
	)
	p, err := PlanMerge(s, seq(rows), tb, MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v := viewPlan(p)
	if want := []string{"4 Company: Initech → Initech Corp"}; !cmp.Equal(v.Changes, want) {
		t.Fatalf("changes %q, want %q", v.Changes, want)
	}
}
