package fieldmap

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"crmsheets/sheets"
)

// MatchBasis is what a proposed column-to-field match rests on, strongest
// first. (The XLSX import's own xlsx.MatchKind says how a file row found
// its sheet row; the two are unrelated.)
type MatchBasis uint8

// Bases of auto-map matches.
const (
	MatchAPIName MatchBasis = iota + 1 // the column is named like the field's API name or path
	MatchLabel                         // the column is named like the field's label
	MatchSynonym                       // the column's name is a common name for the field
)

// String describes the kind of match for the review screen.
func (k MatchBasis) String() string {
	switch k {
	case MatchAPIName:
		return "same API name"
	case MatchLabel:
		return "same label"
	case MatchSynonym:
		return "common name"
	}
	return "unknown"
}

// Confident reports whether the match can be pre-selected in the review
// (exact name or label); synonyms deserve a look.
func (k MatchBasis) Confident() bool { return k == MatchAPIName || k == MatchLabel }

// ProposedMatch is one column the auto-mapper would map.
type ProposedMatch struct {
	Column     string // column id
	ColumnName string
	Field      FieldOption
	Basis      MatchBasis // what the match rests on
	Reason     string     // for the review screen: `"E-mail" is a common name for Email`
}

// UnmatchedColumn is a column the auto-mapper left unmapped, and why.
type UnmatchedColumn struct {
	Column     string // column id
	ColumnName string
	Reason     string
}

// Proposal is an auto-mapping to review: nothing is changed until Apply.
// Columns already mapped are left alone and keep their fields.
type Proposal struct {
	Matches   []ProposedMatch // in column order
	Unmatched []UnmatchedColumn
}

// synonyms are the common names of fields, keyed by normalised column
// name, with candidate paths in order of preference (the first the object
// has wins: "Company" is Account.Name on a Contact, Company on a Lead).
var synonyms = map[string][]string{
	"company":         {"Account.Name", "Company"},
	"companyname":     {"Account.Name", "Company"},
	"organization":    {"Account.Name", "Company"},
	"organisation":    {"Account.Name", "Company"},
	"account":         {"Account.Name"},
	"jobtitle":        {"Title"},
	"position":        {"Title"},
	"role":            {"Title"},
	"email":           {"Email"},
	"emailaddress":    {"Email"},
	"mail":            {"Email"},
	"mobile":          {"MobilePhone"},
	"mobilenumber":    {"MobilePhone"},
	"cell":            {"MobilePhone"},
	"cellphone":       {"MobilePhone"},
	"phonenumber":     {"Phone"},
	"telephone":       {"Phone"},
	"tel":             {"Phone"},
	"zip":             {"MailingPostalCode", "BillingPostalCode", "PostalCode"},
	"zipcode":         {"MailingPostalCode", "BillingPostalCode", "PostalCode"},
	"postcode":        {"MailingPostalCode", "BillingPostalCode", "PostalCode"},
	"postalcode":      {"MailingPostalCode", "BillingPostalCode", "PostalCode"},
	"city":            {"MailingCity", "BillingCity", "City"},
	"town":            {"MailingCity", "BillingCity", "City"},
	"street":          {"MailingStreet", "BillingStreet", "Street"},
	"address":         {"MailingStreet", "BillingStreet", "Street"},
	"state":           {"MailingState", "BillingState", "State"},
	"province":        {"MailingState", "BillingState", "State"},
	"region":          {"MailingState", "BillingState", "State"},
	"country":         {"MailingCountry", "BillingCountry", "Country"},
	"website":         {"Website"},
	"web":             {"Website"},
	"domain":          {"Website"},
	"homepage":        {"Website"},
	"first":           {"FirstName"},
	"givenname":       {"FirstName"},
	"forename":        {"FirstName"},
	"last":            {"LastName"},
	"surname":         {"LastName"},
	"familyname":      {"LastName"},
	"stage":           {"StageName"},
	"closedate":       {"CloseDate"},
	"owner":           {"Owner.Name"},
	"ownername":       {"Owner.Name"},
	"accountowner":    {"Owner.Name"},
	"employees":       {"NumberOfEmployees"},
	"headcount":       {"NumberOfEmployees"},
	"revenue":         {"AnnualRevenue"},
	"source":          {"LeadSource"},
	"notes":           {"Description"},
	"dob":             {"Birthdate"},
	"dateofbirth":     {"Birthdate"},
	"birthday":        {"Birthdate"},
	"dealname":        {"Name"},
	"opportunityname": {"Name"},
	"opportunity":     {"Name"},
	"dealvalue":       {"Amount"},
	"value":           {"Amount"},
}

