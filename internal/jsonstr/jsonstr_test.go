package jsonstr

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzEncodingJSON: EncodingJSON writes what json.Marshal writes for any
// string, byte for byte; Salesforce's spelling decodes to the same string
// as encoding/json reads it.
func FuzzEncodingJSON(f *testing.F) {
	for _, s := range []string{"", "plain", `quote " back \ slash`, "<a href='x'>&amp;</a>", "\b\f\n\r\t\x00\x1f\x7f", "\u2028\u2029", "caf\xc3", "\xff\xfe", "日本語 ✓"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := Append(nil, s, EncodingJSON); string(got) != string(want) {
			t.Fatalf("Append(%q) = %s, json.Marshal %s", s, got, want)
		}
		sf := Append([]byte("x"), s, Salesforce)
		var back, viaJSON string
		if err := json.Unmarshal(sf[1:], &back); err != nil {
			t.Fatalf("Salesforce spelling of %q does not decode: %s: %v", s, sf, err)
		}
		_ = json.Unmarshal(want, &viaJSON)
		if back != viaJSON {
			t.Fatalf("Salesforce spelling of %q decodes to %q, encoding/json's to %q", s, back, viaJSON)
		}
		if strings.ContainsAny(string(sf[1:]), "\x00\n") {
			t.Fatalf("raw control character in %q", sf)
		}
	})
}

// TestSalesforceSpelling: Salesforce leaves <, > and & and writes other
// control characters as \u00XX.
func TestSalesforceSpelling(t *testing.T) {
	if got := string(Append(nil, "a<b>&\b\f\u2028", Salesforce)); got != `"a<b>&\u0008\u000c\u2028"` {
		t.Errorf("got %s", got)
	}
}
