package merge

import "crmsheets/sheets"

// verdict is what happens to one column of one row.
type verdict uint8

const (
	keepAsIs     verdict = iota // cell and base stay as they are
	rebaseOnly                  // the base becomes Salesforce's value; the cell stays
	refreshCell                 // the cell and the base take Salesforce's value
	sendSheet                   // Salesforce takes the cell's value; so does the base once sent
	keepConflict                // changed on both sides, kept for review: nothing moves
)

// fieldState is the three values of one column, plus what the planner knows
// of the row and column.
type fieldState struct {
	base, sheet, remote string
	baseKnown           bool // false for rows never synced
	readOnly            bool
	blank               sheets.BlankPolicy
}

// fieldDecision is the verdict for a column and, when it was changed on both
// sides, which side won. held is set when the column's blank rule kept a
// sheet edit from being sent (the verdict then keeps the cell as it is).
type fieldDecision struct {
	verdict  verdict
	conflict bool
	winner   Side
	held     HoldReason
}

// hold keeps a sheet edit the column's blank rule does not send: the cell
// stays as the user left it, and the base follows Salesforce's value so the
// next sync compares against what Salesforce holds (after the user switches
// the column to BlankClear, the edit is a change of the sheet only and is
// sent).
func hold(f fieldState, why HoldReason) fieldDecision {
	if f.baseKnown && f.base == f.remote {
		return fieldDecision{verdict: keepAsIs, held: why}
	}
	return fieldDecision{verdict: rebaseOnly, held: why}
}

// decide applies the rules of the package comment to one column. sheetNewer
// tells the most-recent policy that the row's local edit is strictly later
// than Salesforce's LastModifiedDate.
func decide(dir sheets.Direction, policy sheets.Policy, sheetNewer bool, f fieldState) fieldDecision {
	s, r, b := f.sheet, f.remote, f.base
	// Line endings are not edits (sheets.SameText): a value that differs
	// from another only by CRLF, CR or LF counts as the same value, so it
	// is never sent; at most the cell takes Salesforce's exact text.
	if f.readOnly || sheets.SameText(s, r) {
		switch {
		case s != r:
			return fieldDecision{verdict: refreshCell}
		case !f.baseKnown || b != r:
			return fieldDecision{verdict: rebaseOnly}
		}
		return fieldDecision{verdict: keepAsIs}
	}
	// From here the sheet and Salesforce disagree.
	sending := dir != sheets.Pull
	if sending && s == "" && f.blank != sheets.BlankClear {
		if f.baseKnown && b != "" {
			// The user blanked a synced value: not sent, and not undone.
			return hold(f, HeldBlank)
		}
		// A blank the user never typed: Salesforce's value fills it.
		return fieldDecision{verdict: refreshCell}
	}
	sheetChanged := !f.baseKnown || !sheets.SameText(s, b)
	remoteChanged := !f.baseKnown || !sheets.SameText(r, b)
	if !sheetChanged {
		return fieldDecision{verdict: refreshCell}
	}
	bothChanged := remoteChanged && (f.baseKnown || dir == sheets.Both)
	if sending && f.blank == sheets.BlankFillEmpty {
		// Enrichment: write only where Salesforce is blank, keep its value
		// everywhere else.
		if r == "" {
			return fieldDecision{verdict: sendSheet, conflict: bothChanged, winner: SideSheet}
		}
		return hold(f, HeldFillOnly)
	}
	if !remoteChanged {
		if sending {
			return fieldDecision{verdict: sendSheet}
		}
		return fieldDecision{verdict: keepAsIs} // a pull keeps local edits
	}
	if !f.baseKnown && dir != sheets.Both {
		// Never synced: no ancestor to compare with. A pull takes
		// Salesforce's values, a push sends the sheet's.
		if sending {
			return fieldDecision{verdict: sendSheet}
		}
		return fieldDecision{verdict: refreshCell}
	}
	switch winner(policy, sheetNewer) {
	case SideSalesforce:
		return fieldDecision{verdict: refreshCell, conflict: true, winner: SideSalesforce}
	case SideSheet:
		if sending {
			return fieldDecision{verdict: sendSheet, conflict: true, winner: SideSheet}
		}
		// A pull cannot send: keep the sheet's value and move the base to
		// Salesforce's, so the conflict is settled and the next push sends it.
		return fieldDecision{verdict: rebaseOnly, conflict: true, winner: SideSheet}
	}
	return fieldDecision{verdict: keepConflict, conflict: true}
}

// winner is the side a conflict policy keeps; SideNone keeps the conflict.
func winner(policy sheets.Policy, sheetNewer bool) Side {
	switch policy {
	case sheets.PolicySalesforceWins:
		return SideSalesforce
	case sheets.PolicySheetWins:
		return SideSheet
	case sheets.PolicyMostRecent:
		if sheetNewer {
			return SideSheet
		}
		return SideSalesforce
	}
	return SideNone
}