// normalize folds a name for matching: lower case, letters and digits
// only, a custom field's "__c" suffix dropped ("E-mail" → "email",
// "Account.Name" → "accountname", "Score__c" → "score").
func normalize(s string) string {
	s = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), "__c")
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Propose proposes fields for the unmapped columns by name: first the
// field's API name or path, then its label, then common names ("Company",
// "Job Title", "E-mail", "Zip", ...), comparing case, spaces and
// punctuation insensitively. A field is never proposed for two columns, nor
// for a column when another column is already mapped to it: the first column
// (in sheet order) of the strongest kind of match wins, the others are
// listed as unmatched with the reason. fields is what MappableFields
// returned for the sheet's object.
func Propose(columns []sheets.Column, fields []FieldOption) Proposal {
	byAPI := map[string]int{}
	byLabel := map[string]int{}
	byPath := map[string]int{}
	for i, f := range fields {
		byPath[strings.ToLower(f.Path)] = i
		if k := normalize(f.Path); k != "" {
			if _, dup := byAPI[k]; !dup {
				byAPI[k] = i
			}
		}
		if k := normalize(f.Label); k != "" {
			if _, dup := byLabel[k]; !dup {
				byLabel[k] = i
			}
		}
	}
	taken := map[int]string{} // field index → column name that has it
	for _, c := range columns {
		if c.Mapped() {
			if i, ok := byPath[strings.ToLower(c.Field)]; ok {
				taken[i] = c.Name
			}
		}
	}
	type found struct {
		field int
		kind  MatchBasis
		lost  string // the field was taken by this column
	}
	result := make([]found, len(columns))
	// One pass per kind, so an exact match anywhere beats a synonym
	// elsewhere in the sheet.
	for _, kind := range []MatchBasis{MatchAPIName, MatchLabel, MatchSynonym} {
		for ci, c := range columns {
			if c.Mapped() || c.Rollup != nil || result[ci].kind != 0 {
				continue // a roll-up column is computed, never mapped
			}
			key := normalize(c.Name)
			var candidates []int
			switch kind {
			case MatchAPIName:
				if i, ok := byAPI[key]; ok {
					candidates = []int{i}
				}
			case MatchLabel:
				if i, ok := byLabel[key]; ok {
					candidates = []int{i}
				}
			case MatchSynonym:
				for _, path := range synonyms[key] {
					if i, ok := byPath[strings.ToLower(path)]; ok {
						candidates = append(candidates, i)
					}
				}
			}
			for _, i := range candidates {
				if owner, ok := taken[i]; ok {
					if result[ci].lost == "" {
						result[ci].lost = fmt.Sprintf("%s (%s) is already mapped to column %q", fields[i].Label, fields[i].Path, owner)
					}
					continue
				}
				taken[i] = c.Name
				result[ci] = found{field: i, kind: kind}
				break
			}
		}
	}
	var p Proposal
	for ci, c := range columns {
		if c.Mapped() {
			continue
		}
		r := result[ci]
		if r.kind == 0 {
			reason := r.lost
			if reason == "" {
				reason = "no field with this name, label or a common name for it"
			}
			p.Unmatched = append(p.Unmatched, UnmatchedColumn{Column: c.ID, ColumnName: c.Name, Reason: reason})
			continue
		}
		f := fields[r.field]
		var reason string
		switch r.kind {
		case MatchAPIName:
			reason = fmt.Sprintf("%q is the API name %s", c.Name, f.Path)
		case MatchLabel:
			reason = fmt.Sprintf("%q is the label of %s", c.Name, f.Path)
		default:
			reason = fmt.Sprintf("%q is a common name for %s (%s)", c.Name, f.Label, f.Path)
		}
		p.Matches = append(p.Matches, ProposedMatch{Column: c.ID, ColumnName: c.Name, Field: f, Basis: r.kind, Reason: reason})
	}
	return p
}

// ErrUnknownColumn is returned when a proposal names a column the sheet no
// longer has.
var ErrUnknownColumn = errors.New("unknown column")

// Apply maps the proposal's columns in the sheet: each column gets the
// field's path, the column type that holds its values, the picklist values
// as choices, and the read-only flag. It changes the definition only:
// cells typed otherwise must be re-parsed by the caller (as RetypeColumn
// does). Apply fails without changing anything when a column is missing.
func (p Proposal) Apply(sh *sheets.Sheet) error {
	for _, m := range p.Matches {
		if sh.ColumnIndex(m.Column) < 0 {
			return fmt.Errorf("apply mapping to sheet %q: column %q (%s): %w", sh.Name, m.ColumnName, m.Column, ErrUnknownColumn)
		}
	}
	for _, m := range p.Matches {
		col := &sh.Columns[sh.ColumnIndex(m.Column)]
		MapColumn(col, m.Field)
	}
	return nil
}

// MapColumn maps one column to a field option: field path, type, choices
// and read-only flag from the describe. The blank policy and width are the
// user's and stay.
func MapColumn(col *sheets.Column, f FieldOption) {
	col.Field = f.Path
	col.Type = f.SheetType()
	col.Choices, col.Restricted = nil, false
	if col.Type == sheets.TypePicklist || col.Type == sheets.TypeMultiPicklist {
		col.Choices = slices.Clone(f.Picklist)
		col.Restricted = f.Restricted
	}
	col.ReadOnly = f.ReadOnly
}
