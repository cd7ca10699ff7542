package app

import (
	"context"
	"errors"
	"fmt"
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
		return FilterCheck{}, s.filterErr(where, err)
	}
	out := FilterCheck{Count: n}
	for rec, err := range c.Query(ctx, sq) {
		if err != nil {
			return FilterCheck{}, s.filterErr(where, err)
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

func (s *Service) filterErr(where string, err error) error {
	var ce *crm.Error
	if errors.As(err, &ce) && ce.HTTPStatus == 400 {
		return &FilterError{Filter: where, Message: ce.Message, Err: err}
	}
	s.noteCallErr(err)
	return fmt.Errorf("validate filter %q: %w", where, err)
}
