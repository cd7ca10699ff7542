package store

import (
	"slices"
	"strconv"

	"crmsheets/internal/jsonstr"
	"crmsheets/sheets"
)

// appendOutcomeJSON appends exactly the bytes json.Marshal makes of o: the
// same field order and omitempty rules, map keys sorted, strings escaped as
// encoding/json escapes them (HTML characters, U+2028 and U+2029 included;
// invalid UTF-8 as U+FFFD). A push of 100k records stores 100k outcomes,
// and json.Marshal's reflection cost more than the rest of storing them;
// readers still decode them with encoding/json, so the stored form is
// unchanged. keys is scratch space for sorting map keys, reused across
// calls. TestOutcomeJSONFields fails when RecordOutcome's fields change.
func appendOutcomeJSON(b []byte, o *sheets.RecordOutcome, keys *[]string) []byte {
	b = append(b, `{"runId":`...)
	b = strconv.AppendUint(b, o.RunID, 10)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, int64(o.Seq), 10)
	if o.RowID != 0 {
		b = append(b, `,"rowId":`...)
		b = strconv.AppendUint(b, uint64(o.RowID), 10)
	}
	if o.RecordID != "" {
		b = append(b, `,"recordId":`...)
		b = appendJSONString(b, o.RecordID)
	}
	b = append(b, `,"op":`...)
	b = appendJSONString(b, o.Op)
	b = append(b, `,"ok":`...)
	b = strconv.AppendBool(b, o.OK)
	if o.StatusCode != "" {
		b = append(b, `,"statusCode":`...)
		b = appendJSONString(b, o.StatusCode)
	}
	if o.Message != "" {
		b = append(b, `,"message":`...)
		b = appendJSONString(b, o.Message)
	}
	if len(o.Fields) > 0 {
		b = append(b, `,"fields":[`...)
		for i, f := range o.Fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, f)
		}
		b = append(b, ']')
	}
	if len(o.Before) > 0 {
		b = append(b, `,"before":`...)
		b = appendJSONMap(b, o.Before, keys)
	}
	if len(o.After) > 0 {
		b = append(b, `,"after":`...)
		b = appendJSONMap(b, o.After, keys)
	}
	return append(b, '}')
}

// appendJSONMap appends m as a JSON object, keys in byte order as
// encoding/json sorts them.
func appendJSONMap(b []byte, m map[string]string, keys *[]string) []byte {
	if len(m) == 1 { // a push of one field: nothing to sort
		for k, v := range m {
			b = append(b, '{')
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSONString(b, v)
		}
		return append(b, '}')
	}
	ks := (*keys)[:0]
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	b = append(b, '{')
	for i, k := range ks {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, m[k])
	}
	clear(ks) // let the strings go
	*keys = ks[:0]
	return append(b, '}')
}

// appendJSONString appends s as encoding/json writes a string with HTML
// escaping on (its default): the same escapes, byte for byte.
func appendJSONString(b []byte, s string) []byte {
	return jsonstr.Append(b, s, jsonstr.EncodingJSON)
}
