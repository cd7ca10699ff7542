package crm

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Sentinel errors. A *[Error] returned by the client matches the sentinel of
// its Salesforce errorCode (and, for some, of its HTTP status) with errors.Is,
// so callers branch without parsing strings:
//
//	if errors.Is(err, crm.ErrLimitExceeded) { stop the run, keep what was done }
var (
	// ErrInvalidSession: the access token expired or was revoked (HTTP 401
	// INVALID_SESSION_ID) and refreshing it did not help. The connection needs
	// a new login.
	ErrInvalidSession = errors.New("salesforce session expired or invalid")
	// ErrLimitExceeded: the org's daily API request limit is used up
	// (REQUEST_LIMIT_EXCEEDED). Never retried; wait for the rolling 24h window.
	ErrLimitExceeded = errors.New("salesforce daily API request limit exceeded")
	// ErrNotFound: the record, object or resource does not exist (HTTP 404,
	// NOT_FOUND).
	ErrNotFound = errors.New("salesforce resource not found")
	// ErrEntityDeleted: the record is in the recycle bin (ENTITY_IS_DELETED).
	ErrEntityDeleted = errors.New("salesforce record is deleted")
	// ErrMalformedQuery: the SOQL text was rejected (MALFORMED_QUERY,
	// INVALID_FIELD in a query, INVALID_TYPE).
	ErrMalformedQuery = errors.New("salesforce rejected the query")
	// ErrInvalidField: a field name is unknown or not writable
	// (INVALID_FIELD, INVALID_FIELD_FOR_INSERT_UPDATE).
	ErrInvalidField = errors.New("salesforce rejected a field")
	// ErrUnavailable: Salesforce was unavailable or overloaded (HTTP 502, 503,
	// 504, SERVER_UNAVAILABLE) for longer than the retry policy allows.
	ErrUnavailable = errors.New("salesforce is unavailable")
	// ErrRowLocked: the record was locked by another transaction
	// (UNABLE_TO_LOCK_ROW) on every attempt.
	ErrRowLocked = errors.New("salesforce record locked by another process")
	// ErrOutcomeUnknown: a request that creates data was sent but its response
	// was lost (connection dropped or reset after the request was written).
	// The client does not resend it, because Salesforce may have created the
	// records; the caller must reconcile by a key (for example a lookup by
	// Email or external id) before creating again. See [OutcomeUnknownError].
	ErrOutcomeUnknown = errors.New("salesforce request outcome unknown")
	// ErrMultipleMatches: an upsert by external id matched several records
	// (HTTP 300).
	ErrMultipleMatches = errors.New("external id matches several salesforce records")
)

// Salesforce errorCode / statusCode values the client branches on.
const (
	CodeInvalidSession         = "INVALID_SESSION_ID"
	CodeRequestLimitExceeded   = "REQUEST_LIMIT_EXCEEDED"
	CodeNotFound               = "NOT_FOUND"
	CodeEntityIsDeleted        = "ENTITY_IS_DELETED"
	CodeMalformedQuery         = "MALFORMED_QUERY"
	CodeInvalidType            = "INVALID_TYPE"
	CodeInvalidField           = "INVALID_FIELD"
	CodeInvalidFieldForWrite   = "INVALID_FIELD_FOR_INSERT_UPDATE"
	CodeUnableToLockRow        = "UNABLE_TO_LOCK_ROW"
	CodeServerUnavailable      = "SERVER_UNAVAILABLE"
	CodeRequiredFieldMissing   = "REQUIRED_FIELD_MISSING"
	CodeRestrictedPicklist     = "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
	CodeStringTooLong          = "STRING_TOO_LONG"
	CodeMalformedID            = "MALFORMED_ID"
	CodeDuplicateValue         = "DUPLICATE_VALUE"
	CodeDuplicatesDetected     = "DUPLICATES_DETECTED"
	CodeFieldCustomValidation  = "FIELD_CUSTOM_VALIDATION_EXCEPTION"
	CodeFieldIntegrity         = "FIELD_INTEGRITY_EXCEPTION"
	CodeAllOrNoneRolledBack    = "ALL_OR_NONE_OPERATION_ROLLED_BACK"
	CodeInvalidCrossReferences = "INVALID_CROSS_REFERENCE_KEY"
	// CodeInvalidQueryLocator answers the next page of a query whose cursor
	// Salesforce released: a user may keep 10 open, opening an 11th releases
	// the oldest, and an unused one expires after 15 minutes.
	CodeInvalidQueryLocator = "INVALID_QUERY_LOCATOR"
	// CodeMultipleChoices is jsforce's name for an HTTP 300 answer to an
	// upsert whose external id matches several records.
	CodeMultipleChoices = "MULTIPLE_CHOICES"
	// CodeOutcomeUnknown is not a Salesforce code: the client puts it in the
	// per-record results of a batch whose response was lost (see
	// [ErrOutcomeUnknown]).
	CodeOutcomeUnknown = "OUTCOME_UNKNOWN"
)

