// Command screenshotstate prepares a CRM Sheets home for the screenshots
// (scripts/screenshots.sh): it seeds the embedded demo org at the size
// asked, and through the engine (app.Service, as the app itself would)
// creates a "Contacts" sheet, pulls it, pushes a few edits (one of them
// invalid, so History shows a failure), and leaves conflicts to review: a
// second sheet changes the same records in Salesforce and is deleted, then
// the Contacts sheet, edited differently, syncs both ways under the
// "review" policy.
//
//	go run ./scripts/screenshotstate -home DIR [-seed 500]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"crmsheets/app"
	"crmsheets/internal/demoorg"
	"crmsheets/sheets"
)

func main() {
	home := flag.String("home", "", "CRM Sheets home directory (CRMSHEETS_HOME) to prepare")
	seed := flag.Int("seed", 500, "accounts the demo org is seeded with on first start")
	scene := flag.String("scene", "", `"rollup": an Accounts sheet with roll-up columns; "duplicate": a sheet with a create refused as a duplicate; "" the Contacts sheet with conflicts`)
	flag.Parse()
	if *home == "" {
		fmt.Fprintln(os.Stderr, "screenshotstate: -home is required")
		os.Exit(2)
	}
	prep := prepare
	switch *scene {
	case "rollup":
		prep = prepareRollups
	case "duplicate":
		prep = prepareDuplicate
	}
	if err := prep(context.Background(), *home, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "screenshotstate:", err)
		os.Exit(1)
	}
}

func prepare(ctx context.Context, home string, seed int) error {
	svc, err := app.Open(ctx, app.Options{Home: home, DemoSeedAccounts: seed, DemoOrg: demoorg.New()})
	if err != nil {
		return err
	}
	defer svc.Close()
	if err := svc.ConnectActive(ctx); err != nil {
		return fmt.Errorf("connect the demo org: %w", err)
	}
	contacts, err := pulled(ctx, svc, "Contacts")
	if err != nil {
		return err
	}
	title := column(contacts, "Title")
	last := column(contacts, "LastName")
	rows, err := firstRows(svc, contacts.ID, 6)
	if err != nil {
		return err
	}

	// A push: three titles changed, one row made invalid (no last name).
	for i, t := range []string{"Head of Partnerships", "Sales Director", "Account Executive"} {
		if _, err := svc.EditCell(contacts.ID, rows[i].ID, title, t); err != nil {
			return err
		}
	}
	if _, err := svc.EditCell(contacts.ID, rows[3].ID, last, ""); err != nil {
		return err
	}
	if _, err := svc.Sync(ctx, contacts.ID, app.SyncOptions{Direction: sheets.Push}, nil); err != nil {
		return fmt.Errorf("push the edits: %w", err)
	}

	// Someone else changes two records in Salesforce (through a sheet of
	// their own, deleted afterwards)...
	other, err := pulled(ctx, svc, "Colleague")
	if err != nil {
		return err
	}
	otherRows, err := firstRows(svc, other.ID, 6)
	if err != nil {
		return err
	}
	for i, t := range map[int]string{4: "VP Sales", 5: "Chief Revenue Officer"} {
		if _, err := svc.EditCell(other.ID, otherRows[i].ID, column(other, "Title"), t); err != nil {
			return err
		}
	}
	if _, err := svc.Sync(ctx, other.ID, app.SyncOptions{Direction: sheets.Push}, nil); err != nil {
		return fmt.Errorf("push the colleague's edits: %w", err)
	}
	if err := svc.DeleteSheet(other.ID); err != nil {
		return err
	}

	// ...while the same cells are edited here: a both-ways sync under
	// review leaves them as conflicts.
	for i, t := range map[int]string{4: "Head of Sales", 5: "Revenue Lead"} {
		if _, err := svc.EditCell(contacts.ID, rows[i].ID, title, t); err != nil {
			return err
		}
	}
	time.Sleep(10 * time.Millisecond) // the local edits are older than nothing, newer than the pull
	if _, err := svc.Sync(ctx, contacts.ID, app.SyncOptions{Direction: sheets.Both, Policy: sheets.PolicyReview}, nil); err != nil {
		return fmt.Errorf("sync both ways: %w", err)
	}
	items, err := svc.Conflicts(contacts.ID)
	if err != nil {
		return err
	}
	fmt.Printf("prepared %s: sheet %q, %d conflict(s)\n", home, contacts.Name, len(items))
	return nil
}

// pulled makes a sheet from the people template and pulls it.
func pulled(ctx context.Context, svc *app.Service, name string) (*sheets.Sheet, error) {
	sh, err := svc.NewSheetFromTemplate("people", name)
	if err != nil {
		return nil, err
	}
	if _, err := svc.Sync(ctx, sh.ID, app.SyncOptions{Direction: sheets.Pull}, nil); err != nil {
		return nil, fmt.Errorf("pull %s: %w", name, err)
	}
	return svc.Sheet(sh.ID)
}

// column is the id of the column mapped to field; it panics when the
// template has none, which would be a bug of this program.
func column(sh *sheets.Sheet, field string) string {
	c, ok := sh.ColumnByField(field)
	if !ok {
		panic(fmt.Sprintf("sheet %q has no column for %s", sh.Name, field))
	}
	return c.ID
}

