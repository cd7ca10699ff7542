package soql

import (
	"crmsheets/internal/soqlstr"
	"strings"
	"unicode/utf8"
)

// tokenKind classifies a lexical token.
type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokString
	tokNumber
	tokDate
	tokDateTime
	tokLParen
	tokRParen
	tokComma
	tokColon
	tokOp // = != <> < <= > >=
)

// token is one lexical token; text is its source text (for a string the
// whole quoted literal), off its byte offset in the query.
type token struct {
	kind tokenKind
	text string
	off  int
}

// is reports whether t is the keyword kw (upper case), case-insensitively.
func (t token) is(kw string) bool {
	return t.kind == tokIdent && strings.EqualFold(t.text, kw)
}

// lexer splits a query into tokens. It stops at the first error.
type lexer struct {
	src string
	off int
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isIdentByte(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '_'
}
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// lexError is a lexical error at a byte offset.
type lexError struct {
	off    int
	reason string
}

// next returns the next token.
func (l *lexer) next() (token, *lexError) {
	for l.off < len(l.src) && isSpace(l.src[l.off]) {
		l.off++
	}
	start := l.off
	if start >= len(l.src) {
		return token{kind: tokEOF, off: start}, nil
	}
	c := l.src[start]
	switch {
	case c == '(':
		l.off++
		return token{tokLParen, "(", start}, nil
	case c == ')':
		l.off++
		return token{tokRParen, ")", start}, nil
	case c == ',':
		l.off++
		return token{tokComma, ",", start}, nil
	case c == ':':
		l.off++
		return token{tokColon, ":", start}, nil
	case c == '=':
		l.off++
		return token{tokOp, "=", start}, nil
	case c == '!':
		if strings.HasPrefix(l.src[start:], "!=") {
			l.off += 2
			return token{tokOp, "!=", start}, nil
		}
	case c == '<':
		for _, op := range []string{"<=", "<>", "<"} {
			if strings.HasPrefix(l.src[start:], op) {
				l.off += len(op)
				return token{tokOp, op, start}, nil
			}
		}
	case c == '>':
		for _, op := range []string{">=", ">"} {
			if strings.HasPrefix(l.src[start:], op) {
				l.off += len(op)
				return token{tokOp, op, start}, nil
			}
		}
	case c == '\'':
		return l.lexString()
	case isDigit(c) || (c == '-' || c == '+' || c == '.') && start+1 < len(l.src) && (isDigit(l.src[start+1]) || l.src[start+1] == '.'):
		return l.lexNumberOrDate()
	case isLetter(c) || c == '_':
		return l.lexIdent()
	}
	_, size := utf8.DecodeRuneInString(l.src[start:])
	return token{}, &lexError{start, "unexpected token: '" + l.src[start:start+size] + "'"}
}

// lexIdent reads a name or a dotted path such as Account.Owner.Name.
func (l *lexer) lexIdent() (token, *lexError) {
	start := l.off
	for {
		for l.off < len(l.src) && isIdentByte(l.src[l.off]) {
			l.off++
		}
		if l.off < len(l.src) && l.src[l.off] == '.' {
			if l.off+1 < len(l.src) && (isLetter(l.src[l.off+1]) || l.src[l.off+1] == '_') {
				l.off++
				continue
			}
			return token{}, &lexError{l.off, "unexpected token: '.'"}
		}
		return token{tokIdent, l.src[start:l.off], start}, nil
	}
}

// lexString reads a single-quoted string; escapes are checked here and
// decoded by unquote.
func (l *lexer) lexString() (token, *lexError) {
	start := l.off
	l.off++ // opening quote
	for l.off < len(l.src) {
		switch l.src[l.off] {
		case '\\':
			if l.off+1 >= len(l.src) {
				return token{}, &lexError{start, "unterminated string literal"}
			}
			if !soqlstr.ValidEscape(l.src[l.off+1:]) {
				return token{}, &lexError{l.off, "Invalid string literal " + stringLiteralAt(l.src[start:]) + ". Illegal character sequence '\\" + firstRune(l.src[l.off+1:]) + "' in string literal."}
			}
			l.off += 2
		case '\'':
			l.off++
			return token{tokString, l.src[start:l.off], start}, nil
		default:
			l.off++
		}
	}
	return token{}, &lexError{start, "unterminated string literal"}
}

func firstRune(s string) string {
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}

// lexNumberOrDate reads a number (optionally signed, optionally decimal), a
// date YYYY-MM-DD or a datetime YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm).
func (l *lexer) lexNumberOrDate() (token, *lexError) {
	start := l.off
	s := l.src[start:]
	if n := dateLen(s); n > 0 {
		if m := dateTimeTailLen(s[n:]); m > 0 {
			l.off += n + m
			return token{tokDateTime, s[:n+m], start}, nil
		}
		if n < len(s) && (s[n] == 'T' || s[n] == 't') {
			return token{}, &lexError{start, "invalid datetime: " + wordAt(s)}
		}
		l.off += n
		return token{tokDate, s[:n], start}, nil
	}
	i := 0
	if s[0] == '-' || s[0] == '+' {
		i++
	}
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			digits++
		}
	}
	if digits == 0 || i < len(s) && (isIdentByte(s[i]) || s[i] == '.') {
		return token{}, &lexError{start, "unexpected token: '" + wordAt(s) + "'"}
	}
	l.off += i
	return token{tokNumber, s[:i], start}, nil
}

