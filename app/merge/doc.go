// Package merge is the pure three-way merge of the sync engine: for one row
// it compares the sheet's cells, the base they were last synced against and
// the values Salesforce holds now, and returns a plan item saying what to
// send, what to refresh in the sheet, and which conflicts stay for the user.
//
// It does no I/O and keeps no state, like rclone bisync's delta computation,
// so every rule of the product's sync promise (DESIGN.md, "Sync semantics")
// is decided here and tested exhaustively. The engine in package app feeds it
// rows and the Salesforce values of their mapped fields (as canonical cell
// text, keyed by column id), sends what it plans, and calls [Planner.Apply]
// with the outcome.
//
// # Rules, per mapped column
//
// Let b be the base (the value last synced), s the sheet's cell and r the
// value in Salesforce now.
//
//   - s == r: nothing to send or refresh; the base moves to r when it differs.
//   - Only Salesforce changed (s == b, r != b): the cell is refreshed, in every
//     direction — a push never overwrites a change made only in Salesforce.
//   - Only the sheet changed (s != b, r == b): push and both send s. A pull
//     never sends and never overwrites it: the cell stays modified.
//   - Both changed differently: the conflict policy settles it.
//     [sheets.PolicySalesforceWins] refreshes the cell; [sheets.PolicySheetWins]
//     sends s (a pull keeps s and moves the base to r, so the next push sends
//     it); [sheets.PolicyMostRecent] picks Salesforce when its
//     LastModifiedDate is at or after the row's local edit time (a tie goes to
//     Salesforce), the sheet otherwise; [sheets.PolicyReview] keeps the
//     conflict on the row and overwrites nothing on either side.
//   - Read-only columns are never sent: they are always refreshed.
//   - Line endings are not edits: every comparison above uses
//     [sheets.SameText], so values differing only by CRLF, CR or LF are equal
//     (nothing is sent; the cell may take Salesforce's exact text).
//
// # Blank cells (push and both only)
//
// A pull never sends, so blank policies only matter when sending:
//
//   - [sheets.BlankLeave] (default): a blank cell is not a value to send.
//     A blank the user never typed (the base was blank too, or the row was
//     never synced) is filled with Salesforce's value. A synced value the
//     user blanked is held ([Item.Held], [HeldBlank]): not sent, and not
//     refreshed either, so the user's edit is not silently undone; the cell
//     stays blank, the row modified, its base follows Salesforce, and the
//     engine reports it. Switching the column to BlankClear sends it.
//   - [sheets.BlankClear]: a blank cell is a value like any other; sending it
//     clears the field (the engine sends null).
//   - [sheets.BlankFillEmpty] (enrichment): a blank cell behaves as with
//     BlankLeave; a changed non-blank cell is sent only where Salesforce is
//     blank, otherwise it is held ([HeldFillOnly]): Salesforce keeps its
//     value and the cell keeps the user's. This column rule settles the
//     column by itself, before the conflict policy.
//
// # Rows never synced
//
// A row without a base (never synced) but with a record (its own id, or one a
// key-column lookup found) has no common ancestor: every difference between
// the sheet and Salesforce counts as changed on both sides. A pull refreshes
// the cell, a push sends the sheet's value, and a bidirectional sync applies
// the conflict policy exactly as for a conflict. With review, such columns
// keep [UnknownBase] as their base until the user settles them, so the next
// sync sees the same situation.
//
// # Rows, not columns
//
// A row with a record id that Salesforce no longer returns is
// [DeletedRemotely]; nothing is sent or refreshed and its cells are kept. A
// row without a record id that no key lookup matched is a [Create] on push
// and bidirectional syncs when the sheet allows creating records, otherwise
// [Skip] with a reason. Rows waiting for a create outcome (create-pending)
// must be reconciled by a key lookup before planning: what reaches the
// planner unmatched is created.
package merge
