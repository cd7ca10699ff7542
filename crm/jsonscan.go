package crm

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// jsonScan decodes JSON values into the types encoding/json gives an any
// (map[string]any, []any, string, float64, bool, nil), with its results
// and its errors, for query pages: the pull's hot path, where decoding by
// reflection cost more CPU than everything else the client does per record.
// The page is one string; text without escapes, and keys, are substrings
// of it, not copies. Strings with escapes or bytes outside ASCII that are
// not valid UTF-8 go through encoding/json itself, so the rare cases keep
// its exact semantics (a fuzz test compares the two on arbitrary input).
type jsonScan struct {
	s     string
	i     int
	depth int
	// sizes are the key counts of the last objects decoded at the first
	// depths: records of a page share their shape, so each map is made at
	// its final size instead of growing two or three times
	sizes [4]int
}

// errJSONSyntax is the error of text that is not JSON.
var errJSONSyntax = errors.New("invalid JSON")

// maxJSONDepth is encoding/json's nesting limit.
const maxJSONDepth = 10000

func (p *jsonScan) fail(what string) error {
	return fmt.Errorf("%w: %s at offset %d", errJSONSyntax, what, p.i)
}

func (p *jsonScan) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte (0 at the end).
func (p *jsonScan) peek() byte {
	p.space()
	if p.i >= len(p.s) {
		return 0
	}
	return p.s[p.i]
}

// value decodes the next value.
func (p *jsonScan) value() (any, error) {
	switch c := p.peek(); {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		return p.str()
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	}
	return nil, p.fail("value expected")
}

func (p *jsonScan) literal(word string) error {
	if len(p.s)-p.i < len(word) || p.s[p.i:p.i+len(word)] != word {
		return p.fail("bad literal")
	}
	p.i += len(word)
	return nil
}

func (p *jsonScan) enter() error {
	p.depth++
	if p.depth > maxJSONDepth {
		return p.fail("nested too deep")
	}
	return nil
}

func (p *jsonScan) object() (map[string]any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.i++ // {
	var m map[string]any
	if p.depth <= len(p.sizes) {
		m = make(map[string]any, p.sizes[p.depth-1])
		defer func() { p.sizes[p.depth-1] = len(m) }()
	} else {
		m = map[string]any{}
	}
	if p.peek() == '}' {
		p.i++
		return m, nil
	}
	for {
		if p.peek() != '"' {
			return nil, p.fail("object key expected")
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		if p.peek() != ':' {
			return nil, p.fail("colon expected")
		}
		p.i++
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		m[k] = v
		switch p.peek() {
		case ',':
			p.i++
		case '}':
			p.i++
			return m, nil
		default:
			return nil, p.fail("comma or } expected")
		}
	}
}

func (p *jsonScan) array() ([]any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.i++ // [
	a := []any{}
	if p.peek() == ']' {
		p.i++
		return a, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		switch p.peek() {
		case ',':
			p.i++
		case ']':
			p.i++
			return a, nil
		default:
			return nil, p.fail("comma or ] expected")
		}
	}
}

// str decodes a string at p.i (its opening quote).
func (p *jsonScan) str() (string, error) {
	start := p.i + 1
	plain := true // no escape, valid UTF-8
	ascii := true
	i := start
	for ; i < len(p.s); i++ {
		c := p.s[i]
		switch {
		case c == '"':
			raw := p.s[start:i]
			p.i = i + 1
			if plain && (ascii || utf8.ValidString(raw)) {
				return raw, nil
			}
			var out string
			if err := json.Unmarshal([]byte(p.s[start-1:i+1]), &out); err != nil {
				return "", fmt.Errorf("%w: %w", errJSONSyntax, err)
			}
			return out, nil
		case c == '\\':
			plain = false
			i++ // the escaped byte; \u's digits are checked by encoding/json
		case c < 0x20:
			p.i = i
			return "", p.fail("control character in string")
		case c >= 0x80:
			ascii = false
		}
	}
	p.i = i
	return "", p.fail("unterminated string")
}

// number decodes a number as encoding/json does for an any: a float64.
func (p *jsonScan) number() (float64, error) {
	start, i := p.i, p.i
	digits := func() bool {
		j := i
		for i < len(p.s) && p.s[i] >= '0' && p.s[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(p.s) && p.s[i] == '-' {
		i++
	}
	switch {
	case i < len(p.s) && p.s[i] == '0':
		i++
	case !digits():
		p.i = i
		return 0, p.fail("digit expected")
	}
	if i < len(p.s) && p.s[i] == '.' {
		i++
		if !digits() {
			p.i = i
			return 0, p.fail("digit expected after the decimal point")
		}
	}
	if i < len(p.s) && (p.s[i] == 'e' || p.s[i] == 'E') {
		i++
		if i < len(p.s) && (p.s[i] == '+' || p.s[i] == '-') {
			i++
		}
		if !digits() {
			p.i = i
			return 0, p.fail("digit expected in the exponent")
		}
	}
	p.i = i
	f, err := strconv.ParseFloat(p.s[start:i], 64)
	if err != nil {
		return 0, &json.UnmarshalTypeError{Value: "number " + p.s[start:i], Offset: int64(start)}
	}
	return f, nil
}
