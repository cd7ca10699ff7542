package emulator

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// CSV of Bulk API 2.0: the column delimiters and line endings a job may
// declare, parsing of uploaded job data, and writing of result files (every
// value quoted, as Salesforce writes them).

// bulkDelimiters maps a columnDelimiter name to its character.
var bulkDelimiters = map[string]rune{
	"COMMA": ',', "BACKQUOTE": '`', "CARET": '^', "PIPE": '|', "SEMICOLON": ';', "TAB": '\t',
}

// bulkNull is the cell value that sets a field to null; an empty cell
// leaves the field as it is.
const bulkNull = "#N/A"

// errBulkCSV reports job data Salesforce would refuse; its message becomes
// the job's errorMessage.
var errBulkCSV = errors.New("ClientInputError")

// parseJobData reads uploaded CSV: a header row of field names, then one
// row per record, every row as wide as the header. The first line must end
// as the job's lineEnding says.
func parseJobData(data []byte, delimiter, lineEnding string) (header []string, rows [][]string, err error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if nl := bytes.IndexByte(data, '\n'); nl >= 0 {
		crlf := nl > 0 && data[nl-1] == '\r'
		if crlf != (lineEnding == "CRLF") {
			return nil, nil, fmt.Errorf("%w : LineEnding is invalid on user data. Current LineEnding setting is %s", errBulkCSV, lineEnding)
		}
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = bulkDelimiters[delimiter]
	r.ReuseRecord = false
	header, err = r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%w : %v", errBulkCSV, err)
	}
	for i, h := range header {
		header[i] = strings.TrimSpace(h)
	}
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return header, rows, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%w : %v", errBulkCSV, err)
		}
		rows = append(rows, row)
	}
}

// csvWriter writes result CSV with every value quoted.
type csvWriter struct {
	buf   []byte
	delim byte
	eol   string
}

func newCSVWriter(delimiter, lineEnding string, sizeHint int) *csvWriter {
	eol := "\n"
	if lineEnding == "CRLF" {
		eol = "\r\n"
	}
	return &csvWriter{buf: make([]byte, 0, sizeHint), delim: byte(bulkDelimiters[delimiter]), eol: eol}
}

// field appends one quoted value, preceded by the delimiter unless first.
func (w *csvWriter) field(v string, first bool) {
	if !first {
		w.buf = append(w.buf, w.delim)
	}
	w.buf = append(w.buf, '"')
	for {
		i := strings.IndexByte(v, '"')
		if i < 0 {
			break
		}
		w.buf = append(w.buf, v[:i+1]...)
		w.buf = append(w.buf, '"')
		v = v[i+1:]
	}
	w.buf = append(w.buf, v...)
	w.buf = append(w.buf, '"')
}

// row appends a whole line.
func (w *csvWriter) row(vals ...[]string) {
	first := true
	for _, part := range vals {
		for _, v := range part {
			w.field(v, first)
			first = false
		}
	}
	w.buf = append(w.buf, w.eol...)
}

// bulkValue formats a stored value as Bulk API CSV writes it: null as an
// empty value, dateTimes in UTC with a Z, numbers as the REST API spells
// them.
func bulkValue(f *Field, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if f != nil && f.Type == typeDatetime {
			if t, ok := parseDateTime(x); ok {
				return t.Format("2006-01-02T15:04:05.000Z")
			}
		}
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		if f != nil && f.Type == typeInt {
			return strconv.FormatInt(int64(x), 10)
		}
		return string(appendDouble(nil, x))
	}
	return fmt.Sprint(v)
}

// bulkErrorCell renders a record error as failedResults' sf__Error:
// "CODE:message:Field1,Field2 --", or "CODE:message:--" without fields.
func bulkErrorCell(e recordError) string {
	if len(e.Fields) == 0 {
		return e.StatusCode + ":" + e.Message + ":--"
	}
	return e.StatusCode + ":" + e.Message + ":" + strings.Join(e.Fields, ",") + " --"
}
