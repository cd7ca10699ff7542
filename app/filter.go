package app

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"crmsheets/crm"
	"crmsheets/sheets"
)

// FilterSamples is how many sample records ValidateFilter returns.
const FilterSamples = 5

// FilterCheck is the result of validating a filter against Salesforce.
type FilterCheck struct {
	Count int `json:"count"` // records the filter matches
	// Samples are up to FilterSamples matching records, as column name →
	// display text of the sheet's mapped columns (plus "Id").
	Samples []map[string]string `json:"samples"`
}

// FilterError is a filter Salesforce refused; Message is Salesforce's own
// text (for example "unexpected token: 'AND'"), which the filter editor
// shows as is.
type FilterError struct {
	Filter  string
	Message string
	Err     error
}

// Error quotes the filter and Salesforce's message.
func (e *FilterError) Error() string { return fmt.Sprintf("filter %q: %s", e.Filter, e.Message) }

// Unwrap returns the client's error (crm.ErrMalformedQuery and friends).
func (e *FilterError) Unwrap() error { return e.Err }

// ValidateFilter checks a SOQL WHERE clause (without "WHERE") for the
// sheet's object with Salesforce itself: two calls, a count and five
// sample records. An empty filter matches every record. A clause Salesforce
// rejects is a *FilterError carrying its message; a clause that could break
// out of its parentheses is refused before any call (crm.ErrUnsafeSOQL).
// Nothing is saved: SaveSheetSettings stores the filter.
func (s *Service) ValidateFilter(ctx context.Context, sheetID, where string) (FilterCheck, error) {
	c, err := s.client()
	if err != nil {
		return FilterCheck{}, err
	}
	sh, err := s.Sheet(sheetID)
	if err != nil {
		return FilterCheck{}, err
	}
	b, err := bind(ctx, c, sh)
	if err != nil {
		s.noteCallErr(err)
		return FilterCheck{}, err
	}
	where = strings.TrimSpace(where)
	if len(where) >= 6 && strings.EqualFold(where[:6], "where ") {
		where = strings.TrimSpace(where[6:])
	}
	count := crm.Select("COUNT()").From(b.object)
	sample := crm.Select(b.selectFields()...).From(b.object)
	if where != "" {
		count, sample = count.WhereClause(where), sample.WhereClause(where)
	}
	cq, err := count.Build()
	if err != nil {
		return FilterCheck{}, &FilterError{Filter: where, Message: "the filter is not a single condition: " + err.Error(), Err: err}
	}
	sq, err := sample.Limit(FilterSamples).Build()
	if err != nil {
		return FilterCheck{}, &FilterError{Filter: where, Message: err.Error(), Err: err}
	}
	n, err := c.Count(ctx, cq)
	if err != nil {
		return FilterCheck{}, s.filterErr(cq, where, err)
	}
	out := FilterCheck{Count: n}
	for rec, err := range c.Query(ctx, sq) {
		if err != nil {
			return FilterCheck{}, s.filterErr(sq, where, err)
		}
		cells := b.remoteCells(rec)
		m := map[string]string{"Id": rec.ID}
		for _, bc := range b.cols {
			m[bc.col.Name] = sheets.Format(bc.col.Type, cells[bc.col.ID])
		}
		out.Samples = append(out.Samples, m)
	}
	return out, nil
}

func (s *Service) filterErr(query, where string, err error) error {
	var ce *crm.Error
	if errors.As(err, &ce) && ce.HTTPStatus == 400 {
		return &FilterError{Filter: where, Message: pointAtFilter(query, where, ce.Message), Err: err}
	}
	s.noteCallErr(err)
	return fmt.Errorf("validate filter %q: %w", where, err)
}

// errorAt finds Salesforce's "ERROR at Row:r:Column:c" in a query error.
var errorAt = regexp.MustCompile(`ERROR at Row:(\d+):Column:(\d+)`)

// pointAtFilter rewrites Salesforce's query error so it points at the
// person's own filter text: Salesforce quotes the whole query the app
// built (SELECT … WHERE (filter)) with a caret, which pointed at brackets
// and words the person never typed. The result is the reason, then the
// line of the filter with a caret under the column (or "at the end of the
// filter" when Salesforce stopped at the bracket the app added). A message
// without a position is returned as is.
func pointAtFilter(query, where, msg string) string {
	m := errorAt.FindStringSubmatchIndex(msg)
	if m == nil {
		return msg
	}
	row, _ := strconv.Atoi(msg[m[2]:m[3]])
	col, _ := strconv.Atoi(msg[m[4]:m[5]])
	reason := strings.TrimSpace(msg[m[1]:])
	if reason == "" {
		reason = "Salesforce could not read the filter"
	}
	q := []rune(query)
	off, line := 0, 1 // rune offset of (row, col) in the query
	for off < len(q) && line < row {
		if q[off] == '\n' {
			line++
		}
		off++
	}
	off += col - 1
	start := strings.Index(query, "("+where+")")
	if start < 0 {
		return msg
	}
	start = len([]rune(query[:start+1]))
	w := []rune(where)
	at := off - start
	switch {
	case at < 0:
		return reason
	case at >= len(w):
		return reason + " — at the end of the filter: is a condition or a quote missing?"
	}
	// The filter's line holding the position, and the column in it.
	ls := at
	for ls > 0 && w[ls-1] != '\n' {
		ls--
	}
	le := at
	for le < len(w) && w[le] != '\n' {
		le++
	}
	return fmt.Sprintf("%s\n%s\n%s^", reason, string(w[ls:le]), strings.Repeat(" ", at-ls))
}
