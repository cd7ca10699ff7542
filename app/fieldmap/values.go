package fieldmap

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"crmsheets/crm"
	"crmsheets/sheets"
)

// ToSalesforce turns canonical cell text into the JSON value sent for
// the field: numbers as float64 (int fields as int64), booleans as bool,
// dates "YYYY-MM-DD", datetimes "2006-01-02T15:04:05.000Z" in UTC,
// multi-select picklists "a;b", ids checked for shape and checksum, emails
// checked for form, everything else as the text itself. A blank cell is nil
// (null: the field is cleared). A value of the wrong type is a *RowProblem
// naming the value and the field.
func ToSalesforce(f *crm.Field, canonical string) (any, error) {
	v, same, err := toSalesforce(f, canonical)
	if same {
		return canonical, nil
	}
	return v, err
}

// CheckSalesforce returns the problem ToSalesforce would return for the
// value, without making the value: a text value boxed in an any is an
// allocation, and a push checks every cell it sends before sending it.
func CheckSalesforce(f *crm.Field, canonical string) error {
	_, _, err := toSalesforce(f, canonical)
	return err
}

// toSalesforce is ToSalesforce, except that where the value sent is the
// canonical text itself it returns same (and a nil v) instead of boxing
// it.
func toSalesforce(f *crm.Field, canonical string) (v any, same bool, err error) {
	if canonical == "" {
		return nil, false, nil
	}
	switch f.Type {
	case "boolean":
		b, err := sheets.Parse(sheets.TypeBool, canonical, nil)
		if err != nil {
			return nil, false, problem(f, canonical, "INVALID_TYPE_ON_FIELD_IN_RECORD", "use true or false.")
		}
		return b == "true", false, nil
	case "double", "currency", "percent":
		n, err := sheets.ParseNumber(canonical)
		if err != nil {
			return nil, false, problem(f, canonical, "INVALID_TYPE_ON_FIELD_IN_RECORD", "not a number.")
		}
		return n, false, nil
	case "int", "long":
		n, err := sheets.ParseNumber(canonical)
		if err != nil || n != math.Trunc(n) || math.Abs(n) > 1<<53 {
			return nil, false, problem(f, canonical, "INVALID_TYPE_ON_FIELD_IN_RECORD", "not a whole number.")
		}
		return int64(n), false, nil
	case "date":
		if d, err := time.Parse(sheets.DateLayout, canonical); err == nil {
			return d.Format(sheets.DateLayout), false, nil
		}
		if ts, err := sheets.ParseDateTime(canonical); err == nil {
			return ts.UTC().Format(sheets.DateLayout), false, nil
		}
		return nil, false, problem(f, canonical, "INVALID_TYPE_ON_FIELD_IN_RECORD", "not a date (YYYY-MM-DD).")
	case "datetime":
		if ts, err := sheets.ParseDateTime(canonical); err == nil {
			return ts.UTC().Format(sheets.DateTimeLayout), false, nil
		}
		if d, err := time.Parse(sheets.DateLayout, canonical); err == nil {
			return d.Format(sheets.DateTimeLayout), false, nil
		}
		return nil, false, problem(f, canonical, "INVALID_TYPE_ON_FIELD_IN_RECORD", "not a date and time.")
	case "multipicklist":
		return joinItems(canonical), false, nil
	case "reference", "id":
		if !crm.ValidID(canonical) {
			return nil, false, problem(f, canonical, "MALFORMED_ID", "not a Salesforce record id (15 or 18 letters and digits).")
		}
		return nil, true, nil
	case "email":
		if _, err := sheets.Parse(sheets.TypeEmail, canonical, nil); err != nil {
			return nil, false, problem(f, canonical, "INVALID_EMAIL_ADDRESS", "not a valid email address.")
		}
		return nil, true, nil
	}
	return nil, true, nil
}

// joinItems is the canonical multi-select spelling: items trimmed,
// blanks dropped, joined with ";".
func joinItems(s string) string {
	parts := strings.Split(s, ";")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ";")
}

// FromSalesforce turns a value of a field of the given Salesforce type,
// as decoded from a query's JSON, into canonical cell text: what a pull
// stores and what the three-way merge compares. null is blank; numbers are
// written without exponent or grouping; datetimes such as
// "2024-05-01T10:00:00.000+0000" become UTC "2024-05-01T10:00:00.000Z";
// text is trimmed as Parse trims it (long text is kept as is). A value that
// does not parse as its type is kept as text rather than lost.
func FromSalesforce(fieldType string, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return sheets.FormatNumber(x)
	case float32:
		return sheets.FormatNumber(float64(x))
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return sheets.FormatNumber(f)
		}
		return x.String()
	case string:
		return canonicalString(fieldType, x)
	}
	b, err := json.Marshal(v) // compound values (address, location)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func canonicalString(fieldType, s string) string {
	if fieldType == "textarea" {
		return s
	}
	s = strings.TrimSpace(s)
	switch fieldType {
	case "datetime":
		if ts, err := sheets.ParseDateTime(s); err == nil {
			return ts.UTC().Format(sheets.DateTimeLayout)
		}
		if d, err := time.Parse(sheets.DateLayout, s); err == nil {
			return d.Format(sheets.DateTimeLayout)
		}
	case "date":
		if ts, err := sheets.ParseDateTime(s); err == nil {
			return ts.UTC().Format(sheets.DateLayout)
		}
	case "double", "currency", "percent", "int", "long":
		if f, err := sheets.ParseNumber(s); err == nil {
			return sheets.FormatNumber(f)
		}
	case "boolean":
		if b, err := sheets.Parse(sheets.TypeBool, s, nil); err == nil {
			return b
		}
	case "multipicklist":
		return joinItems(s)
	}
	return s
}
