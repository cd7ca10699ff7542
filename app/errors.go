package app

import (
	"errors"
	"fmt"

	"crmsheets/app/fieldmap"
	"crmsheets/crm"
	"crmsheets/crm/auth"
)

// Errors callers branch on. Every error the Service returns wraps one of
// these when the situation is one a caller can act on; match with errors.Is.
var (
	// ErrNotConnected: the action needs Salesforce and no org is connected.
	// The UI offers Connect; the CLI suggests `crmsheets login`.
	ErrNotConnected = errors.New("not connected to Salesforce")

	// ErrNeedsReauth: the saved session was revoked or expired for good;
	// the user must log in again (Reconnect in the UI).
	ErrNeedsReauth = errors.New("Salesforce needs you to log in again")

	// ErrUnknownOrg: no saved org has the given id.
	ErrUnknownOrg = errors.New("no such org")

	// ErrSyncRunning: another run of the same sheet is in progress in this
	// process (the single-run lock).
	ErrSyncRunning = errors.New("a sync of this sheet is already running")

	// ErrClosing: the Service is closing (the window or the command is
	// done), so no new run starts.
	ErrClosing = errors.New("CRM Sheets is closing")

	// ErrSyncAborted is matched by *TooManyChangesError: the run stopped
	// before sending anything because it would overwrite more of the
	// sheet's records than the safety rail allows. Run again with
	// SyncOptions.Force after checking the plan.
	ErrSyncAborted = errors.New("sync aborted by the safety rail")

	// ErrNotSyncable: the sheet is local only (no sObject) or has no mapped
	// column, so there is nothing to sync.
	ErrNotSyncable = errors.New("sheet is not mapped to Salesforce")

	// ErrNotRevertible: the run is not a push (or both) run with changes,
	// or it was already reverted.
	ErrNotRevertible = errors.New("run cannot be reverted")

	// ErrNotRevoked: Disconnect forgot the session on this computer but
	// could not revoke its token in Salesforce (unreachable org, keychain
	// unreadable). Show it as a warning: the logout itself happened, and
	// the token can be revoked from Salesforce's Connected Apps OAuth
	// Usage page.
	ErrNotRevoked = errors.New("logged out on this computer, but the token could not be revoked in Salesforce")

	// ErrNoDemoOrg: this program was built without the demo org
	// (Options.DemoOrg is nil and no DemoOrgURL points at a running one).
	ErrNoDemoOrg = errors.New("this program has no demo org")

	// ErrNotFound: the sheet, row, column, run or configuration version
	// asked for does not exist. Every not-found the Service returns matches
	// it; the store's own sentinel is translated at the store boundary
	// (storeDoor), so ui and the CLI never see the store's.
	ErrNotFound = errors.New("not found")

	// ErrStoreLocked: another window of the app or a command-line sync
	// holds the data files; Open fails with it.
	ErrStoreLocked = errors.New("CRM Sheets is already open in another window or a sync is running")

	// ErrDuplicate: a sheet or column name that must be unique is taken.
	ErrDuplicate = errors.New("already exists")

	// ErrUnknownTemplate: no template has the given id.
	ErrUnknownTemplate = errors.New("no such template")

	// ErrAmbiguousDates refuses to create a sheet while some column of text
	// dates has not had its day/month order chosen (ImportTable.ChooseDateFormat):
	// the app never guesses a date.
	ErrAmbiguousDates = errors.New("some date columns need their day and month order chosen")

	// ErrWouldBeRejected: a value Salesforce would refuse, caught before
	// sending (every *fieldmap.RowProblem and the push's invalid-row error
	// match it). It is fieldmap's sentinel, named here so that every error
	// a Service caller branches on is listed in this file.
	ErrWouldBeRejected = fieldmap.ErrWouldBeRejected

	// ErrUnknownColumn: a mapping names a column the sheet no longer has
	// (fieldmap's sentinel, named here for the same reason).
	ErrUnknownColumn = fieldmap.ErrUnknownColumn
)

