package xlsx

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"crmsheets/sheets"
)

const (
	dateLayout = sheets.DateLayout
	msPerDay   = 24 * 60 * 60 * 1000
)

var formatNumber = sheets.FormatNumber

// Day zero of Excel's two date systems. In the 1900 system Excel counts
// 1900-02-29, a day that never was (Lotus 1-2-3's bug), so serials from 61
// on count from 1899-12-30 and serials below 60 from 1899-12-31.
var (
	epoch1900 = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	epoch1904 = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
)

// errSerial is a serial outside Excel's calendar.
var errSerial = errors.New("not a date Excel can show")

// serialParts splits a serial into a calendar day (UTC midnight) and the
// milliseconds into it, rounded to the millisecond.
func serialParts(serial float64, date1904 bool) (time.Time, int64, error) {
	if math.IsNaN(serial) || serial < 0 || serial >= 2958466 { // 9999-12-31 is Excel's last day
		return time.Time{}, 0, fmt.Errorf("serial %v: %w", serial, errSerial)
	}
	ms := int64(math.Round(serial * msPerDay))
	days, rest := ms/msPerDay, ms%msPerDay
	if date1904 {
		return epoch1904.AddDate(0, 0, int(days)), rest, nil
	}
	switch {
	case days == 60:
		return time.Time{}, 0, fmt.Errorf("serial 60 is 1900-02-29, a day that does not exist: %w", errSerial)
	case days < 60:
		if days == 0 {
			return time.Time{}, 0, fmt.Errorf("serial 0 is Excel's day zero, not a date: %w", errSerial)
		}
		return epoch1900.AddDate(0, 0, int(days)+1), rest, nil
	}
	return epoch1900.AddDate(0, 0, int(days)), rest, nil
}

// serialDate converts a serial to a canonical date. A time of day in the
// serial is dropped: a date-formatted cell shows a day, and the day is the
// same in every zone.
func serialDate(serial float64, date1904 bool) (string, error) {
	day, _, err := serialParts(serial, date1904)
	if err != nil {
		return "", err
	}
	return day.Format(dateLayout), nil
}

// serialDateTime converts a serial holding a wall-clock time in loc to a
// canonical UTC datetime.
func serialDateTime(serial float64, date1904 bool, loc *time.Location) (string, error) {
	day, ms, err := serialParts(serial, date1904)
	if err != nil {
		return "", err
	}
	return wallClock(day, ms, loc), nil
}

// wallClock is the canonical UTC datetime of a wall clock ms milliseconds
// into a day in loc. It builds the clock reading (not midnight plus a
// duration), so a day with a daylight-saving switch keeps its times.
func wallClock(day time.Time, ms int64, loc *time.Location) string {
	h, m, s, milli := int(ms/3_600_000), int(ms/60_000%60), int(ms/1000%60), int(ms%1000)
	t := time.Date(day.Year(), day.Month(), day.Day(), h, m, s, milli*1_000_000, loc)
	return t.UTC().Format(sheets.DateTimeLayout)
}

// serialClock shows the time part of a time-formatted serial.
func serialClock(serial float64) string {
	ms := int64(math.Round(math.Abs(serial) * msPerDay))
	if ms >= msPerDay {
		// a duration over a day: keep hours counting
		h := ms / 3_600_000
		return fmt.Sprintf("%d:%02d:%02d", h, ms/60_000%60, ms/1000%60)
	}
	return time.Time{}.Add(time.Duration(ms) * time.Millisecond).Format("15:04:05")
}

// toSerial is the inverse of serialParts for export (1900 system): the day
// and, for datetimes, the fraction of the day.
func toSerial(t time.Time) float64 {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	days := float64((day.Unix() - epoch1900.Unix()) / 86400) // not Sub: a Duration overflows past 292 years
	if days < 61 {
		days-- // before 1900-03-01 Excel's serials are one lower
	}
	ms := t.Hour()*3_600_000 + t.Minute()*60_000 + t.Second()*1000 + t.Nanosecond()/1_000_000
	return math.Round(days) + float64(ms)/msPerDay
}

// firstSafeDay is the first day whose serial means the same day in every
// spreadsheet. Excel's 1900 system counts a 1900-02-29 that never was, so
// its serials below 61 are one day off from LibreOffice's (which counts
// from 1899-12-30 without it) and from anything computing dates from the
// serial: 1900-02-28 is 59 in Excel and shows as 1900-02-27 in LibreOffice.
// Earlier dates are exported as text, as years before 1900 (which have no
// serial at all) already are.
var firstSafeDay = time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)

// serialSafe reports whether a date or wall-clock datetime can be written
// as a serial that every spreadsheet shows as the same day.
func serialSafe(t time.Time) bool {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return !day.Before(firstSafeDay)
}

// excelSerial is the serial written for t, rounded to the 15 significant
// digits Excel and LibreOffice keep. Written with Go's shortest round-trip
// form (17 digits, e.g. 45382.104166666664 for 2024-03-31 02:30:00), the
// spreadsheet cuts the extra digits off instead of rounding them
// (45382.1041666666) and shows 02:29:59; rounded first it stores
// 45382.1041666667, which is 02:30:00 to well under a millisecond.
func excelSerial(t time.Time) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(toSerial(t), 'g', 15, 64), 64)
	return f
}

// DateFormat is the order of day, month and year in a column of text dates.
// Its string form is shown to users choosing the format of an ambiguous
// column.
type DateFormat string

