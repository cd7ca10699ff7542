package store

import (
	"errors"
	"slices"
	"testing"

	"crmsheets/sheets"
)

func TestSheetLifecycle(t *testing.T) {
	s := openTest(t)
	a := contactsSheet(t, s)
	if a.ID == "" || !a.Created.Equal(testNow) || !a.Updated.Equal(testNow) {
		t.Fatalf("CreateSheet should assign an id and stamp times: %+v", a)
	}
	b := &sheets.Sheet{Name: "accounts"}
	b.AddColumn(sheets.Column{Name: "Name"})
	if err := s.CreateSheet(b); err != nil {
		t.Fatal(err)
	}

	t.Run("invalid and duplicate definitions are refused", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			sh   *sheets.Sheet
			want error
		}{
			{"no name", &sheets.Sheet{}, ErrInvalidSheet},
			{"unknown key column", &sheets.Sheet{Name: "x", KeyColumn: "c9"}, ErrInvalidSheet},
			{"name taken, other case", &sheets.Sheet{Name: "CONTACTS"}, ErrDuplicate},
			{"id taken", &sheets.Sheet{ID: a.ID, Name: "other"}, ErrDuplicate},
			{"nil", nil, ErrInvalidSheet},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if err := s.CreateSheet(tt.sh); !errors.Is(err, tt.want) {
					t.Errorf("CreateSheet = %v, want %v", err, tt.want)
				}
			})
		}
	})

	t.Run("listed by name", func(t *testing.T) {
		all, err := s.Sheets()
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, sh := range all {
			names = append(names, sh.Name)
		}
		if want := []string{"accounts", "Contacts"}; !slices.Equal(names, want) {
			t.Errorf("Sheets = %v, want %v", names, want)
		}
	})

	t.Run("rename", func(t *testing.T) {
		if err := s.RenameSheet(b.ID, "contacts"); !errors.Is(err, ErrDuplicate) {
			t.Errorf("rename onto a taken name: %v", err)
		}
		if err := s.RenameSheet(b.ID, "Accounts EMEA"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Sheet(b.ID); got.Name != "Accounts EMEA" || !got.Created.Equal(b.Created) {
			t.Errorf("after rename: %+v", got)
		}
		if err := s.RenameSheet("nope", "x"); !errors.Is(err, ErrNotFound) {
			t.Errorf("rename a missing sheet: %v", err)
		}
	})

	t.Run("save definition keeps rows and rebuilds the key index", func(t *testing.T) {
		name, email := a.Columns[0].ID, a.Columns[1].ID
		rows := []*sheets.Row{{Cells: map[string]string{name: "Ann", email: "ann@example.com"}}}
		if err := s.InsertRows(a.ID, rows); err != nil {
			t.Fatal(err)
		}
		sh, _ := s.Sheet(a.ID)
		sh.KeyColumn = name
		sh.Filter = "IsDeleted = false"
		if err := s.SaveSheet(sh); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.RowsByKey(a.ID, "ann@example.com"); len(got) != 0 {
			t.Errorf("old key column still indexed: %v", got)
		}
		if got, _ := s.RowsByKey(a.ID, "ANN"); len(got) != 1 {
			t.Errorf("new key column not indexed: %v", got)
		}
		sh.Columns = append(sh.Columns, sh.Columns[0])
		if err := s.SaveSheet(sh); !errors.Is(err, ErrInvalidSheet) {
			t.Errorf("save with a duplicate column: %v", err)
		}
		if err := s.SaveSheet(&sheets.Sheet{ID: "nope", Name: "x"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("save a missing sheet: %v", err)
		}
	})

	t.Run("delete removes rows and versions, keeps runs", func(t *testing.T) {
		run := &sheets.Run{SheetID: a.ID, SheetName: a.Name, Direction: sheets.Pull}
		if err := s.CreateRun(run); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteSheet(a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Sheet(a.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleted sheet still readable: %v", err)
		}
		if _, err := s.RowCount(a.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("rows of a deleted sheet: %v", err)
		}
		if _, err := s.ConfigVersions(a.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("versions of a deleted sheet: %v", err)
		}
		if got, err := s.Run(run.ID); err != nil || got.SheetName != "Contacts" {
			t.Errorf("run of a deleted sheet: %v, %v", got, err)
		}
		if err := s.DeleteSheet(a.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("delete twice: %v", err)
		}
		// the name is free again
		contactsSheet(t, s)
	})
}

func TestColumns(t *testing.T) {
	s := openTest(t)
	sh := contactsSheet(t, s)
	name, email, employees := sh.Columns[0].ID, sh.Columns[1].ID, sh.Columns[2].ID
	rows := []*sheets.Row{
		{RecordID: "003Ab000000001xAAQ", Cells: map[string]string{name: "Ann", email: "ann@example.com", employees: "12"}},
		{Cells: map[string]string{name: "Bob", employees: "7.50"}},
		{Cells: map[string]string{name: "Cy"}},
	}
	rows[0].MarkSynced(testNow)
	if err := s.InsertRows(sh.ID, rows); err != nil {
		t.Fatal(err)
	}

	t.Run("add", func(t *testing.T) {
		c, err := s.AddColumn(sh.ID, sheets.Column{Name: "City"})
		if err != nil {
			t.Fatal(err)
		}
		if c.ID == "" || c.Type != sheets.TypeText {
			t.Errorf("AddColumn = %+v, want an id and the text type", c)
		}
		if _, err := s.AddColumn(sh.ID, sheets.Column{Name: "city"}); !errors.Is(err, ErrDuplicate) {
			t.Errorf("add a duplicate name: %v", err)
		}
		got, _ := s.Sheet(sh.ID)
		if _, ok := got.Column(c.ID); !ok {
			t.Errorf("added column not saved")
		}
	})

	t.Run("rename", func(t *testing.T) {
		if err := s.RenameColumn(sh.ID, name, "Email"); !errors.Is(err, ErrDuplicate) {
			t.Errorf("rename onto a taken name: %v", err)
		}
		if err := s.RenameColumn(sh.ID, name, "Full name"); err != nil {
			t.Fatal(err)
		}
		if err := s.RenameColumn(sh.ID, "c99", "x"); !errors.Is(err, ErrNotFound) {
			t.Errorf("rename a missing column: %v", err)
		}
		got, _ := s.Sheet(sh.ID)
		if c, _ := got.Column(name); c.Name != "Full name" {
			t.Errorf("after rename: %+v", c)
		}
	})

	t.Run("retype refuses cells that do not fit and changes nothing", func(t *testing.T) {
		err := s.RetypeColumn(sh.ID, name, sheets.TypeNumber, nil)
		var re *RetypeError
		if !errors.As(err, &re) || !errors.Is(err, sheets.ErrInvalidValue) {
			t.Fatalf("retype names to numbers: %v, want a RetypeError", err)
		}
		if len(re.Cells) != 3 || re.Cells[0].Row != 1 || re.Cells[0].Value != "Ann" || re.Cells[2].Row != 3 {
			t.Errorf("RetypeError cells = %+v", re.Cells)
		}
		got, _ := s.Sheet(sh.ID)
		if c, _ := got.Column(name); c.Type != sheets.TypeText {
			t.Errorf("failed retype changed the type to %s", c.Type)
		}
	})

	t.Run("retype re-parses cells and bases", func(t *testing.T) {
		if err := s.RetypeColumn(sh.ID, employees, sheets.TypeText, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.RetypeColumn(sh.ID, employees, sheets.TypeCurrency, nil); err != nil {
			t.Fatal(err)
		}
		r0, _ := s.Row(sh.ID, rows[0].ID)
		r1, _ := s.Row(sh.ID, rows[1].ID)
		if r1.Cells[employees] != "7.5" || r0.Cells[employees] != "12" || r0.Base[employees] != "12" {
			t.Errorf("after retype: %v / %v base %v", r0.Cells, r1.Cells, r0.Base)
		}
		if r0.State != sheets.StateSynced {
			t.Errorf("a retype made a synced row %v", r0.State)
		}
		if err := s.RetypeColumn(sh.ID, employees, "money", nil); err == nil {
			t.Errorf("retype to an unknown type succeeded")
		}
	})

	t.Run("remove strips cells and the key column", func(t *testing.T) {
		if err := s.RemoveColumn(sh.ID, email); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Sheet(sh.ID)
		if _, ok := got.Column(email); ok || got.KeyColumn != "" {
			t.Errorf("after remove: columns %v key %q", got.Columns, got.KeyColumn)
		}
		r0, _ := s.Row(sh.ID, rows[0].ID)
		if _, ok := r0.Cells[email]; ok {
			t.Errorf("cell of the removed column kept: %v", r0.Cells)
		}
		if _, ok := r0.Base[email]; ok {
			t.Errorf("base of the removed column kept: %v", r0.Base)
		}
		if got, _ := s.RowsByKey(sh.ID, "ann@example.com"); len(got) != 0 {
			t.Errorf("removed key column still indexed")
		}
		c, _ := s.AddColumn(sh.ID, sheets.Column{Name: "Email"})
		if c.ID == email {
			t.Errorf("a removed column id was reused")
		}
		if err := s.RemoveColumn(sh.ID, email); !errors.Is(err, ErrNotFound) {
			t.Errorf("remove twice: %v", err)
		}
	})
}

func TestConfigVersions(t *testing.T) {
	s := openTest(t)
	sh := contactsSheet(t, s)
	save := func(change func(*sheets.Sheet)) {
		t.Helper()
		cur, err := s.Sheet(sh.ID)
		if err != nil {
			t.Fatal(err)
		}
		change(cur)
		if err := s.SaveSheet(cur); err != nil {
			t.Fatal(err)
		}
	}
	save(func(x *sheets.Sheet) { x.Sync.Policy = sheets.PolicySheetWins })
	save(func(x *sheets.Sheet) { x.Columns[0].Width = 200 })    // display only: no version
	save(func(x *sheets.Sheet) { x.Watermark = testNow })       // sync state: no version
	save(func(x *sheets.Sheet) { x.Columns[0].Field = "Name" }) // mapping: a version
	cur, _ := s.Sheet(sh.ID)
	n, err := s.SaveConfigVersion(sh.ID, "mapping applied", cur)
	if err != nil || n != 3 {
		t.Fatalf("SaveConfigVersion of the saved config = %d, %v; want the latest, 3", n, err)
	}
	vs, err := s.ConfigVersions(sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	var notes []string
	for _, v := range vs {
		notes = append(notes, v.Note)
	}
	if want := []string{"created", "", "mapping applied"}; !slices.Equal(notes, want) || vs[2].N != 3 {
		t.Fatalf("versions = %+v, want notes %v", vs, want)
	}
	v1, err := s.ConfigVersion(sh.ID, 1)
	if err != nil || v1.Sync.Policy != "" || v1.Columns[0].Field != "LastName" {
		t.Fatalf("version 1 = %+v, %v", v1, err)
	}
	if _, err := s.ConfigVersion(sh.ID, 9); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing version: %v", err)
	}
	// restoring version 1 is a save, which records a new version
	if err := s.SaveSheet(v1); err != nil {
		t.Fatal(err)
	}
	if vs, _ := s.ConfigVersions(sh.ID); len(vs) != 4 {
		t.Errorf("restore should add version 4, have %d", len(vs))
	}
}
