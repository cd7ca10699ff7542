package app

import (
	"fmt"
	"strings"

	"crmsheets/app/merge"
	"crmsheets/sheets"
)

// BlankPolicyLabel is the name the user sees for a column's blank cells
// option. Messages about held edits quote it, so the UI should show the
// option under the same words.
func BlankPolicyLabel(p sheets.BlankPolicy) string {
	switch p {
	case sheets.BlankClear:
		return "Clear the field"
	case sheets.BlankFillEmpty:
		return "Fill only where Salesforce is blank"
	}
	return "Leave Salesforce as it is"
}

// heldMessage explains, for a sales-ops user, one edit a push kept in the
// cell but did not send because of the column's blank cells option: what
// Salesforce keeps, and the two ways out (send it, or undo the edit).
func (e *engine) heldMessage(colID string, h merge.Held) string {
	name, blank := colID, sheets.BlankLeave
	if col, ok := e.sh.Column(colID); ok {
		name, blank = col.Name, col.Blank
	}
	option := fmt.Sprintf("the column's blank cells option is %q", BlankPolicyLabel(blank))
	undo := fmt.Sprintf("or type %q back to keep Salesforce's value", h.Remote)
	if h.Reason == merge.HeldFillOnly {
		return fmt.Sprintf("%s %q was not sent: Salesforce already has %q and %s; to overwrite it, set the column's blank cells option to %q and push again, %s",
			name, h.Sheet, h.Remote, option, BlankPolicyLabel(sheets.BlankLeave), undo)
	}
	return fmt.Sprintf("%s was left blank but not cleared in Salesforce (%s, so Salesforce keeps %q); to erase it in Salesforce, set the column's blank cells option to %q and push again, %s",
		name, option, h.Remote, BlankPolicyLabel(sheets.BlankClear), undo)
}

// heldReport is the message and the fields of a row's held edits ("" when
// it has none), for the row, its outcome and the plan.
func (e *engine) heldReport(it *merge.Item) (string, []string) {
	if len(it.Held) == 0 {
		return "", nil
	}
	cols := it.HeldColumns()
	msgs := make([]string, len(cols))
	for i, id := range cols {
		msgs[i] = e.heldMessage(id, it.Held[id])
	}
	return strings.Join(msgs, "; "), e.fieldNames(cols)
}

// heldOutcome records a row's held edits in the history: an OpSkip outcome
// whose status code says the blank cells option kept them, whether or not
// the row's other changes were sent. It is not OK, like every skip, so the
// history lists it with the records that need the user.
func (e *engine) heldOutcome(r *sheets.Row, it *merge.Item) (sheets.RecordOutcome, bool) {
	msg, fields := e.heldReport(it)
	if msg == "" {
		return sheets.RecordOutcome{}, false
	}
	e.heldRows++
	if e.heldFirst == "" {
		e.heldFirst = msg
	}
	o := e.outcome(r, it.RecordID, sheets.OpSkip)
	o.StatusCode, o.Message, o.Fields = codeHeldByBlankOption, msg, fields
	return o, true
}

// heldRunMessage is the run's message when edits were held: the single
// row's explanation, or how many rows to look at.
func (e *engine) heldRunMessage() string {
	switch e.heldRows {
	case 0:
		return ""
	case 1:
		return "1 row kept an edit that was not sent: " + e.heldFirst
	}
	return fmt.Sprintf("%d rows kept edits that were not sent because of their columns' blank cells option; each row's outcome says why and how to send them", e.heldRows)
}
