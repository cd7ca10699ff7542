package soql

import (
	"time"
)

// dateTimeLayout is the form Salesforce returns datetimes in, and the form
// this package compares them in: fixed width, UTC, so that string order is
// time order.
const dateTimeLayout = "2006-01-02T15:04:05.000-0700"

// canonicalDate validates a YYYY-MM-DD literal.
func canonicalDate(s string) (string, bool) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return "", false
	}
	return t.Format(time.DateOnly), true
}

// canonicalDateTime converts a SOQL datetime literal (Z, ±hh:mm or ±hhmm
// zone, optional fraction) to UTC in dateTimeLayout.
func canonicalDateTime(s string) (string, bool) {
	t, ok := parseDateTime(s)
	if !ok {
		return "", false
	}
	return formatDateTime(t), true
}

func formatDateTime(t time.Time) string {
	return t.UTC().Format(dateTimeLayout)
}

// dateTimeLayouts are the datetime spellings accepted in literals and in
// record values.
var dateTimeLayouts = []string{
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02t15:04:05Z07:00",
	"2006-01-02t15:04:05Z0700",
}

func parseDateTime(s string) (time.Time, bool) {
	if n := len(s); n > 0 && s[n-1] == 'z' {
		s = s[:n-1] + "Z"
	}
	for _, layout := range dateTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// normalizeDateTime returns a record's datetime value in dateTimeLayout,
// without allocating when it already is (the emulator stores them so).
func normalizeDateTime(v string) (string, bool) {
	if len(v) == len("2006-01-02T15:04:05.000+0000") && v[10] == 'T' && v[23:] == "+0000" {
		return v, true
	}
	if len(v) == len("2006-01-02") {
		if _, ok := canonicalDate(v); ok {
			return v + "T00:00:00.000+0000", true
		}
		return "", false
	}
	t, ok := parseDateTime(v)
	if !ok {
		return "", false
	}
	return formatDateTime(t), true
}

// unit is the calendar unit a relative date literal counts in.
type unit int

const (
	day unit = iota
	week
	month
	quarter
	year
)

// relativeDate describes a relative date literal as the half-open range
// [from, to) of units counted from the start of the current unit, in which
// n (the literal's ":n") may appear: from = fromK + fromN*n, likewise to.
type relativeDate struct {
	unit         unit
	takesN       bool
	fromK, fromN int
	toK, toN     int
}

// relativeDates is every supported relative date literal. Fiscal literals
// use the calendar year, the default fiscal year of a Salesforce org (the
// demo org has no custom fiscal year). Weeks start on Sunday (en_US locale).
var relativeDates = map[string]relativeDate{
	"YESTERDAY":    {unit: day, fromK: -1, toK: 0},
	"TODAY":        {unit: day, fromK: 0, toK: 1},
	"TOMORROW":     {unit: day, fromK: 1, toK: 2},
	"LAST_90_DAYS": {unit: day, fromK: -90, toK: 1},
	"NEXT_90_DAYS": {unit: day, fromK: 1, toK: 91},
	"LAST_N_DAYS":  {unit: day, takesN: true, fromN: -1, toK: 1},
	"NEXT_N_DAYS":  {unit: day, takesN: true, fromK: 1, toK: 1, toN: 1},
	"N_DAYS_AGO":   {unit: day, takesN: true, fromN: -1, toK: 1, toN: -1},

	"LAST_WEEK":    {unit: week, fromK: -1, toK: 0},
	"THIS_WEEK":    {unit: week, fromK: 0, toK: 1},
	"NEXT_WEEK":    {unit: week, fromK: 1, toK: 2},
	"LAST_N_WEEKS": {unit: week, takesN: true, fromN: -1, toK: 0},
	"NEXT_N_WEEKS": {unit: week, takesN: true, fromK: 1, toK: 1, toN: 1},
	"N_WEEKS_AGO":  {unit: week, takesN: true, fromN: -1, toK: 1, toN: -1},

	"LAST_MONTH":    {unit: month, fromK: -1, toK: 0},
	"THIS_MONTH":    {unit: month, fromK: 0, toK: 1},
	"NEXT_MONTH":    {unit: month, fromK: 1, toK: 2},
	"LAST_N_MONTHS": {unit: month, takesN: true, fromN: -1, toK: 0},
	"NEXT_N_MONTHS": {unit: month, takesN: true, fromK: 1, toK: 1, toN: 1},
	"N_MONTHS_AGO":  {unit: month, takesN: true, fromN: -1, toK: 1, toN: -1},

	"LAST_QUARTER":    {unit: quarter, fromK: -1, toK: 0},
	"THIS_QUARTER":    {unit: quarter, fromK: 0, toK: 1},
	"NEXT_QUARTER":    {unit: quarter, fromK: 1, toK: 2},
	"LAST_N_QUARTERS": {unit: quarter, takesN: true, fromN: -1, toK: 0},
	"NEXT_N_QUARTERS": {unit: quarter, takesN: true, fromK: 1, toK: 1, toN: 1},
	"N_QUARTERS_AGO":  {unit: quarter, takesN: true, fromN: -1, toK: 1, toN: -1},

	"LAST_YEAR":    {unit: year, fromK: -1, toK: 0},
	"THIS_YEAR":    {unit: year, fromK: 0, toK: 1},
	"NEXT_YEAR":    {unit: year, fromK: 1, toK: 2},
	"LAST_N_YEARS": {unit: year, takesN: true, fromN: -1, toK: 0},
	"NEXT_N_YEARS": {unit: year, takesN: true, fromK: 1, toK: 1, toN: 1},
	"N_YEARS_AGO":  {unit: year, takesN: true, fromN: -1, toK: 1, toN: -1},

	"LAST_FISCAL_QUARTER":    {unit: quarter, fromK: -1, toK: 0},
	"THIS_FISCAL_QUARTER":    {unit: quarter, fromK: 0, toK: 1},
	"NEXT_FISCAL_QUARTER":    {unit: quarter, fromK: 1, toK: 2},
	"LAST_N_FISCAL_QUARTERS": {unit: quarter, takesN: true, fromN: -1, toK: 0},
	"NEXT_N_FISCAL_QUARTERS": {unit: quarter, takesN: true, fromK: 1, toK: 1, toN: 1},
	"N_FISCAL_QUARTERS_AGO":  {unit: quarter, takesN: true, fromN: -1, toK: 1, toN: -1},
	"LAST_FISCAL_YEAR":       {unit: year, fromK: -1, toK: 0},
	"THIS_FISCAL_YEAR":       {unit: year, fromK: 0, toK: 1},
	"NEXT_FISCAL_YEAR":       {unit: year, fromK: 1, toK: 2},
	"LAST_N_FISCAL_YEARS":    {unit: year, takesN: true, fromN: -1, toK: 0},
	"NEXT_N_FISCAL_YEARS":    {unit: year, takesN: true, fromK: 1, toK: 1, toN: 1},
	"N_FISCAL_YEARS_AGO":     {unit: year, takesN: true, fromN: -1, toK: 1, toN: -1},
}

// dayRange is a half-open range of UTC days [From, To), as midnights.
type dayRange struct {
	From, To time.Time
}

// rangeOf returns the days a relative date literal covers at now (UTC).
func rangeOf(name string, n int, now time.Time) (dayRange, bool) {
	spec, ok := relativeDates[name]
	if !ok {
		return dayRange{}, false
	}
	now = now.UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	from := spec.fromK + spec.fromN*n
	to := spec.toK + spec.toN*n
	switch spec.unit {
	case day:
		return dayRange{today.AddDate(0, 0, from), today.AddDate(0, 0, to)}, true
	case week:
		start := today.AddDate(0, 0, -int(today.Weekday()))
		return dayRange{start.AddDate(0, 0, 7*from), start.AddDate(0, 0, 7*to)}, true
	case month:
		start := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
		return dayRange{start.AddDate(0, from, 0), start.AddDate(0, to, 0)}, true
	case quarter:
		first := time.Month((int(today.Month())-1)/3*3 + 1)
		start := time.Date(today.Year(), first, 1, 0, 0, 0, 0, time.UTC)
		return dayRange{start.AddDate(0, 3*from, 0), start.AddDate(0, 3*to, 0)}, true
	default:
		start := time.Date(today.Year(), time.January, 1, 0, 0, 0, 0, time.UTC)
		return dayRange{start.AddDate(from, 0, 0), start.AddDate(to, 0, 0)}, true
	}
}
