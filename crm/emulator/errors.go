package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Sentinel errors of the Go API (Insert, Update, Delete, Get helpers).
var (
	// ErrUnknownObject reports an sObject type the demo org does not have.
	ErrUnknownObject = errors.New("unknown sObject type")
	// ErrNotFound reports a record id that does not exist.
	ErrNotFound = errors.New("record not found")
	// ErrDeleted reports a record that exists only in the recycle bin.
	ErrDeleted = errors.New("entity is deleted")
)

// Salesforce error codes the emulator emits (API-REFERENCE.md §8).
const (
	codeInvalidSession      = "INVALID_SESSION_ID"
	codeNotFound            = "NOT_FOUND"
	codeMalformedID         = "MALFORMED_ID"
	codeInvalidField        = "INVALID_FIELD"
	codeInvalidType         = "INVALID_TYPE"
	codeRequestLimit        = "REQUEST_LIMIT_EXCEEDED"
	codeRequiredMissing     = "REQUIRED_FIELD_MISSING"
	codeBadPicklist         = "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
	codeStringTooLong       = "STRING_TOO_LONG"
	codeReadOnlyField       = "INVALID_FIELD_FOR_INSERT_UPDATE"
	codeInvalidTypeOnField  = "INVALID_TYPE_ON_FIELD_IN_RECORD"
	codeDuplicateValue      = "DUPLICATE_VALUE"
	codeEntityDeleted       = "ENTITY_IS_DELETED"
	codeCrossReference      = "INVALID_CROSS_REFERENCE_KEY"
	codeFieldIntegrity      = "FIELD_INTEGRITY_EXCEPTION"
	codeInvalidEmail        = "INVALID_EMAIL_ADDRESS"
	codeLockRow             = "UNABLE_TO_LOCK_ROW"
	codeRolledBack          = "ALL_OR_NONE_OPERATION_ROLLED_BACK"
	codeJSONParser          = "JSON_PARSER_ERROR"
	codeExceededIDLimit     = "EXCEEDED_ID_LIMIT"
	codeInvalidQueryLocator = "INVALID_QUERY_LOCATOR"
	codeServerUnavailable   = "SERVER_UNAVAILABLE"
	codeMethodNotAllowed    = "METHOD_NOT_ALLOWED"
	codeInvalidTypeForOp    = "INVALID_TYPE_FOR_OPERATION"
)

const rolledBackMessage = "Record rolled back because not all records were valid and the request was using AllOrNone header"

// apiError is one Salesforce error. On the top level of a REST response it
// is encoded as {"message","errorCode"[,"fields"]}; inside collection and
// DML results as {"statusCode","message","fields"} (checklist items 1 and 3).
type apiError struct {
	Code    string
	Message string
	// Fields names the offending fields; nil omits the key on the top level.
	Fields []string
	// Duplicates is the duplicate result of DUPLICATES_DETECTED.
	Duplicates *duplicateResult
}

func (e apiError) Error() string { return e.Code + ": " + e.Message }

func newAPIError(code, format string, args ...any) apiError {
	return apiError{Code: code, Message: fmt.Sprintf(format, args...)}
}

func fieldError(code, field, format string, args ...any) apiError {
	return apiError{Code: code, Message: fmt.Sprintf(format, args...), Fields: []string{field}}
}

// topLevelError is the top-level REST error shape.
type topLevelError struct {
	Message   string   `json:"message"`
	ErrorCode string   `json:"errorCode"`
	Fields    []string `json:"fields,omitempty"`
}

// recordError is the per-record error shape of DML and collection results;
// fields is always present.
type recordError struct {
	StatusCode string   `json:"statusCode"`
	Message    string   `json:"message"`
	Fields     []string `json:"fields"`
	// Duplicates: whether collection results carry the duplicate result
	// is not captured (the documented example has none); the demo org
	// gives it as the single-record create does, so clients can list the
	// matches. A guess.
	Duplicates *duplicateResult `json:"duplicateResut,omitempty"`
}

func (e apiError) record() recordError {
	f := e.Fields
	if f == nil {
		f = []string{}
	}
	return recordError{StatusCode: e.Code, Message: e.Message, Fields: f, Duplicates: e.Duplicates}
}

// topLevelFields keeps an explicit empty fields list (ENTITY_IS_DELETED is
// captured as "fields":[]) while omitting absent ones.
func encodeTopLevel(errs []apiError) []byte {
	type withFields struct {
		Message   string   `json:"message"`
		ErrorCode string   `json:"errorCode"`
		Fields    []string `json:"fields"`
	}
	type duplicates struct {
		Duplicates *duplicateResult `json:"duplicateResut"`
		Message    string           `json:"message"`
		ErrorCode  string           `json:"errorCode"`
	}
	out := make([]any, 0, len(errs))
	for _, e := range errs {
		if e.Duplicates != nil {
			// As captured: no fields key, the result first.
			out = append(out, duplicates{e.Duplicates, e.Message, e.Code})
			continue
		}
		if e.Fields != nil {
			out = append(out, withFields{e.Message, e.Code, e.Fields})
		} else {
			out = append(out, topLevelError{Message: e.Message, ErrorCode: e.Code})
		}
	}
	b, _ := json.Marshal(out)
	return b
}

const jsonContentType = "application/json;charset=UTF-8"

// writeJSON sends a JSON body with Salesforce's content type.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", jsonContentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeValue marshals v and sends it.
func writeValue(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeErrors(w, http.StatusInternalServerError, newAPIError("UNKNOWN_EXCEPTION", "encode response: %v", err))
		return
	}
	writeJSON(w, status, b)
}

// writeErrors sends a top-level error array.
func writeErrors(w http.ResponseWriter, status int, errs ...apiError) {
	writeJSON(w, status, encodeTopLevel(errs))
}

// statusFor is the HTTP status of a single-record error.
func statusFor(e apiError) int {
	switch e.Code {
	case codeNotFound:
		return http.StatusNotFound
	case codeEntityDeleted:
		if len(e.Fields) > 0 { // a lookup to a deleted record
			return http.StatusBadRequest
		}
		return http.StatusNotFound
	case codeInvalidSession:
		return http.StatusUnauthorized
	case codeRequestLimit:
		return http.StatusForbidden
	case codeServerUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}

func notFound() apiError {
	return newAPIError(codeNotFound, "The requested resource does not exist")
}
