package sheets

import (
	"strings"
	"testing"
	"time"
)

func TestSheetValidate(t *testing.T) {
	valid := func() *Sheet {
		s := &Sheet{Name: "Contacts"}
		s.AddColumn(Column{Name: "Name"})
		email := s.AddColumn(Column{Name: "Email", Type: TypeEmail})
		s.KeyColumn = email.ID
		return s
	}
	tests := []struct {
		name   string
		change func(*Sheet)
		want   string // "" = valid
	}{
		{"valid", func(*Sheet) {}, ""},
		{"no name", func(s *Sheet) { s.Name = " " }, "needs a name"},
		{"column without id", func(s *Sheet) { s.Columns[0].ID = "" }, "has no id"},
		{"duplicate id", func(s *Sheet) { s.Columns[1].ID = s.Columns[0].ID }, "used twice"},
		{"column without name", func(s *Sheet) { s.Columns[0].Name = "" }, "has no name"},
		{"duplicate name, other case", func(s *Sheet) { s.Columns[1].Name = " name" }, "two columns"},
		{"unknown type", func(s *Sheet) { s.Columns[0].Type = "money" }, "unknown type"},
		{"missing key column", func(s *Sheet) { s.KeyColumn = "c99" }, "key column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := valid()
			tt.change(s)
			err := s.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestSheetColumns(t *testing.T) {
	s := &Sheet{Name: "x"}
	a := s.AddColumn(Column{Name: "Company", Field: "Account.Name"})
	b := s.AddColumn(Column{Name: "Email", Type: TypeEmail, Field: "Email"})
	if a.ID == b.ID || a.Type != TypeText || !a.IsRelationship() || b.IsRelationship() || !b.Mapped() {
		t.Fatalf("AddColumn: %+v %+v", a, b)
	}
	s.Columns = s.Columns[1:] // remove the first column: its id is never reused
	if c := s.AddColumn(Column{Name: "Other"}); c.ID == a.ID {
		t.Errorf("NewColumnID reused %q", a.ID)
	}
	if c, ok := s.ColumnByName("EMAIL"); !ok || c.ID != b.ID {
		t.Errorf("ColumnByName: %+v %v", c, ok)
	}
	if c, ok := s.ColumnByField("email"); !ok || c.ID != b.ID {
		t.Errorf("ColumnByField: %+v %v", c, ok)
	}
	if _, ok := s.ColumnByField(""); ok {
		t.Errorf("ColumnByField(\"\") matched an unmapped column")
	}
	if s.ColumnIndex(b.ID) != 0 || s.ColumnIndex("nope") != -1 {
		t.Errorf("ColumnIndex wrong")
	}
	if _, ok := s.Column("nope"); ok {
		t.Errorf("Column(nope) found")
	}
}

func TestSyncDefaults(t *testing.T) {
	var zero SyncSettings
	if zero.EffectiveLookback() != DefaultLookback || zero.EffectivePolicy() != PolicyReview {
		t.Errorf("defaults: %v %v", zero.EffectiveLookback(), zero.EffectivePolicy())
	}
	set := SyncSettings{Lookback: time.Hour, Policy: PolicySheetWins}
	if set.EffectiveLookback() != time.Hour || set.EffectivePolicy() != PolicySheetWins {
		t.Errorf("set values not kept")
	}
}

func TestRunStatusFinished(t *testing.T) {
	for _, tt := range []struct {
		s    RunStatus
		want bool
	}{
		{RunRunning, false}, {"", false}, {RunSucceeded, true}, {RunPartial, true},
		{RunFailed, true}, {RunCancelled, true}, {RunInterrupted, true},
	} {
		if got := tt.s.Finished(); got != tt.want {
			t.Errorf("%q.Finished() = %v, want %v", tt.s, got, tt.want)
		}
	}
}
