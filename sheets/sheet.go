package sheets

import (
	"fmt"
	"strings"
	"time"
)

// Direction is which way a sync moves data.
type Direction string

// Sync directions.
const (
	Pull Direction = "pull"
	Push Direction = "push"
	Both Direction = "both"
)

// Policy settles a field changed both in the sheet and in Salesforce since
// the last sync.
type Policy string

// Conflict policies. PolicyReview keeps the conflict in the sheet for the user
// to settle; nothing is overwritten.
const (
	PolicySalesforceWins Policy = "salesforce-wins"
	PolicySheetWins      Policy = "sheet-wins"
	PolicyMostRecent     Policy = "most-recent"
	PolicyReview         Policy = "review"
)

// BlankPolicy says what a push does with a blank cell whose base was not
// blank or whose Salesforce value is set.
type BlankPolicy string

// Blank-cell policies. BlankLeave is the default: an empty cell never erases
// data in Salesforce unless the user asked for it.
const (
	BlankLeave     BlankPolicy = ""           // leave Salesforce as it is
	BlankClear     BlankPolicy = "clear"      // clear the field in Salesforce
	BlankFillEmpty BlankPolicy = "fill-empty" // write only where Salesforce is blank (enrichment)
)

// Column is one typed column of a sheet. Its ID is stable across renames and
// reorders; cells are keyed by it.
type Column struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Type    Type     `json:"type"`
	Field   string   `json:"field,omitempty"`   // Salesforce field API name or relationship path such as "Account.Name"; "" when unmapped
	Choices []string `json:"choices,omitempty"` // values of picklist columns: the only ones accepted when Restricted, suggestions otherwise
	// Restricted is set for a restricted picklist (Describe's
	// restrictedPicklist): cells take only Choices. An unrestricted
	// picklist accepts any value, as Salesforce does.
	Restricted bool        `json:"restricted,omitempty"`
	ReadOnly   bool        `json:"readOnly,omitempty"` // pulled but never pushed (formula, system or non-updateable fields)
	Blank      BlankPolicy `json:"blank,omitempty"`
	Width      float32     `json:"width,omitempty"` // display width chosen by the user; 0 = default
	// Rollup makes the column a roll-up: read-only, unmapped, and
	// computed on every pull from the records related to each row.
	Rollup *Rollup `json:"rollup,omitempty"`
}

// Rollup aggregates a field of related child records per row, as a
// Salesforce roll-up summary does: the sum of Opportunity Amount where
// StageName = 'Closed Won', the count of open Cases, the latest Task date,
// or the value of the latest child (by CreatedDate).
type Rollup struct {
	Func  string `json:"func"`            // sum, count, min, max, avg, latest
	Child string `json:"child"`           // child object API name, e.g. Opportunity
	Via   string `json:"via"`             // the child's reference field to the row's record, e.g. AccountId
	Field string `json:"field"`           // child field aggregated; Id for a count of records
	Where string `json:"where,omitempty"` // SOQL condition on the children, without WHERE
	// Relationship is the child relationship's name (Opportunities), which
	// "latest" reads through a parent-to-child subquery.
	Relationship string `json:"relationship,omitempty"`
}

// String writes the roll-up as its SOQL aggregate, for headers and lists.
func (r Rollup) String() string {
	s := strings.ToUpper(r.Func) + "(" + r.Child + "." + r.Field + ")"
	if r.Where != "" {
		s += " WHERE " + r.Where
	}
	return s
}

// Mapped reports whether the column is mapped to a Salesforce field.
func (c Column) Mapped() bool { return c.Field != "" }

// IsRelationship reports whether the column maps a parent's field through a
// relationship path such as "Account.Name".
func (c Column) IsRelationship() bool { return strings.Contains(c.Field, ".") }

// SyncSettings are the per-sheet choices of how a sync runs.
type SyncSettings struct {
	Direction     Direction     `json:"direction,omitempty"`
	Policy        Policy        `json:"policy,omitempty"`
	CreateMissing bool          `json:"createMissing,omitempty"` // push may create records for rows not found in Salesforce
	Lookback      time.Duration `json:"lookback,omitempty"`      // overlap of incremental pulls; 0 = DefaultLookback
	EveryHours    int           `json:"everyHours,omitempty"`    // automatic incremental sync while the app runs; 0 = off
	APIReserve    float64       `json:"apiReserve,omitempty"`    // share of the daily API limit a run leaves untouched; 0 = DefaultAPIReserve
}

