package soql

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Salesforce error codes an [*Error] carries. The emulator puts Code in the
// "errorCode" member of its JSON error body, unchanged.
const (
	// CodeMalformedQuery reports a syntax error or an unsupported construct.
	CodeMalformedQuery = "MALFORMED_QUERY"
	// CodeInvalidField reports an unknown field, or a literal whose type does
	// not fit the field it is compared with.
	CodeInvalidField = "INVALID_FIELD"
	// CodeInvalidType reports an unknown sObject in FROM.
	CodeInvalidType = "INVALID_TYPE"
	// CodeInvalidFilterOperator reports an operator the field's type does not
	// support (LIKE on a number, INCLUDES on a text field) or a malformed id
	// literal compared with an id field.
	CodeInvalidFilterOperator = "INVALID_QUERY_FILTER_OPERATOR"
)

// Error is a query error as Salesforce reports it: an errorCode and a message
// that echoes the offending line of the query, a caret under the offending
// token, "ERROR at Row:r:Column:c" and the reason, for example
//
//	"\nSELECT Id FORM Account\n          ^\nERROR at Row:1:Column:11\nunexpected token: 'FORM'"
//
// Row and Column are 1-based and count characters (runes) of the query text.
// Callers branch on Code (see the Code constants) and send Message verbatim.
type Error struct {
	Code    string
	Message string
	Row     int
	Column  int
	// Reason is the last line of Message (e.g. "unexpected token: 'FORM'"),
	// kept separately so tests and logs need not parse the framing.
	Reason string
}

// Error returns "CODE: message", the way Salesforce clients print these
// errors.
func (e *Error) Error() string {
	return e.Code + ": " + e.Message
}

// Pos is a 1-based row and column (in runes) of a token in the query text.
// The zero Pos means "unknown" (nodes built by hand rather than parsed).
type Pos struct {
	Row, Column int
}

// lineIndex maps byte offsets of a text to rows and columns. Offsets asked
// in increasing order (as the parser does) cost time linear in the text
// overall; others cost O(log rows + row length).
type lineIndex struct {
	src    string
	starts []int // byte offset of each row's first byte
	// lastOff and last are the previous answer, the start of the next count.
	lastOff int
	last    Pos
}

func newLineIndex(src string) *lineIndex {
	starts := []int{0}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &lineIndex{src: src, starts: starts, last: Pos{Row: 1, Column: 1}}
}

func (li *lineIndex) pos(offset int) Pos {
	offset = min(max(offset, 0), len(li.src))
	row := sort.Search(len(li.starts), func(i int) bool { return li.starts[i] > offset }) // 1-based row
	start := li.starts[row-1]
	var p Pos
	if li.last.Row == row && li.lastOff <= offset && li.lastOff >= start {
		p = Pos{Row: row, Column: li.last.Column + utf8.RuneCountInString(li.src[li.lastOff:offset])}
	} else {
		p = Pos{Row: row, Column: utf8.RuneCountInString(li.src[start:offset]) + 1}
	}
	li.lastOff, li.last = offset, p
	return p
}

// newError builds an *Error framed the way Salesforce frames query errors:
// the row's text, a caret under the column, the position line and the reason.
func newError(code, src string, at Pos, reason string) *Error {
	if at.Row == 0 {
		return &Error{Code: code, Message: reason, Reason: reason}
	}
	lines := strings.Split(src, "\n")
	line := ""
	if at.Row-1 < len(lines) {
		line = strings.TrimRight(lines[at.Row-1], "\r")
	}
	msg := fmt.Sprintf("\n%s\n%s^\nERROR at Row:%d:Column:%d\n%s",
		line, strings.Repeat(" ", at.Column-1), at.Row, at.Column, reason)
	return &Error{Code: code, Message: msg, Row: at.Row, Column: at.Column, Reason: reason}
}
