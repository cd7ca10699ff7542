package cli

import (
	"context"
	"fmt"
	"strings"
)

// linkResult is the --json form of linking a sheet to an object and
// mapping it automatically.
type linkResult struct {
	Object    string         `json:"object"`
	KeyColumn string         `json:"keyColumn,omitempty"`
	Mapped    []linkedColumn `json:"mapped"`
	Unmapped  []linkedColumn `json:"unmapped"`
	Warnings  []string       `json:"warnings,omitempty"`
}

// linkedColumn is one column of a linkResult.
type linkedColumn struct {
	Column string `json:"column"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// objectName checks that the connected org has the object and returns its
// API name as the org spells it.
func (e *env) objectName(ctx context.Context, object string) (string, error) {
	svc, err := e.connected(ctx)
	if err != nil {
		return "", err
	}
	objs, err := svc.Objects(ctx)
	if err != nil {
		return "", err
	}
	for _, o := range objs {
		if strings.EqualFold(o.Name, object) {
			return o.Name, nil
		}
	}
	return "", fmt.Errorf("the org has no object %q that can be queried (API names look like Contact or Subscription__c)", object)
}

// linkAndMap links a sheet to object (which objectName has checked), sets
// its key column when key names one, and applies the automatic mapping:
// what the app's new-sheet dialog does when an object is chosen.
func (e *env) linkAndMap(ctx context.Context, sheetID, object, key string) (*linkResult, error) {
	svc, err := e.connected(ctx)
	if err != nil {
		return nil, err
	}
	sh, err := svc.Sheet(sheetID)
	if err != nil {
		return nil, err
	}
	if sh.Object != "" && !strings.EqualFold(sh.Object, object) {
		return nil, fmt.Errorf("%q is already linked to %s; make a new sheet for %s", sh.Name, sh.Object, object)
	}
	sh.Object = object
	note := "linked to " + object
	res := &linkResult{Object: object}
	if key != "" {
		c, ok := sh.ColumnByName(key)
		if !ok {
			return nil, usageErr("--key: %q has no column %q", sh.Name, key)
		}
		sh.KeyColumn = c.ID
		res.KeyColumn = c.Name
		note += fmt.Sprintf(", key column %q", c.Name)
	}
	if err := svc.SaveSheetSettings(sh, note); err != nil {
		return nil, err
	}
	p, err := svc.AutoMap(ctx, sheetID)
	if err != nil {
		return nil, err
	}
	if res.Warnings, err = svc.ApplyMapping(sheetID, p); err != nil {
		return nil, err
	}
	res.Mapped, res.Unmapped = []linkedColumn{}, []linkedColumn{}
	for _, m := range p.Matches {
		res.Mapped = append(res.Mapped, linkedColumn{Column: m.ColumnName, Field: m.Field.Path, Reason: m.Reason})
	}
	for _, u := range p.Unmatched {
		res.Unmapped = append(res.Unmapped, linkedColumn{Column: u.ColumnName, Reason: u.Reason})
	}
	return res, nil
}

// printLink tells what linking mapped and what is left to do.
func (e *env) printLink(sheet string, l *linkResult) {
	fmt.Fprintf(e.io.Out, "Linked to %s; %d columns mapped automatically", l.Object, len(l.Mapped))
	if l.KeyColumn != "" {
		fmt.Fprintf(e.io.Out, ", key column %q", l.KeyColumn)
	}
	fmt.Fprintln(e.io.Out)
	rows := make([][]string, 0, len(l.Mapped)+len(l.Unmapped))
	for _, m := range l.Mapped {
		rows = append(rows, []string{"  " + m.Column, m.Field, m.Reason})
	}
	for _, u := range l.Unmapped {
		rows = append(rows, []string{"  " + u.Column, "(not mapped)", u.Reason})
	}
	_ = table(e.io.Out, []string{"  COLUMN", "FIELD", "WHY"}, rows)
	for _, w := range l.Warnings {
		fmt.Fprintln(e.io.Err, "warning:", w)
	}
	fmt.Fprintf(e.io.Out, "Review with: crmsheets map --sheet %q (map a column yourself with --field \"Column=Field\")\n", sheet)
}
