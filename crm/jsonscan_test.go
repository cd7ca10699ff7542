package crm

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// decodeAny is jsonScan over a whole text: one value, then only space.
func decodeAny(b []byte) (any, error) {
	p := &jsonScan{s: string(b)}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if p.space(); p.i != len(p.s) {
		return nil, p.fail("text after the value")
	}
	return v, nil
}

// FuzzJSONScanMatchesEncodingJSON: on any input, jsonScan accepts what
// encoding/json accepts, rejects what it rejects, and gives the same value.
func FuzzJSONScanMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{
		`{"attributes":{"type":"Contact","url":"/services/data/v66.0/sobjects/Contact/003"},"Id":"003","Email":"a@b.c","Amount":12.5,"IsDeleted":false,"Account":null}`,
		`{"Name":"Zoë \u00e9\ud83d\ude00 \"q\" \\ \/","N":-0.0e+10,"M":1E400,"L":[1,2,{"a":[]}],"x":"\xff"}`,
		`[]`, `{}`, `"\ud800"`, `01`, `1.`, `-`, `tru`, `{"a":1,}`, `[1 2]`, "\"a\tb\"", `{"a":1,"a":2}`, ` 3 `, `{"a"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want any
		wantErr := json.Unmarshal(b, &want)
		got, gotErr := decodeAny(b)
		if (wantErr == nil) != (gotErr == nil) {
			t.Fatalf("%q: encoding/json error %v, jsonScan error %v", b, wantErr, gotErr)
		}
		if wantErr == nil {
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("%q (-encoding/json +jsonScan):\n%s", b, diff)
			}
		}
	})
}

func BenchmarkDecodeQueryRecord(b *testing.B) {
	rec := []byte(`{"attributes":{"type":"Contact","url":"/services/data/v66.0/sobjects/Contact/0035g00000ABCDEAAA"},"Id":"0035g00000ABCDEAAA","LastModifiedDate":"2026-11-30T10:00:00.000+0000","SystemModstamp":"2026-11-30T10:00:00.000+0000","IsDeleted":false,"FirstName":"Ann","LastName":"Smith","Email":"ann.smith@example.com","Phone":"(555) 010-2030","Title":"VP Sales","Department":"Sales","MailingCity":"Paris","Account":{"attributes":{"type":"Account","url":"/x"},"Name":"Acme"},"NumberOfEmployees":120}`)
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m map[string]any
			if err := json.Unmarshal(rec, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("jsonScan", func(b *testing.B) {
		p := &jsonScan{s: string(rec)}
		b.ReportAllocs()
		for b.Loop() {
			p.i = 0 // records of a page: the scanner knows their size
			if _, err := p.object(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
