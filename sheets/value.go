package sheets

import (
	"errors"
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Type is the type of a column's values. Its string form is stored, so the
// constants must never be renamed.
type Type string

// The column types a sheet knows. They follow Salesforce's field types closely
// enough that a column can be typed from a describe, but the sheet model does
// not depend on Salesforce.
const (
	TypeText          Type = "text"
	TypeTextArea      Type = "textarea"
	TypeNumber        Type = "number"
	TypeCurrency      Type = "currency"
	TypePercent       Type = "percent"
	TypeDate          Type = "date"
	TypeDateTime      Type = "datetime"
	TypeBool          Type = "bool"
	TypePicklist      Type = "picklist"
	TypeMultiPicklist Type = "multipicklist"
	TypeReference     Type = "reference"
	TypeEmail         Type = "email"
	TypePhone         Type = "phone"
	TypeURL           Type = "url"
)

// Types lists every column type in the order a type picker shows them.
var Types = []Type{
	TypeText, TypeTextArea, TypeNumber, TypeCurrency, TypePercent, TypeDate,
	TypeDateTime, TypeBool, TypePicklist, TypeMultiPicklist, TypeReference,
	TypeEmail, TypePhone, TypeURL,
}

// Valid reports whether t is one of the known column types.
func (t Type) Valid() bool {
	for _, k := range Types {
		if k == t {
			return true
		}
	}
	return false
}

// Numeric reports whether values of t are numbers.
func (t Type) Numeric() bool {
	return t == TypeNumber || t == TypeCurrency || t == TypePercent
}

// Label is the human name of the type, for headers and pickers.
func (t Type) Label() string {
	switch t {
	case TypeTextArea:
		return "Long text"
	case TypeDateTime:
		return "Date & time"
	case TypeBool:
		return "Checkbox"
	case TypeMultiPicklist:
		return "Multi-select picklist"
	case TypeURL:
		return "URL"
	}
	if t == "" {
		return "Text"
	}
	s := string(t)
	return strings.ToUpper(s[:1]) + s[1:]
}

// Canonical layouts of date and datetime cells.
const (
	DateLayout     = "2006-01-02"
	DateTimeLayout = "2006-01-02T15:04:05.000Z"
)

// ErrInvalidValue is matched (errors.Is) by every *ValueError.
var ErrInvalidValue = errors.New("invalid value")

// ValueError says which input did not parse for which type and why. Row and
// Column are filled in by callers that know them (the store, the importer),
// so the message can name the cell a user has to fix.
type ValueError struct {
	Row    int    // 1-based row number as the user sees it; 0 when unknown
	Column string // column name; "" when unknown
	Type   Type
	Input  string
	Reason string
}

// Error names the row and column when known, the input, the type and why.
func (e *ValueError) Error() string {
	var b strings.Builder
	if e.Row > 0 {
		fmt.Fprintf(&b, "row %d", e.Row)
	}
	if e.Column != "" {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "column %q", e.Column)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%q is not a valid %s: %s", truncate(e.Input, 60), strings.ToLower(e.Type.Label()), e.Reason)
	return b.String()
}

// Is makes errors.Is(err, ErrInvalidValue) true for every ValueError.
func (e *ValueError) Is(target error) bool { return target == ErrInvalidValue }

// At returns a copy of the error that names the row and column.
func (e *ValueError) At(row int, column string) *ValueError {
	c := *e
	c.Row, c.Column = row, column
	return &c
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Parse turns user or file input into the canonical cell text of type t.
// Parsing is strict: an input that is not a value of t is a *ValueError,
// never a silent zero. Surrounding whitespace is trimmed, except for long
// text, and a blank input is a blank cell. choices, when not empty, are the
// allowed values of a picklist column; matching is case-insensitive and
// returns the choice's own spelling.
func Parse(t Type, input string, choices []string) (string, error) {
	s := input
	if t != TypeTextArea {
		s = strings.TrimSpace(s)
	}
	if s == "" {
		return "", nil
	}
	fail := func(reason string) (string, error) {
		return "", &ValueError{Type: t, Input: input, Reason: reason}
	}
	switch t {
	case TypeText, TypeTextArea, TypePhone, "":
		return s, nil
	case TypeNumber, TypeCurrency, TypePercent:
		f, err := ParseNumber(s)
		if err != nil {
			return fail(err.Error())
		}
		return FormatNumber(f), nil
	case TypeDate:
		d, err := time.Parse(DateLayout, s)
		if err != nil {
			return fail("use the form YYYY-MM-DD, for example 2024-03-31")
		}
		return d.Format(DateLayout), nil
	case TypeDateTime:
		ts, err := ParseDateTime(s)
		if err != nil {
			return fail("use ISO 8601 with a time zone, for example 2024-03-31T14:05:00Z")
		}
		// The canonical form has a four-digit year; an instant outside it
		// in UTC would not read back.
		if y := ts.UTC().Year(); y < 0 || y > 9999 {
			return fail("the year is out of range")
		}
		return ts.UTC().Format(DateTimeLayout), nil
	case TypeBool:
		switch strings.ToLower(s) {
		case "true", "yes", "1", "y", "x", "checked":
			return "true", nil
		case "false", "no", "0", "n", "unchecked":
			return "false", nil
		}
		return fail("use true or false")
	case TypePicklist:
		return matchChoice(s, choices, fail)
	case TypeMultiPicklist:
		parts := strings.Split(s, ";")
		out := make([]string, 0, len(parts))
		seen := map[string]bool{}
		for _, p := range parts {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			v, err := matchChoice(p, choices, fail)
			if err != nil {
				return "", err
			}
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
		return strings.Join(out, ";"), nil
	case TypeReference:
		if !validRecordID(s) {
			return fail("a Salesforce record id has 15 or 18 letters and digits")
		}
		return s, nil
	case TypeEmail:
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
			return fail("an email address looks like name@example.com")
		}
		return s, nil
	case TypeURL:
		u, err := url.Parse(s)
		if err != nil || strings.ContainsAny(s, " \t\n") {
			return fail("not a web address")
		}
		if u.Scheme == "" && u.Host == "" && !strings.Contains(u.Path, ".") {
			return fail("not a web address")
		}
		return s, nil
	}
	return fail("unknown column type")
}

func matchChoice(s string, choices []string, fail func(string) (string, error)) (string, error) {
	if len(choices) == 0 {
		return s, nil
	}
	for _, c := range choices {
		if strings.EqualFold(c, s) {
			return c, nil
		}
	}
	return fail("not one of the allowed values (" + truncate(strings.Join(choices, ", "), 80) + ")")
}

// validRecordID reports whether s has the shape of a 15 or 18 character
// Salesforce id. The checksum is the crm package's business.
func validRecordID(s string) bool {
	if len(s) != 15 && len(s) != 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// ParseNumber reads a locale-free number: digits, an optional sign, an
// optional decimal point and exponent. Grouping separators, currency signs and
// percent signs are refused so that "1,5" can never silently mean 15.
func ParseNumber(s string) (float64, error) {
	if s == "" {
		return 0, errors.New("empty")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			return 0, fmt.Errorf("use digits with a point for decimals, without separators or symbols")
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, errors.New("not a number")
	}
	return f, nil
}

// FormatNumber is the canonical spelling of a number: the shortest decimal
// that reads back to the same float, never in exponent form for the ranges
// CRM data uses.
func FormatNumber(f float64) string {
	if f == 0 {
		return "0"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// ParseDateTime reads an ISO 8601 datetime with a zone in the spellings
// Salesforce and spreadsheets produce: RFC 3339 ("Z" or "+01:00"), with or
// without fractional seconds, and Salesforce's "+0000" form.
func ParseDateTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700", "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("not an ISO 8601 datetime with zone")
}

// Format turns a canonical cell into the text a grid shows. It never fails:
// a cell that is not canonical (which Parse never produces) is shown as is.
func Format(t Type, canonical string) string {
	if canonical == "" {
		return ""
	}
	switch t {
	case TypeDateTime:
		if ts, err := time.Parse(DateTimeLayout, canonical); err == nil {
			return ts.Format("2006-01-02 15:04 UTC")
		}
	case TypeMultiPicklist:
		return strings.ReplaceAll(canonical, ";", "; ")
	case TypePercent:
		return canonical + "%"
	}
	return canonical
}

// Float returns the number in a canonical numeric cell.
func Float(canonical string) (float64, bool) {
	if canonical == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(canonical, 64)
	return f, err == nil
}

// Time returns the instant of a canonical date or datetime cell. A date is
// midnight UTC of that day: dates are calendar days, never shifted by zones.
func Time(t Type, canonical string) (time.Time, bool) {
	var layout string
	switch t {
	case TypeDate:
		layout = DateLayout
	case TypeDateTime:
		layout = DateTimeLayout
	default:
		return time.Time{}, false
	}
	ts, err := time.Parse(layout, canonical)
	return ts, err == nil
}

// Compare orders two canonical cells of type t the way a user expects when
// sorting: numbers numerically, dates chronologically, text
// case-insensitively. Blank cells sort first.
func Compare(t Type, a, b string) int {
	if a == b {
		return 0
	}
	if a == "" {
		return -1
	}
	if b == "" {
		return 1
	}
	if t.Numeric() {
		fa, oka := Float(a)
		fb, okb := Float(b)
		if oka && okb {
			switch {
			case fa < fb:
				return -1
			case fa > fb:
				return 1
			}
			return 0
		}
	}
	// Canonical dates and datetimes sort correctly as text.
	if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// SameText reports whether two canonical values are equal once line endings
// are ignored: CRLF, lone CR and LF count as one line break. Spreadsheet
// programs rewrite line endings when they save a file (LibreOffice and
// Excel turn "\r\n" into "\n"), so a difference of line endings alone is
// never an edit: the import preview, the three-way merge and the re-read
// before a push all compare with SameText, and nothing is sent for it.
// Line breaks at the start or end of a value are ignored too: Parse trims
// them from every cell but long text, so a value Salesforce keeps as
// "1 Main St\r\n" comes back from a resaved file as "1 Main St" although
// nobody edited it.
func SameText(a, b string) bool {
	if a == b {
		return true
	}
	if !strings.ContainsAny(a, "\r\n") && !strings.ContainsAny(b, "\r\n") {
		return false
	}
	return strings.Trim(normalizeBreaks(a), "\n") == strings.Trim(normalizeBreaks(b), "\n")
}

// normalizeBreaks turns CRLF and lone CR into LF.
func normalizeBreaks(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// ParseCell parses input for a column as Parse does with the column's
// choices, except that an unrestricted picklist column (not
// Column.Restricted) accepts values outside its choices, as Salesforce
// accepts them: a value matching a choice case-insensitively takes the
// choice's spelling, any other is kept as typed.
func ParseCell(c Column, input string) (string, error) {
	open := !c.Restricted && len(c.Choices) > 0 && (c.Type == TypePicklist || c.Type == TypeMultiPicklist)
	if !open {
		return Parse(c.Type, input, c.Choices)
	}
	v, err := Parse(c.Type, input, nil)
	if err != nil || v == "" {
		return v, err
	}
	spell := func(p string) string {
		for _, ch := range c.Choices {
			if strings.EqualFold(ch, p) {
				return ch
			}
		}
		return p
	}
	if c.Type == TypePicklist {
		return spell(v), nil
	}
	parts := strings.Split(v, ";")
	out := parts[:0]
	seen := map[string]bool{}
	for _, p := range parts {
		if p = spell(p); !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return strings.Join(out, ";"), nil
}
