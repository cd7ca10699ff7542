package crm

import (
	"crmsheets/internal/soqlstr"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ErrUnsafeSOQL is returned by the builder when a name or clause could change
// the structure of the query (a field name with a quote, an unbalanced filter).
var ErrUnsafeSOQL = errors.New("unsafe SOQL")

// Quote returns s as a SOQL string literal: wrapped in single quotes with
// every character that could end or alter the literal escaped (\' \" \\ \n
// \r \t \b \f, and \uXXXX for every other control character; invalid
// UTF-8 becomes U+FFFD). No value passed through Quote can change a query.
// The rules live once, in internal/soqlstr, shared with the demo org.
func Quote(s string) string { return soqlstr.Quote(s) }

// QuoteLike is Quote for the right side of LIKE: it also escapes the
// wildcards % and _ so that the value matches literally. To search with
// wildcards, use Builder.Where(field, "LIKE", Contains(v)) or StartsWith(v).
func QuoteLike(s string) string { return soqlstr.QuoteLike(s) }

// QuoteDate formats t's calendar date as a SOQL date literal (YYYY-MM-DD,
// unquoted, as SOQL wants), for date fields.
func QuoteDate(t time.Time) string { return t.Format("2006-01-02") }

// QuoteDateTime formats t as a SOQL dateTime literal in UTC
// (YYYY-MM-DDThh:mm:ssZ, unquoted), for dateTime fields. Sub-second
// precision is truncated, so a watermark filter with >= never misses a record.
func QuoteDateTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z")
}

// Date is a calendar date value for the builder: FormatLiteral renders it as
// a SOQL date literal while a time.Time renders as a dateTime.
type Date struct{ time.Time }

// FormatLiteral renders a Go value as a SOQL literal: nil → null, string →
// Quote, bool → true/false, integers and finite floats → numbers, time.Time →
// dateTime, Date → date. Unsupported types and NaN/Inf are errors, never a
// guess.
func FormatLiteral(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "null", nil
	case string:
		return Quote(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	case int:
		return strconv.Itoa(x), nil
	case int32:
		return strconv.FormatInt(int64(x), 10), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", fmt.Errorf("format SOQL literal %v: %w", x, ErrUnsafeSOQL)
		}
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case float32:
		return FormatLiteral(float64(x))
	case time.Time:
		return QuoteDateTime(x), nil
	case Date:
		return QuoteDate(x.Time), nil
	case likePattern:
		return string(x), nil
	default:
		return "", fmt.Errorf("format SOQL literal of type %T: %w", v, ErrUnsafeSOQL)
	}
}

// likePattern is an already-quoted LIKE operand built by Contains, StartsWith.
type likePattern string

// Contains returns a LIKE operand matching values that contain s literally.
func Contains(s string) any { return likePattern("'%" + strings.Trim(QuoteLike(s), "'") + "%'") }

// StartsWith returns a LIKE operand matching values that start with s literally.
func StartsWith(s string) any { return likePattern("'" + strings.Trim(QuoteLike(s), "'") + "%'") }

// Builder assembles a SELECT statement in which every value is a quoted
// literal and every name is checked. Methods record the first error and Build
// reports it, so a chain needs one error check:
//
//	q, err := crm.Select("Id", "Name", "Account.Name").From("Contact").
//		Where("Email", "=", email).In("Id", ids).OrderBy("Name", false).Build()
//
// A Builder is not safe for concurrent use.
type Builder struct {
	fields  []string
	object  string
	conds   []string
	orderBy []string
	limit   int
	err     error
}

// Select starts a query with the given fields (API names, relationship paths
// such as Account.Name, or COUNT()).
func Select(fields ...string) *Builder {
	b := &Builder{}
	for _, f := range fields {
		if strings.EqualFold(f, "COUNT()") {
			b.fields = append(b.fields, "COUNT()")
			continue
		}
		if !validPath(f) {
			b.fail(fmt.Errorf("select field %q: %w", f, ErrUnsafeSOQL))
			continue
		}
		b.fields = append(b.fields, f)
	}
	return b
}

// From sets the sObject queried.
func (b *Builder) From(object string) *Builder {
	if !validName(object) {
		b.fail(fmt.Errorf("from %q: %w", object, ErrUnsafeSOQL))
	}
	b.object = object
	return b
}

