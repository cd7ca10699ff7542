package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"crmsheets/app"
	"crmsheets/sheets"
)

// columnCommand groups the spreadsheet column operations the grid's header
// menu offers: add, rename, retype (with a dry run listing the values that
// would not convert), move and remove.
func (e *env) columnCommand() *cobra.Command {
	var sheetRef string
	cmd := &cobra.Command{
		Use:   "column",
		Short: "Add, rename, retype, move or remove a sheet's columns",
		Long: `Change a sheet's columns, as the grid's column header menu does. COLUMN is
a column's name (case-insensitive) or id. Changes are local; map a new column
to a Salesforce field with the Mapper or ` + "`crmsheets map`" + `.`,
		Example: `  crmsheets column --sheet "Leads Q3"
  crmsheets column add --sheet "Leads Q3" "Next step"
  crmsheets column rename --sheet "Leads Q3" "Next step" "Next action"
  crmsheets column retype --sheet "Leads Q3" Employees number --dry-run
  crmsheets column move --sheet "Leads Q3" Email --to 1
  crmsheets column remove --sheet "Leads Q3" "Next action"`,
		Args: cobra.NoArgs,
	}
	cmd.PersistentFlags().StringVar(&sheetRef, "sheet", "", "sheet name or id (required)")
	sheet := func(cmd *cobra.Command) (*app.Service, *sheets.Sheet, error) {
		svc, id, err := e.sheetByRef(cmd.Context(), sheetRef)
		if err != nil {
			return nil, nil, err
		}
		sh, err := svc.Sheet(id)
		return svc, sh, err
	}
	column := func(cmd *cobra.Command, ref string) (*app.Service, *sheets.Sheet, sheets.Column, error) {
		svc, sh, err := sheet(cmd)
		if err != nil {
			return nil, nil, sheets.Column{}, err
		}
		c, err := app.ColumnByRef(sh, ref)
		return svc, sh, c, err
	}

	var addType string
	add := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a column at the end (existing rows get blank cells)",
		Example: `  crmsheets column --sheet "Leads Q3"
  crmsheets column add --sheet "Leads Q3" "Next step" --type date`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := parseType(addType)
			if err != nil {
				return err
			}
			svc, sh, err := sheet(cmd)
			if err != nil {
				return err
			}
			c, err := svc.AddColumn(sh.ID, sheets.Column{Name: strings.TrimSpace(args[0]), Type: t})
			if err != nil {
				return err
			}
			if e.json {
				return printJSON(e.io.Out, c)
			}
			fmt.Fprintf(e.io.Out, "Added column %q (%s) to %q\n", c.Name, strings.ToLower(c.Type.Label()), sh.Name)
			return nil
		},
	}
	add.Flags().StringVar(&addType, "type", "text", "column type: "+app.TypeNames())

	rename := &cobra.Command{
		Use:   "rename COLUMN NEW_NAME",
		Short: "Rename a column (its cells and mapping stay)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, sh, c, err := column(cmd, args[0])
			if err != nil {
				return err
			}
			if err := svc.RenameColumn(sh.ID, c.ID, strings.TrimSpace(args[1])); err != nil {
				return err
			}
			fmt.Fprintf(e.io.Out, "Renamed column %q to %q in %q\n", c.Name, strings.TrimSpace(args[1]), sh.Name)
			return nil
		},
	}

	var choices string
	var dryRun bool
	retype := &cobra.Command{
		Use:   "retype COLUMN TYPE",
		Short: "Change a column's type; nothing changes while some values would not convert",
		Long: `Change a column's type. Every cell is converted; when some would not
convert, nothing changes and the cells are listed (row number and value) so you
can fix them first. --dry-run only lists them. Types: ` + app.TypeNames() + `.`,
		Example: `  crmsheets column retype --sheet "Leads Q3" Employees number --dry-run
  crmsheets column retype --sheet "Leads Q3" Rating picklist --choices "Hot,Warm,Cold"`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := parseType(args[1])
			if err != nil {
				return err
			}
			var ch []string
			for _, c := range strings.Split(choices, ",") {
				if c = strings.TrimSpace(c); c != "" {
					ch = append(ch, c)
				}
			}
			svc, sh, c, err := column(cmd, args[0])
			if err != nil {
				return err
			}
			problems, total, err := svc.RetypePreview(sh.ID, c.ID, t, ch)
			if err != nil {
				return err
			}
			if e.json && (dryRun || total > 0) {
				if err := printJSON(e.io.Out, map[string]any{"column": c.Name, "type": t, "wouldNotConvert": total, "cells": problems}); err != nil {
					return err
				}
			} else if total > 0 || dryRun {
				printProblems(e, c, t, problems, total)
			}
			if total > 0 {
				return fmt.Errorf("column %q cannot become %s: %d value(s) would not convert; fix them (listed above) and run again", c.Name, strings.ToLower(t.Label()), total)
			}
			if dryRun {
				return nil
			}
			if err := svc.RetypeColumn(sh.ID, c.ID, t, ch); err != nil {
				return err
			}
			if !e.json {
				fmt.Fprintf(e.io.Out, "Column %q of %q is now %s\n", c.Name, sh.Name, strings.ToLower(t.Label()))
			}
			return nil
		},
	}
	retype.Flags().StringVar(&choices, "choices", "", "comma-separated values of a picklist")
	retype.Flags().BoolVar(&dryRun, "dry-run", false, "only list the values that would not convert")

	var to int
	move := &cobra.Command{
		Use:     "move COLUMN --to POSITION",
		Short:   "Move a column to a position (1 is the first column)",
		Example: `  crmsheets column move --sheet "Leads Q3" Email --to 1`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if to < 1 {
				return usageErr("--to must be a position from 1")
			}
			svc, sh, c, err := column(cmd, args[0])
			if err != nil {
				return err
			}
			if err := svc.MoveColumn(sh.ID, c.ID, to-1); err != nil {
				return err
			}
			fmt.Fprintf(e.io.Out, "Moved column %q of %q to position %d\n", c.Name, sh.Name, min(to, len(sh.Columns)))
			return nil
		},
	}
	move.Flags().IntVar(&to, "to", 0, "new position, 1 for the first column")

	var yes bool
	remove := &cobra.Command{
		Use:   "remove COLUMN --yes",
		Short: "Remove a column and its cells from the sheet (never from Salesforce)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !yes {
				return usageErr("removing a column deletes its cells from the sheet; add --yes to confirm")
			}
			svc, sh, c, err := column(cmd, args[0])
			if err != nil {
				return err
			}
			if err := svc.RemoveColumn(sh.ID, c.ID); err != nil {
				return err
			}
			fmt.Fprintf(e.io.Out, "Removed column %q from %q\n", c.Name, sh.Name)
			return nil
		},
	}
	remove.Flags().BoolVar(&yes, "yes", false, "confirm the removal")

	// Without a subcommand: the sheet's columns in order.
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if sheetRef == "" {
			return usageErr("give --sheet to list its columns, or a subcommand: add, rename, retype, move or remove")
		}
		_, sh, err := sheet(cmd)
		if err != nil {
			return err
		}
		out := make([]columnLine, len(sh.Columns))
		rows := make([][]string, len(sh.Columns))
		for i, c := range sh.Columns {
			out[i] = columnLine{Position: i + 1, Name: c.Name, Type: string(c.Type), Field: c.Field, ID: c.ID}
			rows[i] = []string{fmt.Sprint(i + 1), c.Name, string(c.Type), c.Field, c.ID}
		}
		if e.json {
			return printJSON(e.io.Out, out)
		}
		return table(e.io.Out, []string{"#", "NAME", "TYPE", "FIELD", "ID"}, rows)
	}
	cmd.AddCommand(add, rename, retype, move, remove)
	return cmd
}