// Text date formats the importer recognises. Day and month may have one or
// two digits; years have four (two-digit years are never guessed). A time
// ("14:05", "14:05:09", "14:05:09.123") may follow the date after a space or
// "T"; a column with times is a datetime column, read in
// ReadOptions.Location.
const (
	DateISO      DateFormat = "YYYY-MM-DD"
	DateYMDSlash DateFormat = "YYYY/MM/DD"
	DateYMDDot   DateFormat = "YYYY.MM.DD"
	DateMDYSlash DateFormat = "MM/DD/YYYY"
	DateDMYSlash DateFormat = "DD/MM/YYYY"
	DateMDYDash  DateFormat = "MM-DD-YYYY"
	DateDMYDash  DateFormat = "DD-MM-YYYY"
	DateDMYDot   DateFormat = "DD.MM.YYYY"
)

// DateFormats lists the recognised formats in the order detection prefers
// them when several fit a column unambiguously.
var DateFormats = []DateFormat{DateISO, DateYMDSlash, DateYMDDot, DateMDYSlash, DateDMYSlash, DateMDYDash, DateDMYDash, DateDMYDot}

// dateOrder says where year, month and day sit and what separates them.
type dateOrder struct {
	sep     byte
	y, m, d int        // field positions 0..2
	mirror  DateFormat // the format with day and month swapped, when one exists
}

var dateOrders = map[DateFormat]dateOrder{
	DateISO:      {sep: '-', y: 0, m: 1, d: 2},
	DateYMDSlash: {sep: '/', y: 0, m: 1, d: 2},
	DateYMDDot:   {sep: '.', y: 0, m: 1, d: 2},
	DateMDYSlash: {sep: '/', m: 0, d: 1, y: 2, mirror: DateDMYSlash},
	DateDMYSlash: {sep: '/', d: 0, m: 1, y: 2, mirror: DateMDYSlash},
	DateMDYDash:  {sep: '-', m: 0, d: 1, y: 2, mirror: DateDMYDash},
	DateDMYDash:  {sep: '-', d: 0, m: 1, y: 2, mirror: DateMDYDash},
	DateDMYDot:   {sep: '.', d: 0, m: 1, y: 2},
}

// Valid reports whether f is one of the recognised formats.
func (f DateFormat) Valid() bool { _, ok := dateOrders[f]; return ok }

// textDate is a text date split into its date and optional time parts.
type textDate struct {
	fields  [3]int
	widths  [3]int
	sep     byte
	hasTime bool
	clock   int64 // milliseconds into the day
}

// splitTextDate reads "d1<sep>d2<sep>d3[( |T)time]" without deciding the
// order of the fields.
func splitTextDate(s string) (textDate, bool) {
	var td textDate
	s = strings.TrimSpace(s)
	datePart, timePart := s, ""
	if i := strings.IndexAny(s, " T"); i >= 0 {
		datePart, timePart = s[:i], strings.TrimSpace(s[i+1:])
		if timePart == "" {
			return td, false
		}
	}
	f := 0
	for i := 0; i < len(datePart); i++ {
		c := datePart[i]
		switch {
		case c >= '0' && c <= '9':
			if td.widths[f] >= 4 {
				return td, false
			}
			td.fields[f] = td.fields[f]*10 + int(c-'0')
			td.widths[f]++
		case c == '-' || c == '/' || c == '.':
			if f == 2 || td.widths[f] == 0 || (td.sep != 0 && td.sep != c) {
				return td, false
			}
			td.sep = c
			f++
		default:
			return td, false
		}
	}
	if f != 2 || td.widths[2] == 0 {
		return td, false
	}
	if timePart != "" {
		var ok bool
		if td.clock, ok = parseClock(timePart); !ok {
			return td, false
		}
		td.hasTime = true
	}
	return td, true
}

// parseClock reads "15:04", "15:04:05" or "15:04:05.999".
func parseClock(s string) (int64, bool) {
	for _, layout := range []string{"15:04", "15:04:05", "15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return int64(t.Hour())*3_600_000 + int64(t.Minute())*60_000 + int64(t.Second())*1000 + int64(t.Nanosecond()/1_000_000), true
		}
	}
	return 0, false
}

// in returns the calendar day of td read in format f.
func (td textDate) in(f DateFormat) (time.Time, bool) {
	o, ok := dateOrders[f]
	if !ok || o.sep != td.sep || td.widths[o.y] != 4 || td.widths[o.m] > 2 || td.widths[o.d] > 2 {
		return time.Time{}, false
	}
	y, m, d := td.fields[o.y], td.fields[o.m], td.fields[o.d]
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 31 April rolls over
		return time.Time{}, false
	}
	return t, true
}

// canonical returns the canonical date, or datetime when td has a time
// (wall clock in loc).
func (td textDate) canonical(f DateFormat, loc *time.Location) (string, bool) {
	day, ok := td.in(f)
	if !ok {
		return "", false
	}
	if !td.hasTime {
		return day.Format(dateLayout), true
	}
	return wallClock(day, td.clock, loc), true
}

// parseWallDateTime reads an ISO datetime; one without a zone is a wall
// clock in loc.
func parseWallDateTime(s string, loc *time.Location) (string, error) {
	if t, err := sheets.ParseDateTime(s); err == nil {
		return t.UTC().Format(sheets.DateTimeLayout), nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC().Format(sheets.DateTimeLayout), nil
		}
	}
	return "", fmt.Errorf("%q is not an ISO 8601 datetime", s)
}