var operators = map[string]bool{"=": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true, "LIKE": true}

// Where adds "field op value", ANDed with the other conditions. op is one of
// = != < <= > >= LIKE; value is rendered by FormatLiteral.
func (b *Builder) Where(field, op string, value any) *Builder {
	op = strings.ToUpper(strings.TrimSpace(op))
	if !validPath(field) {
		return b.fail(fmt.Errorf("where field %q: %w", field, ErrUnsafeSOQL))
	}
	if !operators[op] {
		return b.fail(fmt.Errorf("where %s operator %q: %w", field, op, ErrUnsafeSOQL))
	}
	lit, err := FormatLiteral(value)
	if err != nil {
		return b.fail(fmt.Errorf("where %s: %w", field, err))
	}
	b.conds = append(b.conds, field+" "+op+" "+lit)
	return b
}

// In adds "field IN (values...)", ANDed with the other conditions. An empty
// list is an error: SOQL rejects IN (), and a query that matches nothing
// should not be sent at all.
func (b *Builder) In(field string, values ...any) *Builder {
	if !validPath(field) {
		return b.fail(fmt.Errorf("in field %q: %w", field, ErrUnsafeSOQL))
	}
	if len(values) == 0 {
		return b.fail(fmt.Errorf("in %s: empty value list", field))
	}
	lits := make([]string, len(values))
	for i, v := range values {
		lit, err := FormatLiteral(v)
		if err != nil {
			return b.fail(fmt.Errorf("in %s value %d: %w", field, i, err))
		}
		lits[i] = lit
	}
	b.conds = append(b.conds, field+" IN ("+strings.Join(lits, ", ")+")")
	return b
}

// InStrings is In for a string slice (the common case of ids and emails).
func (b *Builder) InStrings(field string, values []string) *Builder {
	vs := make([]any, len(values))
	for i, v := range values {
		vs[i] = v
	}
	return b.In(field, vs...)
}

// WhereClause ANDs a user-authored SOQL condition (a sheet's filter, such as
// "Industry = 'Banking' OR Rating = 'Hot'") in parentheses. It is for clauses
// the user wrote as SOQL, never for values: the clause must have balanced
// parentheses and terminated string literals so that it cannot escape its
// parentheses, and must not contain clause keywords that end the WHERE
// (ORDER BY, LIMIT, ...) outside literals.
func (b *Builder) WhereClause(clause string) *Builder {
	clause = strings.TrimSpace(clause)
	if clause == "" {
		return b
	}
	if err := checkClause(clause); err != nil {
		return b.fail(fmt.Errorf("filter %q: %w", clause, err))
	}
	b.conds = append(b.conds, "("+clause+")")
	return b
}

// OrderBy adds a sort key.
func (b *Builder) OrderBy(field string, desc bool) *Builder {
	if !validPath(field) {
		return b.fail(fmt.Errorf("order by %q: %w", field, ErrUnsafeSOQL))
	}
	if desc {
		field += " DESC"
	}
	b.orderBy = append(b.orderBy, field)
	return b
}

// Limit caps the number of rows; 0 means no limit.
func (b *Builder) Limit(n int) *Builder {
	if n < 0 {
		return b.fail(fmt.Errorf("limit %d: negative", n))
	}
	b.limit = n
	return b
}

