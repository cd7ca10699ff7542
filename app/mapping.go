package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"crmsheets/app/fieldmap"
	"crmsheets/crm"
	"crmsheets/sheets"
)

// Fields lists what the sheet's columns can be mapped to: the object's
// fields and relationship paths one level up, from Describe (cached by the
// connection: the first call for each object costs one API call).
func (s *Service) Fields(ctx context.Context, sheetID string) ([]fieldmap.FieldOption, error) {
	c, err := s.client()
	if err != nil {
		return nil, err
	}
	sh, err := s.Sheet(sheetID)
	if err != nil {
		return nil, err
	}
	if sh.Object == "" {
		return nil, fmt.Errorf("fields of %q: %w", sh.Name, ErrNotSyncable)
	}
	return s.fieldsOf(ctx, c, sh.Object)
}

func (s *Service) fieldsOf(ctx context.Context, c *crm.Client, object string) ([]fieldmap.FieldOption, error) {
	d, err := c.Describe(ctx, object)
	if err != nil {
		s.noteCallErr(err)
		return nil, err // crm's error already says "describe Object: …"
	}
	var perr error
	parents := func(o string) (*crm.ObjectDescribe, bool) {
		pd, err := c.Describe(ctx, o)
		if err != nil {
			if perr == nil && !crm.IsRetryable(err) && ctx.Err() == nil {
				// An object the user cannot see (Group, for Owner) simply
				// offers no paths; a network failure is reported.
				return nil, false
			}
			perr = err
			return nil, false
		}
		return pd, true
	}
	opts := fieldmap.MappableFields(d, parents)
	if perr != nil {
		s.noteCallErr(perr)
		return nil, fmt.Errorf("describe the objects %s refers to: %w", object, perr)
	}
	return opts, nil
}

// AutoMap proposes a mapping of the sheet's unmapped columns by API name,
// label and common synonyms. Nothing changes until ApplyMapping.
func (s *Service) AutoMap(ctx context.Context, sheetID string) (fieldmap.Proposal, error) {
	fields, err := s.Fields(ctx, sheetID)
	if err != nil {
		return fieldmap.Proposal{}, err
	}
	sh, err := s.Sheet(sheetID)
	if err != nil {
		return fieldmap.Proposal{}, err
	}
	return fieldmap.Propose(sh.Columns, fields), nil
}

// ApplyMapping applies a reviewed proposal (possibly with matches removed
// by the user): columns get their field, type, choices and read-only flag,
// and the result is saved as a new configuration version. A column whose
// cells do not fit the field's type keeps its type (the returned warnings
// say which); it is mapped all the same.
func (s *Service) ApplyMapping(sheetID string, p fieldmap.Proposal) (warnings []string, err error) {
	sh, err := s.Sheet(sheetID)
	if err != nil {
		return nil, err
	}
	if err := oneColumnPerField(sh, p); err != nil {
		return nil, err
	}
	for _, m := range p.Matches {
		i := sh.ColumnIndex(m.Column)
		if i < 0 {
			return nil, fmt.Errorf("apply mapping to %q: column %q: %w", sh.Name, m.ColumnName, ErrUnknownColumn)
		}
		if w := s.retypeFor(sh, i, m.Field); w != "" {
			warnings = append(warnings, w)
		}
	}
	// Re-read: retyping saved the definition.
	fresh, err := s.Sheet(sheetID)
	if err != nil {
		return nil, err
	}
	for _, m := range p.Matches {
		i := fresh.ColumnIndex(m.Column)
		keepType, keepChoices := fresh.Columns[i].Type, fresh.Columns[i].Choices
		fieldmap.MapColumn(&fresh.Columns[i], m.Field)
		if fresh.Columns[i].Type != keepType && slices.Contains(warnings, retypeWarning(fresh.Columns[i].Name, m.Field)) {
			fresh.Columns[i].Type, fresh.Columns[i].Choices = keepType, keepChoices
		}
	}
	if err := s.SaveSheetSettings(fresh, fmt.Sprintf("mapping applied (%d columns)", len(p.Matches))); err != nil {
		return warnings, err
	}
	return warnings, nil
}

