package store_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"crmsheets/sheets"
	"crmsheets/sheets/store"
)

// A sheet is created, filled in one transaction, edited like a user does,
// looked up by key and read back in order.
func Example() {
	dir, err := os.MkdirTemp("", "crmsheets-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := store.Open(filepath.Join(dir, store.FileName), store.Options{})
	if err != nil {
		log.Fatal(err) // errors.Is(err, store.ErrLocked): another window holds it
	}
	defer s.Close()

	sh := &sheets.Sheet{Name: "People", Object: "Contact"}
	name := sh.AddColumn(sheets.Column{Name: "Last Name", Field: "LastName"})
	email := sh.AddColumn(sheets.Column{Name: "Email", Type: sheets.TypeEmail, Field: "Email"})
	sh.KeyColumn = email.ID
	if err := s.CreateSheet(sh); err != nil {
		log.Fatal(err)
	}
	rows := []*sheets.Row{
		{Cells: map[string]string{name.ID: "Lovelace", email.ID: "ada@example.com"}},
		{Cells: map[string]string{name.ID: "Hopper", email.ID: "grace@example.com"}},
	}
	if err := s.InsertRows(sh.ID, rows); err != nil {
		log.Fatal(err)
	}
	if _, err := s.EditCell(sh.ID, rows[1].ID, email.ID, "1,5", time.Now()); err != nil {
		fmt.Println(err)
	}
	found, err := s.RowsByKey(sh.ID, " ADA@example.com")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("by key:", found[0].Cells[name.ID])
	for r, err := range s.Rows(sh.ID) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r.ID, r.Cells[name.ID], r.State)
	}
	// Output:
	// row 2, column "Email": "1,5" is not a valid email: an email address looks like name@example.com
	// by key: Lovelace
	// 1 Lovelace new
	// 2 Hopper new
}
