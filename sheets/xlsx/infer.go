package xlsx

import (
	"strings"
	"time"

	"crmsheets/sheets"
)

// What a single cell could be. A column takes the first type, in the order
// of inferOrder, that every one of its non-empty cells allows.
type typeMask uint16

const (
	canBool typeMask = 1 << iota
	canNumber
	canDate
	canDateTime
	canEmail
	canReference
)

// cellFacts is what inference learned about one cell.
type cellFacts struct {
	mask   typeMask
	td     textDate // for text dates
	isTD   bool
	serial bool // a real date or datetime cell (a serial with a date format)
}

// boolWords are the words read as checkboxes when a whole column uses them.
// Numbers 1 and 0 alone keep a column numeric: a column of counts is not a
// checkbox; merging them into a checkbox column still reads them as true and
// false (sheets.Parse).
var boolWords = map[string]bool{"true": true, "false": true, "yes": true, "no": true}

// factsOf classifies one cell.
func factsOf(c cell, loc *time.Location) cellFacts {
	switch c.kind {
	case kindNumber:
		return cellFacts{mask: canNumber}
	case kindBool:
		return cellFacts{mask: canBool}
	case kindDate:
		return cellFacts{mask: canDate | canDateTime, serial: true}
	case kindDateTime:
		return cellFacts{mask: canDateTime, serial: true}
	case kindText:
	default:
		return cellFacts{}
	}
	s := strings.TrimSpace(c.text)
	var f cellFacts
	if boolWords[strings.ToLower(s)] {
		f.mask |= canBool
	}
	if s == "" {
		return f
	}
	if c0 := s[0]; c0 >= '0' && c0 <= '9' || c0 == '-' || c0 == '.' {
		if numberText(s) {
			f.mask |= canNumber
		}
	}
	if s[0] < '0' || s[0] > '9' {
		// neither a date nor a datetime
	} else if td, ok := splitTextDate(s); ok {
		f.td, f.isTD = td, true
		if td.hasTime {
			f.mask |= canDateTime
		} else {
			f.mask |= canDate | canDateTime
		}
	} else if _, err := parseWallDateTime(s, loc); err == nil {
		f.mask |= canDateTime
	}
	if strings.IndexByte(s, '@') > 0 {
		if _, err := sheets.Parse(sheets.TypeEmail, s, nil); err == nil {
			f.mask |= canEmail
		}
	}
	if len(s) != 15 && len(s) != 18 {
		return f
	}
	if _, ok := recordID18(s); ok && strings.ContainsAny(s, "0123456789") {
		f.mask |= canReference
	}
	return f
}

// numberText reports whether text is a number a user typed as text, and not
// a code that only looks like one: leading zeros ("00123", a postcode), a
// leading plus (a phone number) or more digits than a double keeps.
func numberText(s string) bool {
	if s == "" || s[0] == '+' {
		return false
	}
	digits := s
	if digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) > 1 && digits[0] == '0' && digits[1] != '.' {
		return false
	}
	n := 0
	for i := 0; i < len(digits); i++ {
		if digits[i] >= '0' && digits[i] <= '9' {
			n++
		}
	}
	if n > 15 {
		return false
	}
	_, err := sheets.ParseNumber(s)
	return err == nil
}

// columnGuess is the inferred type of a column.
type columnGuess struct {
	typ        sheets.Type
	dateFormat DateFormat   // for text dates
	ambiguous  []DateFormat // candidate formats when the order of day and month cannot be told
	mixed      bool         // ambiguous because real dates sit with text dates only one order reads
}

// columnAgg accumulates the facts of a column's non-empty, readable cells
// without keeping them.
type columnAgg struct {
	all       typeMask
	fits      uint16 // bit i: every text date fits DateFormats[i]
	n         int
	anyText   bool // some dates are text, so their format matters
	anySerial bool // some dates are real date cells
}

func newColumnAgg() columnAgg {
	return columnAgg{all: canBool | canNumber | canDate | canDateTime | canEmail | canReference, fits: 1<<len(DateFormats) - 1}
}

func (a *columnAgg) add(f cellFacts) {
	a.n++
	a.all &= f.mask
	a.anySerial = a.anySerial || f.serial
	if f.isTD {
		a.anyText = true
		for i, df := range DateFormats {
			if a.fits&(1<<i) != 0 {
				if _, ok := f.td.in(df); !ok {
					a.fits &^= 1 << i
				}
			}
		}
	}
}