// Validate checks every selected, filtered and sorted field against the
// object's describe: plain fields must exist; for a relationship path the
// first segment must be a relationship name of the object (the parent's
// fields are not checked, they need the parent's describe).
func (b *Builder) Validate(d *ObjectDescribe) *Builder {
	if b.err != nil {
		return b
	}
	if !strings.EqualFold(d.Name, b.object) {
		return b.fail(fmt.Errorf("validate query on %s against the describe of %s", b.object, d.Name))
	}
	check := func(path string) error {
		if path == "COUNT()" {
			return nil
		}
		first, _, nested := strings.Cut(path, ".")
		if nested {
			for i := range d.Fields {
				if strings.EqualFold(d.Fields[i].RelationshipName, first) {
					return nil
				}
			}
			return fmt.Errorf("%s has no relationship %q (in %q): %w", d.Name, first, path, ErrInvalidField)
		}
		if _, ok := d.Field(path); !ok {
			return fmt.Errorf("%s has no field %q: %w", d.Name, path, ErrInvalidField)
		}
		return nil
	}
	for _, f := range b.fields {
		if err := check(f); err != nil {
			return b.fail(fmt.Errorf("select: %w", err))
		}
	}
	for _, c := range b.conds {
		if strings.HasPrefix(c, "(") {
			continue // user clause: Salesforce validates it
		}
		field, _, _ := strings.Cut(c, " ")
		if err := check(field); err != nil {
			return b.fail(fmt.Errorf("where: %w", err))
		}
	}
	for _, o := range b.orderBy {
		field, _, _ := strings.Cut(o, " ")
		if err := check(field); err != nil {
			return b.fail(fmt.Errorf("order by: %w", err))
		}
	}
	return b
}

// Build returns the SOQL text, or the first error of the chain.
func (b *Builder) Build() (string, error) {
	if b.err != nil {
		return "", fmt.Errorf("build SOQL: %w", b.err)
	}
	if len(b.fields) == 0 {
		return "", errors.New("build SOQL: no fields selected")
	}
	if b.object == "" {
		return "", errors.New("build SOQL: no FROM object")
	}
	var s strings.Builder
	s.WriteString("SELECT ")
	s.WriteString(strings.Join(b.fields, ", "))
	s.WriteString(" FROM ")
	s.WriteString(b.object)
	if len(b.conds) > 0 {
		s.WriteString(" WHERE ")
		s.WriteString(strings.Join(b.conds, " AND "))
	}
	if len(b.orderBy) > 0 {
		s.WriteString(" ORDER BY ")
		s.WriteString(strings.Join(b.orderBy, ", "))
	}
	if b.limit > 0 {
		s.WriteString(" LIMIT ")
		s.WriteString(strconv.Itoa(b.limit))
	}
	return s.String(), nil
}

func (b *Builder) fail(err error) *Builder {
	if b.err == nil {
		b.err = err
	}
	return b
}

// validName reports whether s is an API name: a letter, then letters, digits
// and underscores (custom names end in __c, __r, ...).
func validName(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case (c >= '0' && c <= '9' || c == '_') && i > 0:
		default:
			return false
		}
	}
	return true
}

// validPath reports whether s is a dotted path of API names (Account.Owner.Name).
func validPath(s string) bool {
	if s == "" {
		return false
	}
	for part := range strings.SplitSeq(s, ".") {
		if !validName(part) {
			return false
		}
	}
	return true
}

// clauseStop lists keywords that would end a WHERE clause.
var clauseStop = map[string]bool{"ORDER": true, "LIMIT": true, "OFFSET": true, "GROUP": true, "HAVING": true, "FOR": true, "UPDATE": true, "WITH": true, "SELECT": true, "FROM": true}

// checkClause scans a user-authored condition: literals must terminate,
// parentheses must balance, and no keyword may end the WHERE clause.
func checkClause(s string) error {
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			i++
			for ; i < len(s) && s[i] != '\''; i++ {
				if s[i] == '\\' {
					i++
				}
			}
			if i >= len(s) {
				return fmt.Errorf("unterminated string literal: %w", ErrUnsafeSOQL)
			}
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth < 0 {
				return fmt.Errorf("unbalanced parentheses: %w", ErrUnsafeSOQL)
			}
		case c == '\\' || c == ';' || c == '"':
			return fmt.Errorf("character %q outside a literal: %w", c, ErrUnsafeSOQL)
		case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_':
			j := i
			for j < len(s) && (s[j] >= 'A' && s[j] <= 'Z' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= '0' && s[j] <= '9' || s[j] == '_') {
				j++
			}
			if depth == 0 && clauseStop[strings.ToUpper(s[i:j])] {
				return fmt.Errorf("keyword %s not allowed in a filter: %w", s[i:j], ErrUnsafeSOQL)
			}
			i = j - 1
		}
	}
	if depth != 0 {
		return fmt.Errorf("unbalanced parentheses: %w", ErrUnsafeSOQL)
	}
	return nil
}
