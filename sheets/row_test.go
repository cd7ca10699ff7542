package sheets

import (
	"slices"
	"testing"
	"time"
)

func TestRowSetStateTransitions(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	edit := t0.Add(time.Hour)
	synced := func() *Row {
		r := &Row{ID: 1, RecordID: "003000000000001AAA", Cells: map[string]string{"c1": "Ann", "c2": "10"}}
		r.MarkSynced(t0)
		return r
	}
	tests := []struct {
		name        string
		row         func() *Row
		col, value  string
		wantChanged bool
		wantState   State
	}{
		{"synced edited becomes modified", synced, "c2", "11", true, StateModified},
		{"same value changes nothing", synced, "c2", "10", false, StateSynced},
		{"cleared cell is a change", synced, "c1", "", true, StateModified},
		{"modified back to base is synced", func() *Row { r := synced(); r.Set("c2", "11", t0); return r }, "c2", "10", true, StateSynced},
		{"new row stays new", func() *Row { return &Row{ID: 2} }, "c1", "Bob", true, StateNew},
		{"record id without base is modified", func() *Row { return &Row{ID: 3, RecordID: "003000000000002"} }, "c1", "x", true, StateModified},
		{"conflict stays a conflict", func() *Row { r := synced(); r.State = StateConflict; return r }, "c2", "12", true, StateConflict},
		{"pending create stays pending", func() *Row { r := &Row{ID: 4, State: StateCreatePending}; return r }, "c1", "x", true, StateCreatePending},
		{"deleted remotely stays", func() *Row { r := synced(); r.State = StateDeletedRemotely; return r }, "c1", "x", true, StateDeletedRemotely},
		{"error row edited is modified", func() *Row { r := synced(); r.State, r.Error = StateError, "boom"; return r }, "c2", "12", true, StateModified},
		{"error row edited back is synced and cleared", func() *Row {
			r := synced()
			r.Cells["c2"] = "12"
			r.State, r.Error = StateError, "boom"
			return r
		}, "c2", "10", true, StateSynced},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.row()
			before := r.LocalEdited
			changed := r.Set(tt.col, tt.value, edit)
			if changed != tt.wantChanged || r.State != tt.wantState {
				t.Fatalf("Set = %v, state %v; want %v, %v", changed, r.State, tt.wantChanged, tt.wantState)
			}
			if changed && !r.LocalEdited.Equal(edit) || !changed && !r.LocalEdited.Equal(before) {
				t.Errorf("LocalEdited = %v (changed %v)", r.LocalEdited, changed)
			}
			if tt.value == "" {
				if _, ok := r.Cells[tt.col]; ok {
					t.Errorf("a blank cell should be a missing key")
				}
			}
			if tt.wantState == StateSynced && r.Error != "" {
				t.Errorf("synced row keeps error %q", r.Error)
			}
		})
	}
}

func TestRowChanged(t *testing.T) {
	r := &Row{Cells: map[string]string{"a": "1", "b": "2"}, Base: map[string]string{"a": "1", "c": "3", "d": ""}}
	got := r.Changed()
	slices.Sort(got)
	if want := []string{"b", "c"}; !slices.Equal(got, want) {
		t.Errorf("Changed = %v, want %v", got, want)
	}
	if !r.IsChanged("b") || r.IsChanged("a") || r.IsChanged("d") {
		t.Errorf("IsChanged wrong")
	}
	fresh := &Row{Cells: map[string]string{"a": "1"}}
	if got := fresh.Changed(); !slices.Equal(got, []string{"a"}) {
		t.Errorf("row without base: Changed = %v", got)
	}
}

func TestMarkSynced(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	r := &Row{RecordID: "003000000000001", Cells: map[string]string{"a": "1"}, State: StateConflict, Error: "x",
		Conflicts: map[string]Conflict{"a": {Base: "0", Remote: "2"}}}
	r.MarkSynced(at)
	if r.State != StateSynced || r.Error != "" || r.Conflicts != nil || !r.RemoteModified.Equal(at) || len(r.Changed()) != 0 {
		t.Fatalf("after MarkSynced: %+v", r)
	}
	r.Cells["a"] = "changed"
	if r.Base["a"] != "1" {
		t.Errorf("base shares the cells map")
	}
	empty := &Row{}
	empty.MarkSynced(at)
	if empty.Base == nil {
		t.Errorf("a synced row's base is never nil")
	}
}

func TestRowClone(t *testing.T) {
	r := &Row{ID: 1, Cells: map[string]string{"a": "1"}, Base: map[string]string{"a": "0"},
		Conflicts:  map[string]Conflict{"a": {Remote: "2"}},
		Candidates: map[string][]Candidate{"a": {{ID: "001", Name: "Acme"}}}}
	c := r.Clone()
	c.Cells["a"], c.Base["a"] = "x", "y"
	c.Conflicts["a"] = Conflict{Remote: "z"}
	c.Candidates["a"][0].Name = "Other"
	if r.Cells["a"] != "1" || r.Base["a"] != "0" || r.Conflicts["a"].Remote != "2" || r.Candidates["a"][0].Name != "Acme" {
		t.Errorf("Clone shares state with the original: %+v", r)
	}
}

func TestStateNames(t *testing.T) {
	tests := []struct {
		s           State
		name, label string
	}{
		{StateNew, "new", "New"},
		{StateSynced, "synced", "Synced"},
		{StateModified, "modified", "Modified"},
		{StateConflict, "conflict", "Conflict"},
		{StateError, "error", "Error"},
		{StateDeletedRemotely, "deleted-remotely", "Deleted in Salesforce"},
		{StateCreatePending, "create-pending", "Being created"},
		{State(200), "unknown", "Unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.s.String() != tt.name || tt.s.Label() != tt.label {
				t.Errorf("State %d = %q / %q, want %q / %q", tt.s, tt.s.String(), tt.s.Label(), tt.name, tt.label)
			}
		})
	}
}