func (a *columnAgg) fit(df DateFormat) bool {
	for i, f := range DateFormats {
		if f == df {
			return a.fits&(1<<i) != 0
		}
	}
	return false
}

// guess picks the column's type: the first of checkbox, date, datetime,
// number, email and reference that every cell allows, else text. choice is
// the user's format for a column of text dates ("" when none was made).
func (a *columnAgg) guess(choice DateFormat) columnGuess {
	if a.n == 0 {
		return columnGuess{typ: sheets.TypeText}
	}
	all := a.all
	if all&(canDate|canDateTime) != 0 {
		df, amb, ok := a.pickDateFormat(choice)
		switch {
		case !ok:
			all &^= canDate | canDateTime
		case amb != nil:
			return columnGuess{typ: sheets.TypeText, ambiguous: amb, mixed: a.anySerial && !a.fit(amb[1])}
		case all&canDate != 0:
			return columnGuess{typ: sheets.TypeDate, dateFormat: df}
		default:
			return columnGuess{typ: sheets.TypeDateTime, dateFormat: df}
		}
	}
	switch {
	case all&canBool != 0:
		return columnGuess{typ: sheets.TypeBool}
	case all&canNumber != 0:
		return columnGuess{typ: sheets.TypeNumber}
	case all&canEmail != 0:
		return columnGuess{typ: sheets.TypeEmail}
	case all&canReference != 0:
		return columnGuess{typ: sheets.TypeReference}
	}
	return columnGuess{typ: sheets.TypeText}
}

// pickDateFormat settles the format of a column's text dates. ok is false
// when the text dates fit no common format; amb lists the candidates (the
// one that fits first) when both a day-first and a month-first reading fit
// every value (no day above 12), or when real date cells are mixed with
// text dates that only one of them reads, and the user has not chosen: the
// importer never guesses.
func (a *columnAgg) pickDateFormat(choice DateFormat) (df DateFormat, amb []DateFormat, ok bool) {
	if !a.anyText {
		return "", nil, true // serial dates only
	}
	if choice != "" && a.fit(choice) {
		return choice, nil, true
	}
	for _, f := range DateFormats {
		if !a.fit(f) {
			continue
		}
		m := dateOrders[f].mirror
		if m != "" && (a.fit(m) || a.anySerial && choice == "") {
			// Both orders read every text date; or real date cells sit with
			// text dates only one order reads ("25/03/2024" beside a date
			// cell): the spreadsheet turned the typed dates it could read
			// in its own order into dates and left the others as text, so
			// the real ones were likely read in the wrong order. Ask.
			return "", []DateFormat{f, m}, true
		}
		return f, nil, true
	}
	return "", nil, false
}

// canonicalCell turns a cell into the canonical text of the column's type,
// or reports why it does not fit.
func canonicalCell(c cell, f cellFacts, g columnGuess, loc *time.Location) (string, string) {
	switch c.kind {
	case kindEmpty:
		return "", ""
	case kindError:
		return "", c.text
	}
	if c.kind != kindText {
		switch {
		case g.typ == sheets.TypeDateTime && c.kind == kindDate:
			d, _ := time.Parse(dateLayout, c.text)
			return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc).UTC().Format(sheets.DateTimeLayout), ""
		case g.typ == sheets.TypeText && c.kind == kindDateTime:
			return c.text, ""
		}
		return c.text, "" // already canonical for its own type, which inference matched
	}
	s := strings.TrimSpace(c.text)
	switch g.typ {
	case sheets.TypeDate, sheets.TypeDateTime:
		if f.isTD {
			if v, ok := f.td.canonical(g.dateFormat, loc); ok {
				if g.typ == sheets.TypeDateTime && !f.td.hasTime {
					d, _ := time.Parse(dateLayout, v)
					v = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc).UTC().Format(sheets.DateTimeLayout)
				}
				return v, ""
			}
			return "", "not a date in " + string(g.dateFormat)
		}
		v, err := parseWallDateTime(s, loc)
		if err != nil {
			return "", err.Error()
		}
		return v, ""
	case sheets.TypeReference:
		id, ok := recordID18(s)
		if !ok {
			return "", "not a Salesforce id"
		}
		return id, ""
	case sheets.TypeText:
		return strings.TrimSpace(c.text), ""
	}
	v, err := sheets.Parse(g.typ, s, nil)
	if err != nil {
		return "", reason(err)
	}
	return v, ""
}

// reason is the user-facing reason of a parse error.
func reason(err error) string {
	if ve, ok := err.(*sheets.ValueError); ok {
		return ve.Reason
	}
	return err.Error()
}
