package sheets

import "time"

// RunStatus is where a sync run stands. Its string form is stored in the
// history, so the constants must never be renamed.
type RunStatus string

// Run statuses. A run is recorded as RunRunning before its first API call;
// the store turns runs still running at start-up into RunInterrupted.
const (
	RunRunning     RunStatus = "running"
	RunSucceeded   RunStatus = "succeeded"
	RunPartial     RunStatus = "partial" // finished, but some records failed or were invalid
	RunFailed      RunStatus = "failed"
	RunCancelled   RunStatus = "cancelled"
	RunInterrupted RunStatus = "interrupted" // the app stopped (crash, kill) while the run was running
)

// Took is how long the run lasted: zero while it runs, and for a run the
// app was stopped in the middle of (its end is when the app next started).
func (r *Run) Took() time.Duration {
	if r.Status == RunInterrupted || r.Ended.IsZero() || r.Ended.Before(r.Started) {
		return 0
	}
	return r.Ended.Sub(r.Started)
}

// RoundTime is a run's time (or wait) as a person reads it in the history:
// to the millisecond under a second, to the tenth of a second above.
func RoundTime(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

// SalesforceWait is how long of Took the run waited for Salesforce, and
// whether that is known: not for a run that made calls before runs kept
// the figure, nor for one whose time is unknown (see Took).
func (r *Run) SalesforceWait() (time.Duration, bool) {
	took := r.Took()
	if took <= 0 || r.SalesforceTime == 0 && r.APICalls > 0 {
		return 0, false
	}
	return min(r.SalesforceTime, took), true
}

// Finished reports whether the run has ended, whatever its outcome.
func (s RunStatus) Finished() bool { return s != RunRunning && s != "" }

// Trigger says what started a run. Its string form is stored.
type Trigger string

// Run triggers.
const (
	TriggerManual    Trigger = "manual"
	TriggerScheduled Trigger = "scheduled"
	TriggerCLI       Trigger = "cli"
)

// Run is one sync run in the history: what it was asked to do, how it ended
// and what it cost. Per-record results are RecordOutcomes stored under its ID.
type Run struct {
	ID        uint64    `json:"id"` // assigned by the store, increasing with time
	SheetID   string    `json:"sheetId"`
	SheetName string    `json:"sheetName"` // the name at the time of the run; history survives renames and deletes
	Object    string    `json:"object"`
	Direction Direction `json:"direction"`
	Policy    Policy    `json:"policy,omitempty"`
	Trigger   Trigger   `json:"trigger"`
	DryRun    bool      `json:"dryRun,omitempty"`
	Started   time.Time `json:"started"`
	Ended     time.Time `json:"ended,omitzero"`
	Status    RunStatus `json:"status"`
	Counts    RunCounts `json:"counts"`
	APICalls  int       `json:"apiCalls"` // calls this run spent
	APIUsed   int       `json:"apiUsed"`  // the org's daily usage after the run
	APILimit  int       `json:"apiLimit"` // the org's daily limit
	// SalesforceTime is how long the run waited for Salesforce (its calls
	// and Bulk jobs, nanoseconds in JSON), which tells a user whether a
	// slow sync waits on the org or on the machine: the app's own work
	// took at least the rest of the run's time (a pull stores a page while
	// it waits for the next). Like APICalls it counts the run's own calls
	// only, not those of a run beside it.
	SalesforceTime time.Duration `json:"salesforceTime,omitempty"`
	// BulkJobs are the ids of the Bulk API 2.0 jobs the run wrote through,
	// in order: Salesforce's Setup lists each (Bulk Data Load Jobs) with
	// its own account of every record, which an admin may want to check.
	BulkJobs   []string `json:"bulkJobs,omitempty"`
	Message    string   `json:"message,omitempty"`
	RevertOf   uint64   `json:"revertOf,omitempty"`   // the run this run reverted, when it is a revert
	RevertedBy uint64   `json:"revertedBy,omitempty"` // the revert run that undid this one
	// OrgID is the Salesforce org id (00D…) the run talked to, so a revert
	// is refused against any other org even after the sheet is gone.
	OrgID string `json:"orgId,omitempty"`
}

// RunCounts are the per-run totals shown in the history.
type RunCounts struct {
	Pulled    int `json:"pulled,omitempty"`
	Created   int `json:"created,omitempty"`
	Updated   int `json:"updated,omitempty"`
	Refreshed int `json:"refreshed,omitempty"` // rows updated from Salesforce during a push or both-ways run
	Unchanged int `json:"unchanged,omitempty"`
	Conflicts int `json:"conflicts,omitempty"`
	Invalid   int `json:"invalid,omitempty"`
	Failed    int `json:"failed,omitempty"`
	Deleted   int `json:"deleted,omitempty"`
	// Skipped counts rows a push left out without an error of theirs: a
	// new row not found in Salesforce by its key while creating missing
	// records is off, or a row with nothing to send. Each has an OpSkip
	// outcome saying why.
	Skipped int `json:"skipped,omitempty"`
	// Added counts rows a pull appended to the sheet for records it did
	// not hold yet (Pulled counts every record read).
	Added int `json:"added,omitempty"`
	// Unconfirmed counts rows sent whose answer from Salesforce was lost
	// (a dropped connection): a create stays "being created" and the next
	// run looks it up by key before sending anything, so it is never
	// created twice. A run with any is partial.
	Unconfirmed int `json:"unconfirmed,omitempty"`
}

// Record operations of a RecordOutcome.
const (
	OpCreate   = "create"
	OpUpdate   = "update"
	OpDelete   = "delete"
	OpRefresh  = "refresh"
	OpInvalid  = "invalid"
	OpConflict = "conflict"
	OpSkip     = "skip" // a row the run left out; Message says why
)

// RecordOutcome is what a run did to one record. Failed, invalid and
// conflicting records are kept with Salesforce's status code and message;
// successful pushes keep Before (the Salesforce values they overwrote) so a
// run can be reverted.
type RecordOutcome struct {
	RunID      uint64            `json:"runId"`
	Seq        int               `json:"seq"` // order within the run; assigned by the store when 0
	RowID      RowID             `json:"rowId,omitempty"`
	RecordID   string            `json:"recordId,omitempty"`
	Op         string            `json:"op"` // one of the Op constants
	OK         bool              `json:"ok"`
	StatusCode string            `json:"statusCode,omitempty"` // Salesforce errorCode such as REQUIRED_FIELD_MISSING
	Message    string            `json:"message,omitempty"`
	Fields     []string          `json:"fields,omitempty"` // field API names the outcome concerns
	Before     map[string]string `json:"before,omitempty"` // field API name -> Salesforce value before the push (for revert)
	After      map[string]string `json:"after,omitempty"`  // field API name -> value the push wrote
}
