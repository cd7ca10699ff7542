package app

import "testing"

// TestPointAtFilter: Salesforce's caret is placed in the query the app
// built; the message must point into the person's own filter text.
func TestPointAtFilter(t *testing.T) {
	q := "SELECT COUNT() FROM Contact WHERE (LastName = 'Smith' ANDD Email != null)"
	where := "LastName = 'Smith' ANDD Email != null"
	// Salesforce's framing: the query, a caret, the position, the reason.
	msg := "\n" + q + "\n" + "                                                     ^\nERROR at Row:1:Column:55\nunexpected token: 'ANDD'"
	want := "unexpected token: 'ANDD'\nLastName = 'Smith' ANDD Email != null\n                   ^"
	if got := pointAtFilter(q, where, msg); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// Stopped at the bracket the app added: the end of the filter.
	q2 := "SELECT COUNT() FROM Contact WHERE (LastName =)"
	msg2 := "\n" + q2 + "\n^\nERROR at Row:1:Column:46\nunexpected token: ')'"
	if got := pointAtFilter(q2, "LastName =", msg2); got != "unexpected token: ')' — at the end of the filter: is a condition or a quote missing?" {
		t.Errorf("end: %q", got)
	}
	// A second line of a multi-line filter.
	q3 := "SELECT COUNT() FROM Contact WHERE (LastName = 'x'\nAND Emial = 'y')"
	msg3 := "\n" + "AND Emial = 'y')" + "\n    ^\nERROR at Row:2:Column:5\nNo such column 'Emial' on entity 'Contact'"
	if got := pointAtFilter(q3, "LastName = 'x'\nAND Emial = 'y'", msg3); got != "No such column 'Emial' on entity 'Contact'\nAND Emial = 'y'\n    ^" {
		t.Errorf("second line: %q", got)
	}
	if got := pointAtFilter(q, where, "INVALID_FIELD: no position"); got != "INVALID_FIELD: no position" {
		t.Errorf("no position: %q", got)
	}
}
