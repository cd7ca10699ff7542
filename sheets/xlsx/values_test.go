package xlsx

import (
	"testing"
	"time"
)

func TestSerialDate(t *testing.T) {
	tests := []struct {
		serial   float64
		date1904 bool
		want     string
		wantErr  bool
	}{
		{1, false, "1900-01-01", false},
		{59, false, "1900-02-28", false},
		{60, false, "", true}, // 1900-02-29 never was
		{61, false, "1900-03-01", false},
		{36526, false, "2000-01-01", false},
		{45382, false, "2024-03-31", false},
		{45382.99, false, "2024-03-31", false}, // a time never moves the day
		{0, true, "1904-01-01", false},
		{43920, true, "2024-03-31", false},
		{0, false, "", true},
		{-1, false, "", true},
		{3e6, false, "", true},
	}
	for _, tt := range tests {
		got, err := serialDate(tt.serial, tt.date1904)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("serialDate(%v, 1904=%v) = %q, %v; want %q (error %v)", tt.serial, tt.date1904, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestToSerialInvertsSerialDate(t *testing.T) {
	for _, d := range []string{"1900-01-01", "1900-02-28", "1900-03-01", "2000-02-29", "2024-03-31", "9999-12-31"} {
		day, _ := time.Parse(dateLayout, d)
		got, err := serialDate(toSerial(day), false)
		if err != nil || got != d {
			t.Errorf("%s → %v → %q, %v", d, toSerial(day), got, err)
		}
	}
	at := time.Date(2024, 3, 31, 14, 5, 9, 0, time.UTC)
	got, err := serialDateTime(toSerial(at), false, time.UTC)
	if err != nil || got != "2024-03-31T14:05:09.000Z" {
		t.Errorf("datetime round trip: %q, %v", got, err)
	}
}

func TestClassifyFormat(t *testing.T) {
	tests := []struct {
		code string
		want numKind
	}{
		{"General", numPlain},
		{"0.00", numPlain},
		{"#,##0.00 [$€-407]", numPlain},
		{`_("$"* #,##0.00_)`, numPlain},
		{"0%", numPlain},
		{"@", numPlain},
		{"yyyy-mm-dd", numDate},
		{"d mmm yyyy", numDate},
		{"[$-409]mmmm d, yyyy;@", numDate},
		{"mmm-yy", numDate},
		{"dd/mm/yyyy hh:mm", numDateTime},
		{"yyyy-mm-dd hh:mm:ss", numDateTime},
		{"h:mm AM/PM", numTime},
		{"[h]:mm:ss", numTime},
		{`[Red]0.00;"Dues "0`, numPlain},
		{`"day" 0`, numPlain},
		{`0\d`, numPlain},
	}
	for _, tt := range tests {
		if got := classifyFormat(tt.code); got != tt.want {
			t.Errorf("classifyFormat(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestRecordID18(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"0012300000bVTph", "0012300000bVTphAAG", true}, // vector shared with the crm package
		{"0012300000bVTphAAG", "0012300000bVTphAAG", true},
		{"0012300000BVTPHAAG", "0012300000bVTphAAG", true}, // upper-cased in Excel: the checksum restores the case
		{"0012300000bvtphaag", "0012300000bVTphAAG", true},
		{"0012300000bVTph!!!", "", false},
		{"00123000001VTphAAG", "00123000001VTphAAG", true},
		{"0012300000bVTphZZZ", "", false}, // Z marks upper-case digits
		{"short", "", false},
		{"0012300000bVTphAA", "", false},
	}
	for _, tt := range tests {
		got, ok := recordID18(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("recordID18(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNumberText(t *testing.T) {
	for s, want := range map[string]bool{
		"12": true, "-3.5": true, "0": true, "0.25": true, "1e3": true,
		"00123": false, "+4912345": false, "1,234": false, "12 apples": false, "1234567890123456": false, "": false,
	} {
		if got := numberText(s); got != want {
			t.Errorf("numberText(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestUnescapeOOXML(t *testing.T) {
	for in, want := range map[string]string{
		"a_x000D_b":    "a\rb",
		"_x005F_x0041": "_x0041",
		"no escapes":   "no escapes",
		"_xZZZZ_":      "_xZZZZ_",
		"tail_x00":     "tail_x00",
	} {
		if got := unescapeOOXML(in); got != want {
			t.Errorf("unescapeOOXML(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitTextDate(t *testing.T) {
	tests := []struct {
		in   string
		f    DateFormat
		want string
	}{
		{"2024-03-31", DateISO, "2024-03-31"},
		{"31.3.2024", DateDMYDot, "2024-03-31"},
		{"3/31/2024 14:05", DateMDYSlash, "2024-03-31T14:05:00.000Z"},
		{"31/03/2024T23:59:59.5", DateDMYSlash, "2024-03-31T23:59:59.500Z"},
		{"31/04/2024", DateDMYSlash, ""}, // no 31 April
		{"2024-3-31", DateDMYDash, ""},
		{"1/2/24", DateMDYSlash, ""}, // two-digit years are never guessed
		{"2024/03-31", DateISO, ""},
	}
	for _, tt := range tests {
		got := ""
		if td, ok := splitTextDate(tt.in); ok {
			got, _ = td.canonical(tt.f, time.UTC)
		}
		if got != tt.want {
			t.Errorf("%q as %s = %q, want %q", tt.in, tt.f, got, tt.want)
		}
	}
}

// FuzzTextDate: any text either fails to split or reads, in every format
// it fits, as a canonical date that sheets.Parse accepts.
func FuzzTextDate(f *testing.F) {
	for _, s := range []string{"2024-03-31", "3/31/2024", "31.12.1999 23:59", "0/0/0000", "9999-12-31T24:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		td, ok := splitTextDate(s)
		if !ok {
			return
		}
		for _, df := range DateFormats {
			v, ok := td.canonical(df, time.UTC)
			if !ok {
				continue
			}
			layout := dateLayout
			if td.hasTime {
				layout = "2006-01-02T15:04:05.000Z"
			}
			if _, err := time.Parse(layout, v); err != nil {
				t.Fatalf("%q as %s = %q, not canonical: %v", s, df, v, err)
			}
		}
	})
}
