package emulator

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// writeMode says which checks a write gets.
type writeMode struct {
	create bool
	// system skips the createable/updateable checks and lets the caller set
	// audit fields (the seed generator and the Go helpers).
	system bool
	// lockRate is the UNABLE_TO_LOCK_ROW fault share for this write.
	lockRate float64
	// allowSave is Sforce-Duplicate-Rule-Header: allowSave=true, which lets
	// a create that matches a duplicate rule go ahead (duplicates.go).
	allowSave bool
	// urlBase is "/services/data/vXX.X" of the request, for the record URLs
	// of a duplicate result; "" uses the latest version.
	urlBase string
}

// buildRecord validates a write of input onto old (nil for a create) and
// returns the record to store, with defaults, audit fields and formulas
// applied. It does not modify the table; errs lists every problem found.
// The caller holds s.mu for writing.
func (s *Server) buildRecord(t *table, input map[string]any, old *record, mode writeMode, now time.Time) (*record, []apiError) {
	o := t.obj
	var rec *record
	if old == nil {
		rec = &record{vals: make([]any, len(o.Fields))}
	} else {
		rec = old.clone()
	}
	keys := make([]*Field, 0, len(input))
	for k := range input {
		if k == "attributes" {
			continue
		}
		f, ok := o.Field(k)
		if !ok {
			return nil, []apiError{newAPIError(codeInvalidField, "No such column '%s' on sobject of type %s", k, o.Name)}
		}
		keys = append(keys, f)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].index < keys[j].index })

	var errs []apiError
	var readOnly []string
	for _, f := range keys {
		v := inputValue(input, f.Name)
		if f.Type == typeID {
			// Callers resolve the target id themselves; only the Go helpers
			// may choose the id of a new record.
			if id, ok := v.(string); ok && mode.system && mode.create {
				if id18, err := Normalize18(id); err == nil && id18[:3] == o.KeyPrefix {
					rec.vals[f.index] = id18
				}
			}
			continue
		}
		if !mode.system && ((mode.create && !f.Createable) || (!mode.create && !f.Updateable)) {
			readOnly = append(readOnly, f.Name)
			continue
		}
		nv, err := coerce(f, v)
		if err != nil {
			errs = append(errs, *err)
			continue
		}
		if nv != nil && f.Type == typeReference {
			if e := s.checkReference(o, f, nv.(string)); e != nil {
				errs = append(errs, *e)
				continue
			}
		}
		rec.vals[f.index] = nv
	}
	if len(readOnly) > 0 {
		errs = append([]apiError{{Code: codeReadOnlyField, Fields: readOnly, Message: "Unable to create/update fields: " +
			strings.Join(readOnly, ", ") + ". Please check the security settings of this field and verify that it is read/write for your profile or permission set."}},
			errs...)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if mode.create {
		s.applyDefaults(t, rec, now)
	} else if _, stageSet := input["StageName"]; stageSet && o.Name == "Opportunity" {
		if _, probSet := input["Probability"]; !probSet {
			if p, ok := stageProbability(o, rec.vals[o.byName["stagename"].index].(string)); ok {
				rec.vals[o.byName["probability"].index] = p
			}
		}
	}
	var missing []string
	for _, f := range o.Fields {
		if f.Nillable || f.Type == typeID || (!f.Createable && !f.Updateable) {
			continue
		}
		if v := rec.vals[f.index]; v == nil || v == "" {
			missing = append(missing, f.Name)
		}
	}
	if len(missing) > 0 {
		return nil, []apiError{{Code: codeRequiredMissing, Fields: missing,
			Message: "Required fields are missing: [" + strings.Join(missing, ", ") + "]"}}
	}
	id := rec.id(o)
	for idx := range t.unique {
		f := o.Fields[idx]
		k, ok := uniqueKey(rec.vals[idx])
		if !ok {
			continue
		}
		if other, taken := t.unique[idx][k]; taken && other != id {
			return nil, []apiError{fieldError(codeDuplicateValue, f.Name,
				"duplicate value found: %s duplicates value on record with id: %s", f.Name, other)}
		}
	}
	if s.roll(mode.lockRate) {
		return nil, []apiError{newAPIError(codeLockRow,
			"unable to obtain exclusive access to this record or 1 records: %s", id)}
	}
	if !mode.system || rec.vals[o.modifiedIdx] == nil {
		stamp := formatDateTime(now)
		rec.vals[o.modifiedIdx], rec.vals[o.modstampIdx] = stamp, stamp
	}
	if rec.vals[o.modstampIdx] == nil {
		rec.vals[o.modstampIdx] = rec.vals[o.modifiedIdx]
	}
	if o.modifiedByIdx >= 0 {
		rec.vals[o.modifiedByIdx] = s.userID
	}
	for _, fm := range o.formulas {
		rec.vals[fm.field.index] = fm.eval(o, rec.vals)
	}
	if o.Name == "Case" {
		closed := o.byName["closeddate"].index
		if rec.vals[o.byName["isclosed"].index] == true && rec.vals[closed] == nil {
			rec.vals[closed] = formatDateTime(now)
		} else if rec.vals[o.byName["isclosed"].index] != true {
			rec.vals[closed] = nil
		}
	}
	return rec, nil
}

