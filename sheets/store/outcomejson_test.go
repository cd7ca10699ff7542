package store

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"testing"

	"crmsheets/sheets"
)

// TestOutcomeJSONFields pins the fields appendOutcomeJSON writes: a field
// added to (or retagged in) sheets.RecordOutcome must be added to the
// encoder too, or it would silently not be stored.
func TestOutcomeJSONFields(t *testing.T) {
	want := []string{
		`json:"runId"`, `json:"seq"`, `json:"rowId,omitempty"`, `json:"recordId,omitempty"`,
		`json:"op"`, `json:"ok"`, `json:"statusCode,omitempty"`, `json:"message,omitempty"`,
		`json:"fields,omitempty"`, `json:"before,omitempty"`, `json:"after,omitempty"`,
	}
	typ := reflect.TypeFor[sheets.RecordOutcome]()
	var got []string
	for f := range typ.Fields() {
		got = append(got, `json:"`+f.Tag.Get("json")+`"`)
	}
	if !slices.Equal(got, want) {
		t.Errorf("RecordOutcome's fields are %v; appendOutcomeJSON writes %v: update it", got, want)
	}
}

// checkOutcomeJSON fails unless appendOutcomeJSON writes what json.Marshal
// does, and appends after what the buffer holds.
func checkOutcomeJSON(t *testing.T, o sheets.RecordOutcome) {
	t.Helper()
	want, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	got := appendOutcomeJSON([]byte("prefix"), &o, &keys)
	if !bytes.Equal(got[6:], want) || string(got[:6]) != "prefix" {
		t.Fatalf("outcome %#v\nencoded %s\nwant    %s", o, got[6:], want)
	}
}

func TestOutcomeJSONMatchesMarshal(t *testing.T) {
	for _, o := range outcomeSeeds() {
		checkOutcomeJSON(t, o)
	}
}

// outcomeSeeds are outcomes exercising every field, omitted and present,
// and every escape of encoding/json.
func outcomeSeeds() []sheets.RecordOutcome {
	all := ""
	for c := range 0x80 {
		all += string(rune(c))
	}
	return []sheets.RecordOutcome{
		{},
		{RunID: 1, Seq: 1, RowID: 7, RecordID: "003Ab000000001xAAQ", Op: sheets.OpUpdate, OK: true,
			Fields: []string{"Title"}, Before: map[string]string{"Title": "old"}, After: map[string]string{"Title": "new"}},
		{RunID: math.MaxUint64, Seq: math.MinInt64, RowID: math.MaxUint64, Op: sheets.OpInvalid,
			StatusCode: "REQUIRED_FIELD_MISSING", Message: "Required fields are missing: [LastName]", Fields: []string{"LastName", "Email"}},
		{Seq: -1, Fields: []string{}, Before: map[string]string{}, After: map[string]string{}}, // empty, not nil: omitted
		{Message: all, RecordID: "<script>&amp;</script>", Op: "\u2028\u2029\u2027\u202a"},
		{Message: "\xff\xfe invalid \xc3 utf-8 \xe2\x80 cut \xed\xa0\x80 surrogate \xf4\x90\x80\x80 too big"},
		{Message: "ünïcödé ✓ 🎉 \x7f \u00a0", Fields: []string{"", "\"quoted\"", `back\slash`}},
		{Before: map[string]string{"b": "2", "a": "1", "B": "3", "": "empty", "ä": "<", "a\x00": "nul", "\u2028": "ls"},
			After: map[string]string{"z": "", "\xff": "bad key"}},
	}
}

// FuzzOutcomeJSON checks appendOutcomeJSON against json.Marshal for
// arbitrary outcomes. Fields and maps are cut from strings: each piece's
// length is its leading byte mod 8, so every byte can appear anywhere.
func FuzzOutcomeJSON(f *testing.F) {
	join := func(parts []string) string {
		var b []byte
		for _, p := range parts {
			b = append(b, byte(len(p)))
			b = append(b, p...)
		}
		return string(b)
	}
	for _, o := range outcomeSeeds() {
		var before, after []string
		for k, v := range o.Before {
			before = append(before, k, v)
		}
		for k, v := range o.After {
			after = append(after, k, v)
		}
		f.Add(o.RunID, o.Seq, uint64(o.RowID), o.RecordID, o.Op, o.OK, o.StatusCode, o.Message,
			join(o.Fields), join(before), join(after))
	}
	f.Fuzz(func(t *testing.T, runID uint64, seq int, rowID uint64, recordID, op string, ok bool,
		statusCode, message, fields, before, after string) {
		o := sheets.RecordOutcome{RunID: runID, Seq: seq, RowID: sheets.RowID(rowID), RecordID: recordID,
			Op: op, OK: ok, StatusCode: statusCode, Message: message, Fields: fuzzPieces(fields),
			Before: fuzzMap(before), After: fuzzMap(after)}
		checkOutcomeJSON(t, o)
	})
}

// fuzzPieces cuts s into pieces, each its leading byte mod 8 long (less at
// the end); nil for "".
func fuzzPieces(s string) []string {
	var out []string
	for len(s) > 0 {
		n := min(int(s[0]%8), len(s)-1)
		out = append(out, s[1:1+n])
		s = s[1+n:]
	}
	return out
}

// fuzzMap pairs the pieces of s as keys and values; nil for "".
func fuzzMap(s string) map[string]string {
	p := fuzzPieces(s)
	if p == nil {
		return nil
	}
	m := map[string]string{}
	for i := 0; i < len(p); i += 2 {
		v := ""
		if i+1 < len(p) {
			v = p[i+1]
		}
		m[p[i]] = v
	}
	return m
}