// firstRows reads the first n rows of a sheet.
func firstRows(svc *app.Service, sheetID string, n int) ([]*sheets.Row, error) {
	var out []*sheets.Row
	for r, err := range svc.Rows(sheetID) {
		if err != nil {
			return nil, err
		}
		out = append(out, r)
		if len(out) == n {
			break
		}
	}
	if len(out) < n {
		return nil, fmt.Errorf("sheet %s has %d rows, want %d", sheetID, len(out), n)
	}
	return out, nil
}

// open opens the Service on home and connects the demo org.
func open(ctx context.Context, home string, seed int) (*app.Service, error) {
	svc, err := app.Open(ctx, app.Options{Home: home, DemoSeedAccounts: seed, DemoOrg: demoorg.New()})
	if err != nil {
		return nil, err
	}
	if err := svc.ConnectActive(ctx); err != nil {
		svc.Close()
		return nil, fmt.Errorf("connect the demo org: %w", err)
	}
	return svc, nil
}

// prepareRollups makes a compact Accounts sheet with three roll-up
// columns (won amount, open cases, last task) and pulls it.
func prepareRollups(ctx context.Context, home string, seed int) error {
	svc, err := open(ctx, home, seed)
	if err != nil {
		return err
	}
	defer svc.Close()
	sh := &sheets.Sheet{Name: "Accounts", Object: "Account"}
	sh.AddColumn(sheets.Column{Name: "Account Name", Type: sheets.TypeText, Field: "Name"})
	web := sh.AddColumn(sheets.Column{Name: "Website", Type: sheets.TypeURL, Field: "Website"})
	sh.AddColumn(sheets.Column{Name: "Industry", Type: sheets.TypeText, Field: "Industry"})
	sh.AddColumn(sheets.Column{Name: "Owner", Type: sheets.TypeText, Field: "Owner.Name"})
	sh.KeyColumn = web.ID
	sh, err = svc.NewLocalSheet(sh)
	if err != nil {
		return err
	}
	if _, err := svc.Sync(ctx, sh.ID, app.SyncOptions{Direction: sheets.Pull, Full: true}, nil); err != nil {
		return fmt.Errorf("pull accounts: %w", err)
	}
	for _, r := range []struct {
		name string
		r    sheets.Rollup
	}{
		{"Won amount", sheets.Rollup{Func: "sum", Child: "Opportunity", Field: "Amount", Where: "StageName = 'Closed Won'"}},
		{"Open cases", sheets.Rollup{Func: "count", Child: "Case", Where: "IsClosed = false"}},
		{"Last task", sheets.Rollup{Func: "max", Child: "Task", Field: "ActivityDate"}},
	} {
		if _, err := svc.AddRollupColumn(ctx, sh.ID, r.name, r.r); err != nil {
			return fmt.Errorf("roll-up %s: %w", r.name, err)
		}
	}
	fmt.Printf("prepared %s: sheet %q with roll-ups\n", home, sh.Name)
	return nil
}

// prepareDuplicate makes a "Vendor contacts" sheet matched by record id
// only, whose first row repeats the e-mail of a contact Salesforce has: the
// push is refused by the duplicate rule and the row waits for a decision.
func prepareDuplicate(ctx context.Context, home string, seed int) error {
	svc, err := open(ctx, home, seed)
	if err != nil {
		return err
	}
	defer svc.Close()
	people, err := pulled(ctx, svc, "Contacts")
	if err != nil {
		return err
	}
	rows, err := firstRows(svc, people.ID, 1)
	if err != nil {
		return err
	}
	existing := rows[0].Cells[column(people, "Email")]
	if err := svc.DeleteSheet(people.ID); err != nil {
		return err
	}
	sh := &sheets.Sheet{Name: "Vendor contacts", Object: "Contact"}
	first := sh.AddColumn(sheets.Column{Name: "First Name", Type: sheets.TypeText, Field: "FirstName"})
	last := sh.AddColumn(sheets.Column{Name: "Last Name", Type: sheets.TypeText, Field: "LastName"})
	email := sh.AddColumn(sheets.Column{Name: "Email", Type: sheets.TypeEmail, Field: "Email"})
	title := sh.AddColumn(sheets.Column{Name: "Title", Type: sheets.TypeText, Field: "Title"})
	sh.Sync.CreateMissing = true
	sh, err = svc.NewLocalSheet(sh)
	if err != nil {
		return err
	}
	if _, err := svc.AddRows(sh.ID, 0, []map[string]string{
		{first.ID: "Dana", last.ID: "Whitfield", email.ID: existing, title.ID: "Procurement Lead"},
		{first.ID: "Omar", last.ID: "Haddad", email.ID: "omar.haddad@vendor.example", title.ID: "CTO"},
		{first.ID: "Lena", last.ID: "Brandt", email.ID: "lena.brandt@vendor.example", title.ID: "Buyer"},
	}); err != nil {
		return err
	}
	if _, err := svc.Sync(ctx, sh.ID, app.SyncOptions{Direction: sheets.Push}, nil); err != nil {
		return fmt.Errorf("push the vendor contacts: %w", err)
	}
	fmt.Printf("prepared %s: sheet %q with a duplicate to decide\n", home, sh.Name)
	return nil
}