// Error is an error response from Salesforce: the HTTP status and the first
// element of the JSON error array (errorCode, message, fields). Use errors.Is
// with the sentinels of this package, or errors.As to read the details.
type Error struct {
	HTTPStatus int
	Code       string
	Message    string
	Fields     []string
	// Method and URL of the failed request, with secrets redacted.
	Method, URL string
}

// Error returns a message a sales-ops person can act on, followed by the
// Salesforce code for support.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Method != "" {
		fmt.Fprintf(&b, "%s %s: ", e.Method, e.URL)
	}
	b.WriteString(explain(e.Code, e.Message, e.Fields))
	if e.Code != "" {
		fmt.Fprintf(&b, " (%s, HTTP %d)", e.Code, e.HTTPStatus)
	} else {
		fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
	}
	return b.String()
}

// Is reports whether target is the sentinel matching this error's code or
// HTTP status.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrInvalidSession:
		return e.Code == CodeInvalidSession || (e.HTTPStatus == http.StatusUnauthorized && e.Code == "")
	case ErrLimitExceeded:
		return e.Code == CodeRequestLimitExceeded
	case ErrNotFound:
		return e.Code == CodeNotFound || (e.HTTPStatus == http.StatusNotFound && e.Code != CodeEntityIsDeleted)
	case ErrEntityDeleted:
		return e.Code == CodeEntityIsDeleted
	case ErrMalformedQuery:
		return e.Code == CodeMalformedQuery || e.Code == CodeInvalidType
	case ErrInvalidField:
		return e.Code == CodeInvalidField || e.Code == CodeInvalidFieldForWrite
	case ErrUnavailable:
		return e.Code == CodeServerUnavailable || retryableStatus(e.HTTPStatus)
	case ErrRowLocked:
		return e.Code == CodeUnableToLockRow
	case ErrMultipleMatches:
		return e.HTTPStatus == http.StatusMultipleChoices
	}
	return false
}

// RecordError is one per-record error of a collection, upsert or bulk result.
// Salesforce names the code statusCode in these results.
type RecordError struct {
	StatusCode string   `json:"statusCode"`
	Message    string   `json:"message"`
	Fields     []string `json:"fields"`
	// Matches are the existing records a duplicate rule matched, for
	// DUPLICATES_DETECTED when Salesforce lists them (its duplicate
	// result); empty otherwise.
	Matches []DuplicateMatch `json:"matches,omitempty"`
}

// DuplicateMatch is an existing record a duplicate rule matched.
type DuplicateMatch struct {
	ID     string `json:"id"`
	Object string `json:"object"`
	Rule   string `json:"rule,omitempty"`
}

