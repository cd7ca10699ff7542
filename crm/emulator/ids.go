package emulator

import (
	"strings"

	"crmsheets/internal/sfid"
)

// Key prefixes of the objects of the demo org, as Salesforce assigns them
// (API-REFERENCE.md §11 and checklist item 9).
const (
	PrefixAccount      = "001"
	PrefixContact      = "003"
	PrefixLead         = "00Q"
	PrefixOpportunity  = "006"
	PrefixTask         = "00T"
	PrefixCase         = "500"
	PrefixCaseComment  = "00a"
	PrefixUser         = "005"
	PrefixOrg          = "00D"
	PrefixProfile      = "00e"
	PrefixQueryLocator = "01g"
	PrefixBulkJob      = "750"
	PrefixSubscription = "a0X"
)

// ErrMalformedID reports a string that is not a 15- or 18-character
// Salesforce id, or an 18-character id whose checksum suffix is wrong. It is
// internal/sfid's sentinel: the demo org and the client share one rule set.
var ErrMalformedID = sfid.ErrMalformed

// base62 is in ASCII order so that ids built from increasing counters sort
// lexically in creation order.
const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// idPod is the two "instance" characters after the key prefix, as in the
// real id 0015500001QdZPKAA3.
const idPod = "5g"

// IDChecksum returns the three-character case-safety suffix of a 15-character
// id (internal/sfid holds the rule). It does not validate the characters;
// use Normalize18 for input.
func IDChecksum(id15 string) string { return sfid.Checksum(id15) }

// Normalize18 turns a 15- or 18-character id into its canonical 18-character
// form by internal/sfid's rules (the one copy): the suffix is checked in any
// letter case, and an 18-character id folded to one case is restored from
// its suffix, since Salesforce treats the 18-character form as
// case-insensitive (API-REFERENCE.md §11). Anything else fails with
// ErrMalformedID.
func Normalize18(id string) (string, error) { return sfid.To18(id) }

// newID builds the n-th id (n ≥ 1) of an object with the given key prefix.
func newID(prefix string, n uint64) string {
	var b [15]byte
	copy(b[:], prefix)
	copy(b[3:], idPod)
	for i := 14; i >= 5; i-- {
		b[i] = base62[n%62]
		n /= 62
	}
	return string(b[:]) + IDChecksum(string(b[:]))
}

// idCounter recovers the counter n of an id built by newID, so that a store
// reloaded from disk continues numbering after its highest id. ok is false
// for ids this package did not build.
func idCounter(id string) (n uint64, ok bool) {
	if len(id) < 15 || id[3:5] != idPod {
		return 0, false
	}
	for i := 5; i < 15; i++ {
		d := strings.IndexByte(base62, id[i])
		if d < 0 {
			return 0, false
		}
		n = n*62 + uint64(d)
	}
	return n, true
}