// oneColumnPerField refuses a mapping that would leave two columns on one
// field: a push could not tell which value to send, so the Mapper, the
// review and `crmsheets map` are stopped before anything is saved rather
// than warned afterwards.
func oneColumnPerField(sh *sheets.Sheet, p fieldmap.Proposal) error {
	owner := map[string]string{} // field path → column name, after the mapping
	remapped := map[string]bool{}
	for _, m := range p.Matches {
		remapped[m.Column] = true
	}
	for _, c := range sh.Columns {
		if c.Field != "" && !remapped[c.ID] {
			owner[c.Field] = c.Name
		}
	}
	for _, m := range p.Matches {
		if other, ok := owner[m.Field.Path]; ok && other != m.ColumnName {
			return fmt.Errorf("map column %q to %s: column %q is already mapped to it; unmap %q first (one column per field)", m.ColumnName, m.Field.Path, other, other)
		}
		owner[m.Field.Path] = m.ColumnName
	}
	return nil
}

// MapColumnToField maps one column to a field (the field picker), saving a
// configuration version; the column's type follows the field when its
// cells fit.
func (s *Service) MapColumnToField(ctx context.Context, sheetID, colID, path string) (warnings []string, err error) {
	fields, err := s.Fields(ctx, sheetID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(fields, func(f fieldmap.FieldOption) bool { return f.Path == path })
	if i < 0 {
		return nil, fmt.Errorf("map column to %q: no such field", path)
	}
	sh, err := s.Sheet(sheetID)
	if err != nil {
		return nil, err
	}
	c, ok := sh.Column(colID)
	if !ok {
		return nil, fmt.Errorf("map column %s: %w", colID, ErrUnknownColumn)
	}
	return s.ApplyMapping(sheetID, fieldmap.Proposal{Matches: []fieldmap.ProposedMatch{{Column: colID, ColumnName: c.Name, Field: fields[i], Reason: "chosen by the user"}}})
}

// UnmapColumn makes a column local-only (never pulled or pushed).
func (s *Service) UnmapColumn(sheetID, colID string) error {
	sh, err := s.Sheet(sheetID)
	if err != nil {
		return err
	}
	i := sh.ColumnIndex(colID)
	if i < 0 {
		return fmt.Errorf("unmap column %s: %w", colID, ErrUnknownColumn)
	}
	sh.Columns[i].Field, sh.Columns[i].ReadOnly = "", false
	return s.SaveSheetSettings(sh, "column "+sh.Columns[i].Name+" unmapped")
}

// AddColumnFromField adds a column mapped to a field (named after its
// label), typed from the field; existing rows get blank cells until the
// next pull fills them.
func (s *Service) AddColumnFromField(ctx context.Context, sheetID, path string) (sheets.Column, error) {
	fields, err := s.Fields(ctx, sheetID)
	if err != nil {
		return sheets.Column{}, err
	}
	i := slices.IndexFunc(fields, func(f fieldmap.FieldOption) bool { return f.Path == path })
	if i < 0 {
		return sheets.Column{}, fmt.Errorf("add column for %q: no such field", path)
	}
	sh, err := s.Sheet(sheetID)
	if err != nil {
		return sheets.Column{}, err
	}
	c := sheets.Column{Name: uniqueColumnName(sh, fields[i].Label)}
	fieldmap.MapColumn(&c, fields[i])
	c, err = s.AddColumn(sheetID, c)
	if err != nil {
		return c, err
	}
	now, err := s.Sheet(sheetID)
	if err != nil {
		return c, err
	}
	if _, err := s.store.SaveConfigVersion(sheetID, "column "+c.Name+" added for "+path, now); err != nil {
		return c, fmt.Errorf("version the new column: %w", err)
	}
	return c, nil
}

// ConfigVersion is one saved configuration (mapping and sync settings) of
// a sheet, as the history lists it; ConfigVersion(sheetID, N) reads it.
type ConfigVersion struct {
	N     int       // 1 for the version recorded at creation, then increasing
	Note  string    // why it was saved ("created", "mapping applied", ...); may be empty
	Saved time.Time // when it was saved
	Name  string    // the sheet's name at that time
}

// ConfigVersions lists the saved configurations (mapping and sync
// settings) of a sheet, oldest first.
func (s *Service) ConfigVersions(sheetID string) ([]ConfigVersion, error) {
	vs, err := s.store.ConfigVersions(sheetID)
	if err != nil {
		return nil, fmt.Errorf("configuration history of %s: %w", sheetID, err)
	}
	out := make([]ConfigVersion, len(vs))
	for i, v := range vs {
		out[i] = ConfigVersion{N: v.N, Note: v.Note, Saved: v.Saved, Name: v.Name}
	}
	return out, nil
}

// ConfigVersion returns the definition saved as version n, to view it.
func (s *Service) ConfigVersion(sheetID string, n int) (*sheets.Sheet, error) {
	sh, err := s.store.ConfigVersion(sheetID, n)
	if err != nil {
		return nil, fmt.Errorf("configuration %d of %s: %w", n, sheetID, err)
	}
	return sh, nil
}

// RestoreConfigVersion brings back the mapping, key column, filter and
// sync settings of version n. Columns are restored only where they still
// exist (cells are never dropped by a restore); the name and the watermark
// stay current. The restore is itself a new version.
func (s *Service) RestoreConfigVersion(sheetID string, n int) (*sheets.Sheet, error) {
	old, err := s.ConfigVersion(sheetID, n)
	if err != nil {
		return nil, err
	}
	cur, err := s.Sheet(sheetID)
	if err != nil {
		return nil, err
	}
	for i, c := range cur.Columns {
		if oc, ok := old.Column(c.ID); ok && oc.Type == c.Type {
			cur.Columns[i].Field, cur.Columns[i].ReadOnly, cur.Columns[i].Blank, cur.Columns[i].Choices, cur.Columns[i].Restricted = oc.Field, oc.ReadOnly, oc.Blank, oc.Choices, oc.Restricted
		} else if ok {
			cur.Columns[i].Field, cur.Columns[i].ReadOnly, cur.Columns[i].Blank = oc.Field, oc.ReadOnly, oc.Blank
		}
	}
	if _, ok := cur.Column(old.KeyColumn); ok || old.KeyColumn == "" {
		cur.KeyColumn = old.KeyColumn
	}
	cur.Object, cur.Filter, cur.Sync = old.Object, old.Filter, old.Sync
	if err := s.SaveSheetSettings(cur, fmt.Sprintf("restored version %d", n)); err != nil {
		return nil, err
	}
	return cur, nil
}

// retypeFor changes column i's type to the field's when they differ; it
// returns a warning when the cells do not fit.
func (s *Service) retypeFor(sh *sheets.Sheet, i int, f fieldmap.FieldOption) string {
	c := sh.Columns[i]
	want := f.SheetType()
	var choices []string
	if want == sheets.TypePicklist || want == sheets.TypeMultiPicklist {
		choices = f.Picklist
	}
	if c.Type == want && slices.Equal(c.Choices, choices) {
		return ""
	}
	// An unrestricted picklist takes any value (as Salesforce does): its
	// values are suggestions, so the cells are not checked against them.
	check := choices
	if !f.Restricted {
		check = nil
	}
	if err := s.store.RetypeColumn(sh.ID, c.ID, want, check); err != nil {
		s.log.Info("keep column type", "column", c.Name, "field", f.Path, "err", err)
		return retypeWarning(c.Name, f)
	}
	return ""
}

func retypeWarning(col string, f fieldmap.FieldOption) string {
	return fmt.Sprintf("column %q keeps its type: some cells are not valid %s values for %s", col, f.SheetType().Label(), f.Path)
}

func uniqueColumnName(sh *sheets.Sheet, name string) string {
	if _, taken := sh.ColumnByName(name); !taken {
		return name
	}
	for i := 2; ; i++ {
		n := fmt.Sprintf("%s (%d)", name, i)
		if _, taken := sh.ColumnByName(n); !taken {
			return n
		}
	}
}

// ValidateMapping checks the sheet's mapping against the org's fields:
// unknown fields, type fit, read-only (pull-only) columns, required fields
// for creates, two columns on one field. Issues come errors first.
func (s *Service) ValidateMapping(ctx context.Context, sheetID string) ([]fieldmap.Issue, error) {
	fields, err := s.Fields(ctx, sheetID)
	if err != nil {
		return nil, err
	}
	sh, err := s.Sheet(sheetID)
	if err != nil {
		return nil, err
	}
	return fieldmap.Validate(sh, fields), nil
}