// UnmarshalJSON reads a record error, including the duplicate result of
// DUPLICATES_DETECTED: real captures spell its key "duplicateResut" (sic,
// v54 and v56), the SOAP documentation "duplicateResult"; both are read.
func (e *RecordError) UnmarshalJSON(b []byte) error {
	type dupResult struct {
		DuplicateRule string `json:"duplicateRule"`
		MatchResults  []struct {
			EntityType   string `json:"entityType"`
			MatchRecords []struct {
				Record struct {
					ID string `json:"Id"`
				} `json:"record"`
			} `json:"matchRecords"`
		} `json:"matchResults"`
	}
	var aux struct {
		StatusCode string           `json:"statusCode"`
		Message    string           `json:"message"`
		Fields     []string         `json:"fields"`
		Matches    []DuplicateMatch `json:"matches"`
		Resut      *dupResult       `json:"duplicateResut"`
		Result     *dupResult       `json:"duplicateResult"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*e = RecordError{StatusCode: aux.StatusCode, Message: aux.Message, Fields: aux.Fields, Matches: aux.Matches}
	for _, d := range []*dupResult{aux.Resut, aux.Result} {
		if d == nil {
			continue
		}
		for _, mr := range d.MatchResults {
			for _, rec := range mr.MatchRecords {
				if rec.Record.ID != "" {
					e.Matches = append(e.Matches, DuplicateMatch{ID: rec.Record.ID, Object: mr.EntityType, Rule: d.DuplicateRule})
				}
			}
		}
	}
	return nil
}

// Error returns the actionable explanation of the record error, so a
// RecordError can be wrapped and reported like any error.
func (e RecordError) Error() string {
	return explain(e.StatusCode, e.Message, e.Fields) + " (" + e.StatusCode + ")"
}

// Explain returns the message without the code, for a results column.
func (e RecordError) Explain() string { return explain(e.StatusCode, e.Message, e.Fields) }

// OutcomeUnknownError reports the batches of a write whose response was lost
// after the request was sent. Indexes are positions in the caller's input
// slice; their Results carry [CodeOutcomeUnknown]. It matches
// [ErrOutcomeUnknown].
//
// Contract for Create: records at these indexes may or may not exist in
// Salesforce. Look them up by a key before creating them again; the client
// never resends a create whose response it did not read. Update, Upsert and
// Delete are idempotent and are resent instead, so they do not return this
// error for lost responses.
type OutcomeUnknownError struct {
	Op      string
	Object  string
	Indexes []int
	Cause   error
}

// Error describes the unknown batch and what to do about it.
func (e *OutcomeUnknownError) Error() string {
	if errors.Is(e.Cause, errBulkUnmatched) {
		return fmt.Sprintf("%s %s: Salesforce may or may not have saved %d records because %v; look them up by key before sending them again",
			e.Op, e.Object, len(e.Indexes), e.Cause)
	}
	return fmt.Sprintf("%s %s: the connection dropped after sending %d records, so Salesforce may or may not have saved them; look them up by key before sending them again: %v",
		e.Op, e.Object, len(e.Indexes), e.Cause)
}

// Is matches [ErrOutcomeUnknown].
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// Unwrap returns the transport error.
func (e *OutcomeUnknownError) Unwrap() error { return e.Cause }

// IsRetryable reports whether err is transient: a retry later may succeed
// (unavailable server, locked row, dropped connection). The client already
// retried it as far as its [RetryPolicy] allows.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrUnavailable) || errors.Is(err, ErrRowLocked) {
		return true
	}
	var ne *networkError
	return errors.As(err, &ne)
}

// IsInvalidSession reports whether err means the login must be renewed.
func IsInvalidSession(err error) bool { return errors.Is(err, ErrInvalidSession) }

// IsLimitExceeded reports whether err is the daily API limit.
func IsLimitExceeded(err error) bool { return errors.Is(err, ErrLimitExceeded) }

// networkError is a transport failure (reset, EOF, timeout) that survived all
// retries. It is unexported: callers use IsRetryable.
type networkError struct {
	method, url string
	err         error
}

func (e *networkError) Error() string {
	return fmt.Sprintf("%s %s: could not reach Salesforce, check the network connection: %v", e.method, e.url, e.err)
}

func (e *networkError) Unwrap() error { return e.err }

func retryableStatus(status int) bool {
	return status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

// retryableCode reports the error codes worth resending.
func retryableCode(code string) bool {
	return code == CodeUnableToLockRow || code == CodeServerUnavailable
}

// explain turns a Salesforce error into a sentence that says what is wrong and
// what to do. The original message is kept when no better wording is known.
func explain(code, message string, fields []string) string {
	fieldList := strings.Join(fields, ", ")
	switch code {
	case CodeRestrictedPicklist:
		// "<Label>: bad value for restricted picklist field: <value>"
		if label, value, ok := strings.Cut(message, ": bad value for restricted picklist field: "); ok {
			name := label
			if fieldList != "" {
				name = fieldList
			}
			return fmt.Sprintf("Salesforce rejected '%s' for %s: not an allowed value of this restricted picklist", value, name)
		}
		return fmt.Sprintf("Salesforce rejected a value for %s: not an allowed value of this restricted picklist (%s)", fieldList, message)
	case CodeRequiredFieldMissing:
		if fieldList == "" {
			return "a required field is empty: " + message
		}
		return fmt.Sprintf("required field %s is empty: fill it in and push again", fieldList)
	case CodeStringTooLong:
		return fmt.Sprintf("value too long for %s: shorten it (%s)", orUnknown(fieldList), message)
	case CodeMalformedID:
		return fmt.Sprintf("%s is not a valid Salesforce record id (%s)", orUnknown(fieldList), message)
	case CodeDuplicateValue:
		return fmt.Sprintf("another record already has this value in a unique field: %s", message)
	case CodeDuplicatesDetected:
		return fmt.Sprintf("a Salesforce duplicate rule blocked the record: %s", message)
	case CodeUnableToLockRow:
		return "the record was locked by another process in Salesforce; try again in a moment"
	case CodeInvalidSession:
		return "the Salesforce session expired or was revoked: reconnect the org"
	case CodeRequestLimitExceeded:
		return "the org's daily API request limit is used up: wait until calls free up (rolling 24 hours) or ask an admin to raise it"
	case CodeEntityIsDeleted:
		return "the record is deleted in Salesforce (restore it from the recycle bin or remove the row)"
	case CodeInvalidFieldForWrite:
		return fmt.Sprintf("field %s cannot be written: %s", orUnknown(fieldList), message)
	case CodeFieldCustomValidation:
		return "a Salesforce validation rule rejected the record: " + message
	case CodeServerUnavailable:
		return "Salesforce is temporarily unavailable; try again later"
	case CodeInvalidQueryLocator:
		return "Salesforce released this query's cursor before its last page (a user may keep at most 10 queries open at once, so other tools signed in as you may have opened more, or it went unused for 15 minutes); nothing read is lost: run it again"
	case CodeMultipleChoices:
		return "several Salesforce records have this external id; make it unique or update by record id: " + message
	}
	if message == "" {
		return "Salesforce returned an error"
	}
	return message
}

func orUnknown(s string) string {
	if s == "" {
		return "a field"
	}
	return s
}
