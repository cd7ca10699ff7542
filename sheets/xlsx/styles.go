package xlsx

import (
	"strings"
)

// numKind is what a cell's number format says its number means.
type numKind uint8

const (
	numPlain    numKind = iota // a number
	numDate                    // a calendar day
	numDateTime                // a day and a time
	numTime                    // a time of day or a duration
)

// styles maps a cell's style index (the s attribute) to the meaning of its
// number format.
type styles []numKind

func (s styles) kind(idx int) numKind {
	if idx < 0 || idx >= len(s) {
		return numPlain
	}
	return s[idx]
}

type xmlStyles struct {
	NumFmts []struct {
		ID   int    `xml:"numFmtId,attr"`
		Code string `xml:"formatCode,attr"`
	} `xml:"numFmts>numFmt"`
	CellXfs []struct {
		NumFmtID int `xml:"numFmtId,attr"`
	} `xml:"cellXfs>xf"`
}

func readStyles(p *pkg, part string) (styles, error) {
	var x xmlStyles
	if err := p.decode(part, &x); err != nil {
		return nil, err
	}
	custom := make(map[int]numKind, len(x.NumFmts))
	for _, f := range x.NumFmts {
		custom[f.ID] = classifyFormat(f.Code)
	}
	out := make(styles, len(x.CellXfs))
	for i, xf := range x.CellXfs {
		if k, ok := custom[xf.NumFmtID]; ok {
			out[i] = k
		} else {
			out[i] = builtinKind(xf.NumFmtID)
		}
	}
	return out, nil
}

// builtinKind classifies Excel's built-in number formats (ECMA-376 part 1,
// 18.8.30), including the East Asian date formats 27-36 and 50-58.
func builtinKind(id int) numKind {
	switch {
	case id >= 14 && id <= 17, id >= 27 && id <= 31, id >= 34 && id <= 36, id >= 50 && id <= 58:
		return numDate
	case id == 22:
		return numDateTime
	case id >= 18 && id <= 21, id >= 32 && id <= 33, id >= 45 && id <= 47:
		return numTime
	}
	return numPlain
}

// classifyFormat reads a custom format code: quoted text, escaped characters,
// colours and locale tags in brackets are skipped; y and d mean a date, h and
// s a time (m is a month or, next to h or s, minutes). Elapsed-time brackets
// such as [h] make a duration.
func classifyFormat(code string) numKind {
	if i := strings.IndexByte(code, ';'); i >= 0 {
		code = code[:i] // the positive section decides
	}
	var date, timeOfDay, elapsed bool
	for i := 0; i < len(code); i++ {
		switch c := code[i] | 0x20; {
		case code[i] == '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(code)
			}
		case code[i] == '\\' || code[i] == '_' || code[i] == '*':
			i++
		case code[i] == '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				return numPlain
			}
			inner := strings.ToLower(code[i+1 : i+j])
			if inner != "" && strings.Trim(inner, "hms") == "" {
				elapsed = true
			}
			i += j
		case c == 'y' || c == 'd':
			date = true
		case c == 'h' || c == 's':
			timeOfDay = true
		}
	}
	switch {
	case elapsed && !date:
		return numTime
	case date && timeOfDay:
		return numDateTime
	case date:
		return numDate
	case timeOfDay:
		return numTime
	}
	// "mmm" or "mmmm" alone is a month name: still a date.
	lower := strings.ToLower(code)
	if strings.Contains(lower, "mmm") {
		return numDate
	}
	return numPlain
}
