// Command uicheck prepares and reads the CRM Sheets home that
// scripts/uicheck.sh drives the real window over (make ui-check):
//
//	go run ./scripts/uicheck -home DIR prepare   # a local "Grid check" sheet, 6 known rows
//	go run ./scripts/uicheck -home DIR dump      # its cells as TSV, one row a line
//	go run ./scripts/uicheck locate SHOT.png     # where the grid's cells are on a screenshot
//
// It goes through app.Service, as the app does, so what dump prints is what
// the store holds after the scripted clicks and keys.
package main

import (
	"context"
	"flag"
	"fmt"
	"image/png"
	"os"
	"strings"

	"crmsheets/app"
	"crmsheets/sheets"
	"crmsheets/ui/grid"
)

// SheetName is the sheet the check types into.
const SheetName = "Grid check"

func main() {
	home := flag.String("home", "", "CRM Sheets home directory (CRMSHEETS_HOME)")
	flag.Parse()
	if flag.NArg() == 2 && flag.Arg(0) == "locate" {
		if err := locate(flag.Arg(1)); err != nil {
			fmt.Fprintln(os.Stderr, "uicheck:", err)
			os.Exit(1)
		}
		return
	}
	if *home == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: uicheck -home DIR prepare|dump")
		os.Exit(2)
	}
	ctx := context.Background()
	svc, err := app.Open(ctx, app.Options{Home: *home, DemoSeedAccounts: 5})
	if err != nil {
		fmt.Fprintln(os.Stderr, "uicheck:", err)
		os.Exit(1)
	}
	defer svc.Close()
	switch flag.Arg(0) {
	case "prepare":
		err = prepare(svc)
	case "dump":
		err = dump(svc)
	default:
		err = fmt.Errorf("unknown action %q", flag.Arg(0))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "uicheck:", err)
		os.Exit(1)
	}
}

// prepare makes the sheet: Name, Email, Count; rows r0…r5.
func prepare(svc *app.Service) error {
	sh, err := svc.NewLocalSheet(app.BlankSheet(SheetName, []string{"Name", "Email", "Count"}))
	if err != nil {
		return err
	}
	cols := sh.Columns
	var rows []map[string]string
	for i := range 6 {
		rows = append(rows, map[string]string{
			cols[0].ID: fmt.Sprintf("r%d", i),
			cols[1].ID: fmt.Sprintf("r%d@example.com", i),
			cols[2].ID: fmt.Sprint(i * 10),
		})
	}
	_, err = svc.AddRows(sh.ID, 0, rows)
	return err
}

// dump prints the sheet's cells, tab-separated, in stored order.
func dump(svc *app.Service) error {
	sh, err := svc.SheetByName(SheetName)
	if err != nil {
		return err
	}
	for r, err := range svc.Rows(sh.ID) {
		if err != nil {
			return err
		}
		var cells []string
		for _, c := range sh.Columns {
			cells = append(cells, r.Cells[c.ID])
		}
		fmt.Println(strings.Join(cells, "\t"))
	}
	return nil
}

// locate finds the grid on a screenshot by its row-state marks (the
// colour of new rows, every row of the prepared sheet): it prints the x
// just right of the marks and the y centre of each mark, so the script can
// click cells wherever the layout put them at that screen size.
func locate(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return fmt.Errorf("read %s: %w", file, err)
	}
	want := grid.StateColor(sheets.StateNew)
	wr, wg, wb, _ := want.RGBA()
	near := func(a, b uint32) bool { d := int(a>>8) - int(b>>8); return d > -12 && d < 12 }
	b := img.Bounds()
	right := -1
	var rows []int
	inRow, start := false, 0
	x0 := -1
	for y := b.Min.Y; y < b.Max.Y; y++ {
		hit := false
		for x := b.Min.X; x < b.Min.X+b.Dx()/2; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r, wr) && near(g, wg) && near(bl, wb) {
				hit = true
				if x0 < 0 || x < x0 {
					x0 = x
				}
				for x < b.Max.X {
					r, g, bl, _ = img.At(x, y).RGBA()
					if !(near(r, wr) && near(g, wg) && near(bl, wb)) {
						break
					}
					x++
				}
				right = max(right, x)
				break
			}
		}
		switch {
		case hit && !inRow:
			inRow, start = true, y
		case !hit && inRow:
			inRow = false
			rows = append(rows, (start+y)/2)
		}
	}
	if len(rows) == 0 {
		return fmt.Errorf("no row marks found on %s", file)
	}
	fmt.Print(right)
	for _, y := range rows {
		fmt.Print(" ", y)
	}
	fmt.Println()
	return nil
}