// Errors that unwind a run inside the engine; they never reach callers.
var (
	// errPaused unwinds a run that reached its API reserve; engine.paused says
	// why. It never reaches callers.
	errPaused = errors.New("paused at the API reserve")

	// errNotSent marks rows whose send never happened (the run stopped first);
	// they keep their state and go out with the next push.
	errNotSent = errors.New("not sent")

	// errSpoolDamaged: a push's work file (pushSpool) does not read back
	// as written.
	errSpoolDamaged = errors.New("damaged record")
)

// IsNeedsReauth reports whether err means the org's saved login can no
// longer be used (revoked or expired refresh token, logged out): the user
// must log in again. It matches ErrNeedsReauth and the refusals Salesforce
// returns for a refresh.
func IsNeedsReauth(err error) bool {
	return errors.Is(err, ErrNeedsReauth) || errors.Is(err, auth.ErrNeedsReauth)
}

// TooManyChangesError is the safety rail's refusal (rclone bisync's "too
// many deletes"): a run would overwrite Changes records of a sheet holding
// Rows rows, more than the allowed share. Nothing was sent.
type TooManyChangesError struct {
	Sheet   string  `json:"sheet"`
	Changes int     `json:"changes"`
	Rows    int     `json:"rows"`
	Limit   float64 `json:"limit"` // the allowed share, 0..1
}

// Error says what the run would have done and how to go ahead.
func (e *TooManyChangesError) Error() string {
	return fmt.Sprintf("sync of %q would overwrite %d of %d records in Salesforce (more than %.0f%%); check the plan and run again with force to confirm",
		e.Sheet, e.Changes, e.Rows, e.Limit*100)
}

// Is makes errors.Is(err, ErrSyncAborted) true.
func (e *TooManyChangesError) Is(target error) bool { return target == ErrSyncAborted }

// SheetSyncError is one sheet's failure within SyncAll, which goes on to
// the next sheet and joins them (errors.Join): it says which sheet (and
// so which run, Run.SheetID) the error belongs to, so a report can put
// each error beside its own run rather than the last one.
type SheetSyncError struct {
	SheetID string
	Sheet   string // the sheet's name
	Err     error
}

// Error names the sheet, then the cause.
func (e *SheetSyncError) Error() string { return fmt.Sprintf("sync %q: %v", e.Sheet, e.Err) }

// Unwrap returns the cause, so errors.Is and errors.As see through.
func (e *SheetSyncError) Unwrap() error { return e.Err }

// ErrOtherOrg is matched by *OtherOrgError: the sheet (or the run) belongs
// to another Salesforce org than the connected one, so nothing is read into
// it or sent from it. Connect the sheet's org, or re-bind the sheet.
var ErrOtherOrg = errors.New("sheet belongs to another Salesforce org")

// OtherOrgError refuses a run against an org the sheet was not synced with:
// a sandbox shares record ids with its production org, so without this a
// sheet pulled from one would overwrite the other's records.
type OtherOrgError struct {
	Sheet string     // sheet name, or "run N" for a revert
	Bound OrgBinding // the org the sheet belongs to
	Now   OrgBinding // the connected org
}

// Error names both orgs and the two ways on.
func (e *OtherOrgError) Error() string {
	return fmt.Sprintf("%s belongs to Salesforce org %s, but the connected org is %s; connect %s again, or re-bind the sheet to %s (a full pull that matches rows by key)",
		e.Sheet, e.Bound.Describe(), e.Now.Describe(), e.Bound.Describe(), e.Now.Describe())
}

// Is makes errors.Is(err, ErrOtherOrg) true.
func (e *OtherOrgError) Is(target error) bool { return target == ErrOtherOrg }

// CodeUnconfirmed is the status code of a history outcome whose row was
// sent but whose answer from Salesforce was lost (Salesforce's own word
// for it in this app: OUTCOME_UNKNOWN). Such a run is partial; the next run
// reconciles the row by key before sending anything.
const CodeUnconfirmed = crm.CodeOutcomeUnknown
