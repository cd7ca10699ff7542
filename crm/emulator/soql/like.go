package soql

import (
	"crmsheets/internal/soqlstr"
	"strings"
	"unicode"
	"unicode/utf8"
)

// likePattern is a compiled LIKE pattern: runes to match, lower-cased, with
// wildcards marked. SOQL's LIKE is case-insensitive; % matches any run of
// characters, _ exactly one; \% and \_ match the characters themselves.
type likePattern struct {
	runes []rune
	kinds []likeKind
}

type likeKind uint8

const (
	likeRune likeKind = iota
	likeAny           // %
	likeOne           // _
)

// compileLike compiles the raw quoted token of a LIKE pattern.
func compileLike(tok string) *likePattern {
	body := tok[1 : len(tok)-1]
	p := &likePattern{}
	add := func(r rune, k likeKind) {
		p.runes = append(p.runes, unicode.ToLower(r))
		p.kinds = append(p.kinds, k)
	}
	for i := 0; i < len(body); {
		r, size := utf8.DecodeRuneInString(body[i:])
		i += size
		switch r {
		case '%':
			add(r, likeAny)
		case '_':
			add(r, likeOne)
		case '\\':
			esc := body[i]
			i++
			switch esc {
			case 'u':
				add(rune(soqlstr.HexVal(body[i:i+4])), likeRune)
				i += 4
			default:
				add(rune(soqlstr.Unquote(`'\` + string(esc) + `'`)[0]), likeRune)
			}
		default:
			add(r, likeRune)
		}
	}
	return p
}

// match reports whether s matches the pattern. It is the classic iterative
// wildcard matcher: linear backtracking to the last %, O(len(s)*len(p)) in
// the worst case and allocation-free.
func (p *likePattern) match(s string) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		r, size := utf8.DecodeRuneInString(s[si:])
		r = unicode.ToLower(r)
		if pi < len(p.runes) {
			switch p.kinds[pi] {
			case likeAny:
				starP, starS = pi, si
				pi++
				continue
			case likeOne:
				pi++
				si += size
				continue
			default:
				if p.runes[pi] == r {
					pi++
					si += size
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		pi = starP + 1
		_, size = utf8.DecodeRuneInString(s[starS:])
		starS += size
		si = starS
	}
	for pi < len(p.runes) && p.kinds[pi] == likeAny {
		pi++
	}
	return pi == len(p.runes)
}

// String returns the pattern for debugging.
func (p *likePattern) String() string {
	var b strings.Builder
	for i, r := range p.runes {
		switch p.kinds[i] {
		case likeAny:
			b.WriteByte('%')
		case likeOne:
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
