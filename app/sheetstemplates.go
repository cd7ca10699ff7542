package app

import (
	"context"
	"fmt"

	"crmsheets/sheets"
	"crmsheets/templates"
)

// Templates lists the CRM templates a new sheet can start from.
func (s *Service) Templates() []templates.Template { return templates.All() }

// NewSheetFromTemplate creates an empty sheet from a CRM template
// ("accounts", "people", "leads", "opportunities", "tasks") and saves its
// first configuration version.
func (s *Service) NewSheetFromTemplate(templateID, name string) (*sheets.Sheet, error) {
	t, ok := templates.Get(templateID)
	if !ok {
		return nil, fmt.Errorf("new sheet from template %q: %w", templateID, ErrUnknownTemplate)
	}
	sh := t.NewSheet(name)
	return s.createSheet(sh, "created from template "+templateID)
}

// NewSheetFromObject creates a sheet for any sObject, with default columns
// chosen from its describe (one API call unless cached).
func (s *Service) NewSheetFromObject(ctx context.Context, object, name string) (*sheets.Sheet, error) {
	c, err := s.client()
	if err != nil {
		return nil, err
	}
	d, err := c.Describe(ctx, object)
	if err != nil {
		s.noteCallErr(err)
		return nil, err // crm's error already says "describe Object: …"
	}
	infos := make([]templates.FieldInfo, 0, len(d.Fields))
	for _, f := range d.Fields {
		fi := templates.FieldInfo{Name: f.Name, Label: f.Label, Type: f.Type, ReadOnly: !f.Createable && !f.Updateable || f.Calculated, Restricted: f.RestrictedPicklist}
		for _, p := range f.PicklistValues {
			if p.Active {
				fi.Picklist = append(fi.Picklist, p.Value)
			}
		}
		infos = append(infos, fi)
	}
	sh := templates.FromDescribe(d.Name, infos)
	if name != "" {
		sh.Name = name
	}
	return s.createSheet(sh, "created from "+d.Name)
}
