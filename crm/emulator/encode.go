package emulator

import (
	"strconv"

	"crmsheets/internal/jsonstr"
)

// Hand-written JSON encoding of records: query pages are the hot path
// (benchmarked against encoding/json in bench_test.go), and Salesforce's
// number spelling needs per-field control anyway.

// appendString appends s as a JSON string. Like Salesforce (and unlike
// encoding/json) it leaves <, > and & alone; invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	return jsonstr.Append(b, s, jsonstr.Salesforce)
}

// appendValue appends a stored value of field f. Numbers of double,
// currency and percent fields keep a decimal point ("23.0") as Salesforce
// writes them; int fields are written as integers.
func appendValue(b []byte, f *Field, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case float64:
		if f != nil && f.Type == typeInt {
			return strconv.AppendInt(b, int64(x), 10)
		}
		return appendDouble(b, x)
	}
	return append(b, "null"...)
}

func appendDouble(b []byte, x float64) []byte {
	start := len(b)
	b = strconv.AppendFloat(b, x, 'f', -1, 64)
	if abs := x; abs > 1e21 || abs < -1e21 {
		b = strconv.AppendFloat(b[:start], x, 'E', -1, 64)
		return b
	}
	for _, c := range b[start:] {
		if c == '.' {
			return b
		}
	}
	return append(b, '.', '0')
}

// appendAttributes appends "attributes":{"type":…,"url":…}.
func appendAttributes(b []byte, o *Object, id, base string) []byte {
	b = append(b, `"attributes":{"type":`...)
	b = appendString(b, o.Name)
	if id != "" {
		b = append(b, `,"url":"`...)
		b = append(b, base...)
		b = append(b, "/sobjects/"...)
		b = append(b, o.Name...)
		b = append(b, '/')
		b = append(b, id...)
		b = append(b, '"')
	}
	return append(b, '}')
}

// appendFlatRecord appends a record with its attributes and the selected
// fields (all fields when sel is nil), as GET /sobjects/{o}/{id} returns it.
func appendFlatRecord(b []byte, o *Object, r *record, base string, sel []*Field) []byte {
	b = append(b, '{')
	b = appendAttributes(b, o, r.id(o), base)
	if sel == nil {
		sel = o.Fields
	}
	for _, f := range sel {
		b = append(b, ',', '"')
		b = append(b, f.Name...)
		b = append(b, '"', ':')
		b = appendValue(b, f, r.vals[f.index])
	}
	return append(b, '}')
}