// wordAt returns the run of non-space, non-punctuation text starting s, for
// error messages.
func wordAt(s string) string {
	i := 0
	for i < len(s) && !isSpace(s[i]) && s[i] != ',' && s[i] != ')' && s[i] != '(' {
		i++
	}
	if i == 0 {
		return firstRune(s)
	}
	return s[:i]
}

// dateLen returns 10 when s starts with dddd-dd-dd not followed by another
// digit, else 0.
func dateLen(s string) int {
	if len(s) < 10 {
		return 0
	}
	for i := 0; i < 10; i++ {
		if i == 4 || i == 7 {
			if s[i] != '-' {
				return 0
			}
		} else if !isDigit(s[i]) {
			return 0
		}
	}
	if len(s) > 10 && isDigit(s[10]) {
		return 0
	}
	return 10
}

// dateTimeTailLen returns the length of Thh:mm:ss[.f+](Z|±hh:mm|±hhmm) at
// the start of s, or 0.
func dateTimeTailLen(s string) int {
	if len(s) < 9 || (s[0] != 'T' && s[0] != 't') {
		return 0
	}
	if !isDigit(s[1]) || !isDigit(s[2]) || s[3] != ':' || !isDigit(s[4]) || !isDigit(s[5]) || s[6] != ':' || !isDigit(s[7]) || !isDigit(s[8]) {
		return 0
	}
	i := 9
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == i+1 {
			return 0
		}
		i = j
	}
	if i < len(s) && (s[i] == 'Z' || s[i] == 'z') {
		i++
	} else if i < len(s) && (s[i] == '+' || s[i] == '-') {
		t := s[i+1:]
		switch {
		case len(t) >= 5 && isDigit(t[0]) && isDigit(t[1]) && t[2] == ':' && isDigit(t[3]) && isDigit(t[4]):
			i += 6
		case len(t) >= 4 && isDigit(t[0]) && isDigit(t[1]) && isDigit(t[2]) && isDigit(t[3]):
			i += 5
		default:
			return 0
		}
	} else {
		return 0
	}
	if i < len(s) && (isIdentByte(s[i]) || s[i] == '.' || s[i] == ':') {
		return 0
	}
	return i
}

// stringLiteralAt returns the quoted literal starting s, up to its closing
// quote (or the end of s), for error messages.
func stringLiteralAt(s string) string {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '\'':
			return s[:i+1]
		}
	}
	return s
}
