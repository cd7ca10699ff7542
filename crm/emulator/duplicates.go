package emulator

import (
	"strings"

	"crmsheets/crm/emulator/soql"
)

// Duplicate rules. A new org has Salesforce's standard duplicate rules
// active ("Allow" with an alert); through the API an alert blocks the save
// with DUPLICATES_DETECTED and a duplicate result naming the matching
// records, unless the request carries Sforce-Duplicate-Rule-Header:
// allowSave=true (API-REFERENCE.md, error table and checklist item 20).
// The demo org's rules are exact rather than Salesforce's fuzzy ones, so a
// test knows which records match: Contacts and Leads by e-mail, Accounts by
// name and website. They run on creates only (the standard rules also run
// on edits; not modelled), and compare a new record with the records saved
// before its request, not with others of the same request or batch
// (Salesforce's duplicate rule considerations).

// duplicateRuleHeader is the request header that lets a save go ahead.
const duplicateRuleHeader = "Sforce-Duplicate-Rule-Header"

// duplicatesMessage is the standard rules' alert, as captured (v54).
const duplicatesMessage = "You're creating a duplicate record. We recommend you use an existing record instead."

// duplicateRule is one active rule of the demo org.
type duplicateRule struct {
	name, matchRule string
	// fields must all be non-blank on the new record and equal (as
	// normalized by norm) on a match.
	fields []string
}

var duplicateRules = map[string]duplicateRule{
	"Contact": {"Standard_Contact_Duplicate_Rule", "Standard_Contact_Match_Rule_v1_1", []string{"Email"}},
	"Lead":    {"Standard_Lead_Duplicate_Rule", "Standard_Lead_Match_Rule_v1_0", []string{"Email"}},
	"Account": {"Standard_Account_Duplicate_Rule", "Standard_Account_Match_Rule_v1_0", []string{"Name", "Website"}},
}

// allowSave reads Sforce-Duplicate-Rule-Header ("allowSave=true").
func allowSave(header string) bool {
	for part := range strings.SplitSeq(header, ";") {
		k, v, _ := strings.Cut(part, "=")
		if strings.EqualFold(strings.TrimSpace(k), "allowSave") && strings.EqualFold(strings.TrimSpace(v), "true") {
			return true
		}
	}
	return false
}

// normalizeMatch compares values the way the demo rules do: case and
// surrounding spaces ignored; for a website also the scheme, "www." and a
// trailing slash.
func normalizeMatch(field string, v any) string {
	s, _ := v.(string)
	s = strings.ToLower(strings.TrimSpace(s))
	if field == "Website" {
		s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
		s = strings.TrimSuffix(strings.TrimPrefix(s, "www."), "/")
	}
	return s
}

// duplicates returns the ids of live records of t that rec duplicates
// under the object's rule, or nil. The caller holds s.mu for writing.
func (s *Server) duplicates(t *table, rec *record, sameBatch map[string]bool) (duplicateRule, []string) {
	rule, ok := duplicateRules[t.obj.Name]
	if !ok {
		return rule, nil
	}
	want := make([]string, len(rule.fields))
	fields := make([]*Field, len(rule.fields))
	for i, name := range rule.fields {
		f := t.obj.byName[strings.ToLower(name)]
		if f == nil {
			return rule, nil
		}
		fields[i] = f
		if want[i] = normalizeMatch(name, rec.vals[f.index]); want[i] == "" {
			return rule, nil
		}
	}
	// Candidates from the first field's equality index (SOQL equality is
	// case-insensitive, as the rule is), then every field compared.
	ix := t.index(fields[0], true)
	key, kind := soql.EqualityKey(fields[0].Type, rec.vals[fields[0].index])
	if kind != soql.KeyValue {
		return rule, nil
	}
	var ids []string
	seen := map[string]bool{}
	for _, pos := range ix.appendLookup(nil, &soql.Lookup{Keys: []string{key}}) {
		if int(pos) >= len(t.recs) {
			continue
		}
		other := t.recs[pos]
		if other == nil || other.deleted(t.obj) {
			continue
		}
		id := other.id(t.obj)
		if id == rec.id(t.obj) || seen[id] || sameBatch[id] {
			continue
		}
		match := true
		for i, f := range fields {
			if normalizeMatch(rule.fields[i], other.vals[f.index]) != want[i] {
				match = false
				break
			}
		}
		if match {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return rule, ids
}

// duplicateError is DUPLICATES_DETECTED with its duplicate result.
func duplicateError(o *Object, rule duplicateRule, ids []string, urlBase string) apiError {
	if urlBase == "" {
		urlBase = "/services/data/v" + LatestVersion
	}
	matches := make([]duplicateMatchRecord, len(ids))
	for i, id := range ids {
		matches[i] = duplicateMatchRecord{AdditionalInformation: []any{}, FieldDiffs: []any{}, MatchConfidence: 100,
			Record: map[string]any{"attributes": map[string]any{"type": o.Name, "url": urlBase + "/sobjects/" + o.Name + "/" + id}, "Id": id}}
	}
	return apiError{Code: codeDuplicatesDetected, Message: duplicatesMessage, Fields: []string{},
		Duplicates: &duplicateResult{
			AllowSave: true, DuplicateRule: rule.name, DuplicateRuleEntityType: o.Name, ErrorMessage: duplicatesMessage,
			MatchResults: []duplicateMatchResult{{EntityType: o.Name, Errors: []any{}, MatchEngine: "ExactMatchEngine",
				MatchRecords: matches, Rule: rule.matchRule, Size: len(ids), Success: true}},
		}}
}

const codeDuplicatesDetected = "DUPLICATES_DETECTED"

// duplicateResult is the "duplicateResut" (sic: the key is misspelled in
// real captures, v54 and v56) of a DUPLICATES_DETECTED error.
type duplicateResult struct {
	AllowSave               bool                   `json:"allowSave"`
	DuplicateRule           string                 `json:"duplicateRule"`
	DuplicateRuleEntityType string                 `json:"duplicateRuleEntityType"`
	ErrorMessage            string                 `json:"errorMessage"`
	MatchResults            []duplicateMatchResult `json:"matchResults"`
}

type duplicateMatchResult struct {
	EntityType   string                 `json:"entityType"`
	Errors       []any                  `json:"errors"`
	MatchEngine  string                 `json:"matchEngine"`
	MatchRecords []duplicateMatchRecord `json:"matchRecords"`
	Rule         string                 `json:"rule"`
	Size         int                    `json:"size"`
	Success      bool                   `json:"success"`
}

type duplicateMatchRecord struct {
	AdditionalInformation []any          `json:"additionalInformation"`
	FieldDiffs            []any          `json:"fieldDiffs"`
	MatchConfidence       float64        `json:"matchConfidence"`
	Record                map[string]any `json:"record"`
}