// Defaults of sync settings left at zero.
const (
	DefaultLookback   = 5 * 24 * time.Hour
	DefaultAPIReserve = 0.20
)

// EffectiveLookback returns the lookback, defaulted.
func (s SyncSettings) EffectiveLookback() time.Duration {
	if s.Lookback <= 0 {
		return DefaultLookback
	}
	return s.Lookback
}

// EffectivePolicy returns the conflict policy, defaulting to review so that
// nothing is overwritten unless the user chose it.
func (s SyncSettings) EffectivePolicy() Policy {
	if s.Policy == "" {
		return PolicyReview
	}
	return s.Policy
}

// Sheet is a sheet's definition: everything but its rows.
type Sheet struct {
	ID        string       `json:"id"`
	Name      string       `json:"name"`
	Object    string       `json:"object,omitempty"` // Salesforce sObject API name, "" for a local-only sheet
	Columns   []Column     `json:"columns"`
	KeyColumn string       `json:"keyColumn,omitempty"` // column id used to match rows without a record id (e.g. Email)
	Filter    string       `json:"filter,omitempty"`    // SOQL WHERE clause text, without "WHERE"
	Sync      SyncSettings `json:"sync"`
	Watermark time.Time    `json:"watermark,omitzero"` // newest remote SystemModstamp seen by a complete pull (or its start)
	// Fresh is the SystemModstamp up to which the sheet holds every change
	// of its records (a complete pull's start, less a margin, or the newest
	// change a push read back): a push re-reads only records changed after
	// it. Zero: unknown, rows are re-read by id.
	Fresh    time.Time `json:"fresh,omitzero"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
	Template string    `json:"template,omitempty"` // template id the sheet was made from
	NextCol  int       `json:"nextCol,omitempty"`  // counter behind NewColumnID
}

// Column returns the column with the given id.
func (s *Sheet) Column(id string) (Column, bool) {
	for _, c := range s.Columns {
		if c.ID == id {
			return c, true
		}
	}
	return Column{}, false
}

// ColumnIndex returns the position of the column with the given id, or -1.
func (s *Sheet) ColumnIndex(id string) int {
	for i, c := range s.Columns {
		if c.ID == id {
			return i
		}
	}
	return -1
}

// ColumnByName finds a column by its name, case-insensitively.
func (s *Sheet) ColumnByName(name string) (Column, bool) {
	for _, c := range s.Columns {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return Column{}, false
}

// ColumnByField finds the column mapped to a field or path, case-insensitively.
func (s *Sheet) ColumnByField(field string) (Column, bool) {
	for _, c := range s.Columns {
		if c.Field != "" && strings.EqualFold(c.Field, field) {
			return c, true
		}
	}
	return Column{}, false
}

// NewColumnID allocates a column id that is never reused in this sheet, so
// cells of a removed column can never reappear under a new one.
func (s *Sheet) NewColumnID() string {
	s.NextCol++
	return fmt.Sprintf("c%d", s.NextCol)
}

// AddColumn appends a column, giving it an id when it has none, and returns it.
func (s *Sheet) AddColumn(c Column) Column {
	if c.ID == "" {
		c.ID = s.NewColumnID()
	}
	if c.Type == "" {
		c.Type = TypeText
	}
	s.Columns = append(s.Columns, c)
	return c
}

// Validate checks the definition's own consistency: names present and
// unique, types known, key column existing.
func (s *Sheet) Validate() error {
	if strings.TrimSpace(s.Name) == "" {
		return fmt.Errorf("sheet needs a name")
	}
	ids := map[string]bool{}
	names := map[string]bool{}
	for _, c := range s.Columns {
		if c.ID == "" {
			return fmt.Errorf("sheet %q: column %q has no id", s.Name, c.Name)
		}
		if ids[c.ID] {
			return fmt.Errorf("sheet %q: column id %q used twice", s.Name, c.ID)
		}
		ids[c.ID] = true
		n := strings.ToLower(strings.TrimSpace(c.Name))
		if n == "" {
			return fmt.Errorf("sheet %q: a column has no name", s.Name)
		}
		if names[n] {
			return fmt.Errorf("sheet %q: two columns are named %q", s.Name, c.Name)
		}
		names[n] = true
		if !c.Type.Valid() {
			return fmt.Errorf("sheet %q: column %q has unknown type %q", s.Name, c.Name, c.Type)
		}
	}
	if s.KeyColumn != "" && !ids[s.KeyColumn] {
		return fmt.Errorf("sheet %q: key column %q does not exist", s.Name, s.KeyColumn)
	}
	return nil
}
