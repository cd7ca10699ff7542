package reliability

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"

	"crmsheets/app"
	"crmsheets/internal/clitest"
	"crmsheets/sheets"
)

const sheetName = "People"

// edits is what a scenario changed in the sheet, to be found in the org.
type edits struct {
	titles    map[string]string // record id -> new Title
	newEmails []string          // rows added without a record id
	rows      int               // rows in the sheet after the edits
}

// newUser logs a fresh CLI home into the emulator, creates the People sheet
// with create-missing on and pulls every contact.
func newUser(t *testing.T, base string) *clitest.CLI {
	t.Helper()
	c := &clitest.CLI{Bin: binary, Home: t.TempDir()}
	if r := c.Login(t, base); r.Code != 0 {
		t.Fatalf("login: exit %d: %s", r.Code, r.Err)
	}
	c.Must(t, "new", "--template", "people", "--name", sheetName)
	withService(t, c.Home, func(svc *app.Service, sh *sheets.Sheet) {
		sh.Sync.CreateMissing = true
		if err := svc.SaveSheetSettings(sh, "reliability: create missing"); err != nil {
			t.Fatal(err)
		}
	})
	c.Must(t, "sync", "--sheet", sheetName, "--direction", "pull", "--full")
	return c
}

// withService opens the user's store in-process (the CLI must not be
// running) to make edits the way the grid does.
func withService(t *testing.T, home string, fn func(*app.Service, *sheets.Sheet)) {
	t.Helper()
	svc, err := app.Open(context.Background(), app.Options{Home: home})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := svc.Close(); err != nil {
			t.Fatal(err)
		}
	}()
	sh, err := svc.SheetByName(sheetName)
	if err != nil {
		t.Fatal(err)
	}
	fn(svc, sh)
}

func column(t *testing.T, sh *sheets.Sheet, field string) string {
	t.Helper()
	c, ok := sh.ColumnByField(field)
	if !ok {
		t.Fatalf("sheet has no column for %s", field)
	}
	return c.ID
}

// edit changes the Title of n pulled rows and adds k new people.
func edit(t *testing.T, c *clitest.CLI, tag string, n, k int) edits {
	t.Helper()
	e := edits{titles: map[string]string{}}
	editMore(t, c, &e, tag, 0, n, k)
	return e
}

// editMore changes, in one transaction as a paste does, the Title of n
// rows that have a record id, from the from-th of them on (wrapping round
// to the first), and adds k new people; it adds them to e, where a
// record's later Title replaces its earlier one. tag keeps values and
// addresses apart between calls.
func editMore(t *testing.T, c *clitest.CLI, e *edits, tag string, from, n, k int) {
	t.Helper()
	withService(t, c.Home, func(svc *app.Service, sh *sheets.Sheet) {
		title := column(t, sh, "Title")
		type pulled struct {
			row    sheets.RowID
			record string
		}
		var rows []pulled
		for r, err := range svc.Rows(sh.ID) {
			if err != nil {
				t.Fatal(err)
			}
			if r.RecordID != "" {
				rows = append(rows, pulled{r.ID, r.RecordID})
			}
		}
		if len(rows) < n {
			t.Fatalf("the sheet has only %d rows with a record, want %d", len(rows), n)
		}
		cells := make([]app.CellEdit, 0, n)
		for i := range n {
			r := rows[(from+i)%len(rows)]
			v := fmt.Sprintf("%s title %d", tag, i)
			cells = append(cells, app.CellEdit{Row: r.row, Column: title, Input: v})
			e.titles[r.record] = v
		}
		if len(cells) > 0 {
			if _, err := svc.EditCells(sh.ID, cells); err != nil {
				t.Fatal(err)
			}
		}
		first, last, email := column(t, sh, "FirstName"), column(t, sh, "LastName"), column(t, sh, "Email")
		var added []map[string]string
		for i := range k {
			addr := fmt.Sprintf("%s.new%d@reliability.example", strings.ToLower(tag), i)
			added = append(added, map[string]string{first: "New", last: fmt.Sprintf("Person %d", len(e.newEmails)), email: addr, title: tag + " new"})
			e.newEmails = append(e.newEmails, addr)
		}
		if len(added) > 0 {
			if _, err := svc.AddRows(sh.ID, 0, added); err != nil {
				t.Fatal(err)
			}
		}
		var err error
		if e.rows, err = svc.RowCount(sh.ID); err != nil {
			t.Fatal(err)
		}
	})
}

// lost reads the org and the sheet back and describes everything missing:
// edits not in the org, duplicates, rows lost or left unsynced. "" is the
// goal.
func lost(t *testing.T, base string, c *clitest.CLI, e edits) string {
	t.Helper()
	org, err := clitest.OpenOrg(base)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := org.Query("SELECT Id, Email, Title FROM Contact")
	if err != nil {
		t.Fatal(err)
	}
	var problems []string
	byID := map[string]map[string]any{}
	emails := map[string]int{}
	for _, r := range recs {
		byID[clitest.Str(r, "Id")] = r
		emails[strings.ToLower(clitest.Str(r, "Email"))]++
	}
	missing := 0
	for id, want := range e.titles {
		if got := clitest.Str(byID[id], "Title"); got != want {
			missing++
			if missing <= 3 {
				problems = append(problems, fmt.Sprintf("record %s has Title %q, want %q", id, got, want))
			}
		}
	}
	if missing > 0 {
		problems = append(problems, fmt.Sprintf("%d of %d edits not in the org", missing, len(e.titles)))
	}
	dupes, absent := 0, 0
	for _, addr := range e.newEmails {
		switch n := emails[addr]; {
		case n == 0:
			absent++
		case n > 1:
			dupes += n - 1
		}
	}
	if dupes > 0 {
		problems = append(problems, fmt.Sprintf("%d records created twice", dupes))
	}
	if absent > 0 {
		problems = append(problems, fmt.Sprintf("%d new rows never created", absent))
	}
	withService(t, c.Home, func(svc *app.Service, sh *sheets.Sheet) {
		n, err := svc.RowCount(sh.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n != e.rows {
			problems = append(problems, fmt.Sprintf("sheet has %d rows, had %d", n, e.rows))
		}
		unsynced := map[sheets.State]int{}
		for r, err := range svc.Rows(sh.ID) {
			if err != nil {
				t.Fatal(err)
			}
			if r.State != sheets.StateSynced {
				unsynced[r.State]++
			}
		}
		for s, n := range unsynced {
			problems = append(problems, fmt.Sprintf("%d rows left %s", n, s))
		}
	})
	if len(problems) == 0 {
		return ""
	}
	return strings.Join(problems, "; ")
}

// freeAddr finds a loopback port a restarted emulator can keep.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func runs(t *testing.T, c *clitest.CLI) []*sheets.Run {
	t.Helper()
	var rs []*sheets.Run
	c.JSON(t, &rs, "history", "--limit", "1000")
	return rs
}

// clitestEmulator starts a standalone emulator process and returns its URL.
func clitestEmulator(t *testing.T, args ...string) string {
	t.Helper()
	return clitest.StartEmulator(t, binary, args...).URL
}
