package xlsx

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// readSharedStrings streams the shared string table into memory: one string
// per <si>, rich text runs flattened, phonetic guides (<rPh>) dropped.
func readSharedStrings(p *pkg, part string) ([]string, error) {
	rc, err := p.open(part)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	dec := xml.NewDecoder(rc)
	var (
		out   []string
		b     strings.Builder
		inSI  bool
		inT   bool
		inRPh int
	)
	for {
		tok, err := dec.RawToken()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			if errIsLimit(err) {
				return nil, err
			}
			return nil, fmt.Errorf("read shared strings: %v: %w", err, ErrNotXLSX)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				inSI = true
				b.Reset()
			case "rPh":
				inRPh++
			case "t":
				inT = inSI && inRPh == 0
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				inSI = false
				out = append(out, b.String())
			case "rPh":
				inRPh--
			case "t":
				inT = false
			}
		case xml.CharData:
			if inT {
				b.Write(t)
			}
		}
	}
}
