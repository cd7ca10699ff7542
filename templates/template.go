package templates

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"

	"crmsheets/sheets"
)

//go:embed data/*.json
var files embed.FS

// Template is a ready-made sheet definition for one Salesforce object.
type Template struct {
	ID          string          `json:"id"`                // stable id: "accounts", "people", ...
	Label       string          `json:"label"`             // shown in the template picker
	Aliases     []string        `json:"aliases,omitempty"` // other ids Get accepts ("contacts")
	Object      string          `json:"object"`            // Salesforce sObject API name
	Description string          `json:"description"`       // one sentence for the picker
	Key         string          `json:"key,omitempty"`     // name of the key column; "" for none
	Columns     []sheets.Column `json:"columns"`           // without ids; NewSheet assigns them
	Order       int             `json:"order"`             // position in the picker
}

// all is parsed once at start-up; a broken embedded file is a programming
// error caught by the tests, so it panics.
var all = mustLoad()

func mustLoad() []Template {
	ts, err := load()
	if err != nil {
		panic(err)
	}
	return ts
}

func load() ([]Template, error) {
	entries, err := files.ReadDir("data")
	if err != nil {
		return nil, fmt.Errorf("read embedded templates: %w", err)
	}
	var out []Template
	for _, e := range entries {
		b, err := files.ReadFile(path.Join("data", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read template %s: %w", e.Name(), err)
		}
		t, err := parse(b)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", e.Name(), err)
		}
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b Template) int { return a.Order - b.Order })
	return out, nil
}

// parse decodes and checks one template file: known fields only, a sheet
// that validates, a key column that exists.
func parse(b []byte) (Template, error) {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	var t Template
	if err := dec.Decode(&t); err != nil {
		return Template{}, fmt.Errorf("decode: %w", err)
	}
	if t.ID == "" || t.Label == "" || t.Object == "" || len(t.Columns) == 0 {
		return Template{}, fmt.Errorf("needs an id, a label, an object and columns")
	}
	if t.Key != "" {
		if _, ok := t.column(t.Key); !ok {
			return Template{}, fmt.Errorf("key column %q is not a column", t.Key)
		}
	}
	if err := t.NewSheet("").Validate(); err != nil {
		return Template{}, err
	}
	return t, nil
}

func (t Template) column(name string) (sheets.Column, bool) {
	for _, c := range t.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return sheets.Column{}, false
}

// All returns every template in picker order. The slice is the caller's.
func All() []Template {
	out := make([]Template, len(all))
	for i, t := range all {
		out[i] = t.clone()
	}
	return out
}

// Get returns the template with the given id or alias ("contacts" is
// "people"), case-insensitively.
func Get(id string) (Template, bool) {
	for _, t := range all {
		if strings.EqualFold(t.ID, id) || slices.ContainsFunc(t.Aliases, func(a string) bool { return strings.EqualFold(a, id) }) {
			return t.clone(), true
		}
	}
	return Template{}, false
}

func (t Template) clone() Template {
	t.Aliases = slices.Clone(t.Aliases)
	t.Columns = slices.Clone(t.Columns)
	for i := range t.Columns {
		t.Columns[i].Choices = slices.Clone(t.Columns[i].Choices)
	}
	return t
}

// NewSheet builds a sheet from the template: its columns with fresh ids,
// the key column set, default sync settings (DefaultSync), and the template
// recorded. name "" uses the template's label. The sheet is not stored: the
// caller passes it to the store's CreateSheet.
func (t Template) NewSheet(name string) *sheets.Sheet {
	if strings.TrimSpace(name) == "" {
		name = t.Label
	}
	sh := &sheets.Sheet{Name: name, Object: t.Object, Template: t.ID, Sync: DefaultSync(t.Key != "")}
	for _, c := range t.clone().Columns {
		c.ID = ""
		added := sh.AddColumn(c)
		if t.Key != "" && c.Name == t.Key {
			sh.KeyColumn = added.ID
		}
	}
	return sh
}

// DefaultSync are the sync settings of a new sheet: both ways, conflicts
// kept for review (nothing overwritten unless the user chooses), and
// creating missing records only when a key column lets a push find existing
// ones first, so a repeated push never creates duplicates.
func DefaultSync(hasKey bool) sheets.SyncSettings {
	return sheets.SyncSettings{Direction: sheets.Both, Policy: sheets.PolicyReview, CreateMissing: hasKey}
}