// columnLine is the --json form of a column in `crmsheets column`.
type columnLine struct {
	Position int    `json:"position"`
	Name     string `json:"name"`
	Type     string `json:"type"`
	Field    string `json:"field,omitempty"`
	ID       string `json:"id"`
}

func printProblems(e *env, c sheets.Column, t sheets.Type, problems []app.RetypeProblem, total int) {
	if total == 0 {
		fmt.Fprintf(e.io.Out, "Every value of %q converts to %s\n", c.Name, strings.ToLower(t.Label()))
		return
	}
	fmt.Fprintf(e.io.Out, "%d value(s) of %q would not convert to %s:\n", total, c.Name, strings.ToLower(t.Label()))
	rows := make([][]string, len(problems))
	for i, p := range problems {
		rows[i] = []string{fmt.Sprint(p.Row), p.Value, p.Reason}
	}
	_ = table(e.io.Out, []string{"ROW", "VALUE", "WHY"}, rows)
	if total > len(problems) {
		fmt.Fprintf(e.io.Out, "… and %d more\n", total-len(problems))
	}
}

// parseType reads a column type by its name (text, number, date…).
func parseType(s string) (sheets.Type, error) {
	t := sheets.Type(strings.ToLower(strings.TrimSpace(s)))
	if !t.Valid() {
		return "", usageErr("unknown column type %q (types: %s)", s, app.TypeNames())
	}
	return t, nil
}