// inputValue returns the value of the field in input, whose key may differ
// in case.
func inputValue(input map[string]any, name string) any {
	if v, ok := input[name]; ok {
		return v
	}
	for k, v := range input {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// applyDefaults fills the id, audit fields and every defaulted field a
// create left empty.
func (s *Server) applyDefaults(t *table, rec *record, now time.Time) {
	o := t.obj
	if rec.vals[o.idIdx] == nil {
		rec.vals[o.idIdx] = t.newID()
	}
	if o.isDeletedIdx >= 0 {
		rec.vals[o.isDeletedIdx] = false
	}
	stamp := formatDateTime(now)
	if rec.vals[o.createdIdx] == nil {
		rec.vals[o.createdIdx] = stamp
	}
	if o.createdByIdx >= 0 && rec.vals[o.createdByIdx] == nil {
		rec.vals[o.createdByIdx] = s.userID
	}
	if o.ownerIdx >= 0 && rec.vals[o.ownerIdx] == nil {
		rec.vals[o.ownerIdx] = s.userID
	}
	for _, f := range o.Fields {
		if rec.vals[f.index] != nil || !f.DefaultedOnCreate {
			continue
		}
		switch {
		case f.Type == typeBoolean:
			rec.vals[f.index] = f.DefaultValue == true
		case f.Type == typePicklist:
			for _, p := range f.Picklist {
				if p.Default {
					rec.vals[f.index] = p.Value
				}
			}
		case f.AutoNumber && o.Name == "Case":
			rec.vals[f.index] = caseNumber(int(t.next))
		case f.Name == "Name" && o.Custom:
			rec.vals[f.index] = rec.id(o)
		case f.Name == "Probability":
			if stage, ok := rec.vals[o.byName["stagename"].index].(string); ok {
				if p, ok := stageProbability(o, stage); ok {
					rec.vals[f.index] = p
				}
			}
		}
	}
}

// checkReference validates a lookup value: the id's object must be one the
// field refers to, and the record must exist.
func (s *Server) checkReference(o *Object, f *Field, id string) *apiError {
	target, ok := s.schema.objectForID(id)
	if !ok || !containsFold(f.ReferenceTo, target.Name) {
		e := fieldError(codeFieldIntegrity, f.Name, "%s: id value of incorrect type: %s", f.Label, id)
		return &e
	}
	rec, ok := s.tables[target].get(id)
	if !ok {
		e := fieldError(codeCrossReference, f.Name, "invalid cross reference id")
		return &e
	}
	if rec.deleted(target) {
		e := fieldError(codeEntityDeleted, f.Name, "entity is deleted")
		return &e
	}
	if f.Name == "OwnerId" && target.Name == "User" {
		// Salesforce refuses an inactive user as owner. The message is
		// Salesforce's wording as commonly reported; its object part is a
		// guess (the record may not have an id yet).
		if active, ok := rec.vals[target.byName["isactive"].index].(bool); ok && !active {
			e := apiError{Code: "INACTIVE_OWNER_OR_USER", Fields: []string{},
				Message: fmt.Sprintf("operation performed with inactive user [%s] as owner of [%s]", id, strings.ToLower(o.Name))}
			return &e
		}
	}
	return nil
}

// coerce converts a JSON input value to the stored form of the field, the
// way Salesforce's deserializer is lenient (numbers in strings, strings for
// numbers) and strict (types, lengths, restricted picklists, ids, emails).
func coerce(f *Field, v any) (any, *apiError) {
	bad := func() *apiError {
		e := fieldError(codeInvalidTypeOnField, f.Name, "%s: value not of required type: %v", f.Label, v)
		return &e
	}
	switch x := v.(type) {
	case int:
		v = float64(x)
	case int64:
		v = float64(x)
	case json.Number:
		n, err := x.Float64()
		if err != nil {
			return nil, bad()
		}
		v = n
	}
	if v == nil {
		if f.Type == typeBoolean {
			return false, nil
		}
		return nil, nil
	}
	switch {
	case f.isText():
		var str string
		switch x := v.(type) {
		case string:
			str = x
		case float64:
			str = strconv.FormatFloat(x, 'f', -1, 64)
		case bool:
			str = strconv.FormatBool(x)
		default:
			return nil, bad()
		}
		if str == "" {
			return nil, nil
		}
		if n := utf8.RuneCountInString(str); n > f.Length {
			e := fieldError(codeStringTooLong, f.Name, "%s: data value too large: %s (max length=%d)", f.Label, str, f.Length)
			return nil, &e
		}
		if f.RestrictedPicklist {
			vals := []string{str}
			if f.Type == typeMultipicklist {
				vals = strings.Split(str, ";")
			}
			for _, pv := range vals {
				if !f.picklistHas(pv) {
					e := fieldError(codeBadPicklist, f.Name, "%s: bad value for restricted picklist field: %s", f.Label, pv)
					return nil, &e
				}
			}
		}
		if f.Type == typeEmail && !validEmail(str) {
			e := fieldError(codeInvalidEmail, f.Name, "%s: invalid email address: %s", f.Label, str)
			return nil, &e
		}
		return str, nil
	case f.isNumber():
		var n float64
		switch x := v.(type) {
		case float64:
			n = x
		case string:
			if x == "" {
				return nil, nil
			}
			p, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err != nil {
				return nil, bad()
			}
			n = p
		default:
			return nil, bad()
		}
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, bad()
		}
		scale := f.Scale
		if f.Type == typeInt {
			scale = 0
		}
		p := math.Pow10(scale)
		n = math.Round(n*p) / p
		digits := f.Precision - f.Scale
		if f.Type == typeInt {
			digits = f.Digits
		}
		if digits > 0 && math.Abs(n) >= math.Pow10(digits) {
			e := fieldError("NUMBER_OUTSIDE_VALID_RANGE", f.Name, "%s: value outside of valid range on numeric field: %v", f.Label, v)
			return nil, &e
		}
		return n, nil
	case f.Type == typeBoolean:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			if b, err := strconv.ParseBool(x); err == nil {
				return b, nil
			}
		}
		return nil, bad()
	case f.Type == typeDate:
		s, ok := v.(string)
		if !ok {
			return nil, bad()
		}
		if s == "" {
			return nil, nil
		}
		if len(s) > 10 {
			if t, ok := parseDateTime(s); ok {
				return t.Format(time.DateOnly), nil
			}
			return nil, bad()
		}
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return nil, bad()
		}
		return s, nil
	case f.Type == typeDatetime:
		s, ok := v.(string)
		if !ok {
			return nil, bad()
		}
		if s == "" {
			return nil, nil
		}
		t, ok := parseDateTime(s)
		if !ok {
			return nil, bad()
		}
		return formatDateTime(t), nil
	case f.Type == typeReference || f.Type == typeID:
		s, ok := v.(string)
		if !ok {
			return nil, bad()
		}
		if s == "" {
			return nil, nil
		}
		id, err := Normalize18(s)
		if err != nil {
			e := fieldError(codeMalformedID, f.Name, "%s: id value of incorrect type: %s", f.Label, s)
			return nil, &e
		}
		return id, nil
	}
	return nil, bad()
}

// dateTimeLayouts are the dateTime spellings accepted on input.
var dateTimeLayouts = []string{
	"2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700",
	time.RFC3339Nano, time.RFC3339, "2006-01-02T15:04:05.000Z0700", "2006-01-02T15:04:05",
	time.DateOnly,
}

// parseDateTime parses the dateTime spellings clients send (Salesforce's
// own, RFC 3339 with Z or an offset, a bare date).
func parseDateTime(s string) (time.Time, bool) {
	for _, layout := range dateTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// validEmail is Salesforce's basic shape check: local@domain.tld, no spaces.
func validEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at != strings.LastIndexByte(s, '@') || strings.ContainsAny(s, " \t,;<>") {
		return false
	}
	domain := s[at+1:]
	dot := strings.LastIndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1
}
