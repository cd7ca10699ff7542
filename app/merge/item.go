package merge

import (
	"maps"
	"slices"
	"time"

	"crmsheets/sheets"
)

// Action summarises what a plan item does to a row, for counts and for the
// plan's list view. The maps of [Item] are authoritative: an Update may also
// refresh cells, and a Conflict row may send and refresh its other columns.
type Action uint8

// Plan actions, from the row's point of view.
const (
	Unchanged       Action = iota // nothing to send, refresh or settle (the base may still move, see Item.Writes)
	Update                        // sends fields of an existing record (and may refresh others)
	Refresh                       // takes values from Salesforce into the sheet only
	Create                        // creates a record from the row
	Conflict                      // at least one column is kept as a conflict for review
	DeletedRemotely               // the record is gone from Salesforce; the row is kept and marked
	Skip                          // nothing is done; Item.Reason says why
)

var actionNames = [...]string{"unchanged", "update", "refresh", "create", "conflict", "deleted-remotely", "skip"}

// String returns the action's stable lower-case name, used in logs and
// history.
func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return "unknown"
}

// Side names the side whose value a settled conflict keeps.
type Side uint8

// Sides of a conflict. SideNone means the conflict is kept for review.
const (
	SideNone Side = iota
	SideSheet
	SideSalesforce
)

var sideNames = [...]string{"none", "sheet", "salesforce"}

// String returns the side's stable lower-case name.
func (s Side) String() string {
	if int(s) < len(sideNames) {
		return sideNames[s]
	}
	return "unknown"
}

// Change is one field to send. Before is Salesforce's value when the plan
// was made ("" for creates): the plan shows it in the diff, and a push run
// keeps it so that the run can be reverted. After is the sheet's value; ""
// means the field is cleared (sent as null).
type Change struct {
	Before string
	After  string
}

// FieldConflict is one column changed differently in the sheet and in
// Salesforce since the base. BaseKnown is false for rows never synced, whose
// Base is then "". Winner is the side the policy kept, or SideNone when the
// conflict stays on the row for the user to settle.
type FieldConflict struct {
	Base      string
	BaseKnown bool
	Sheet     string
	Remote    string
	Winner    Side
}

// Kept reports whether the conflict stays on the row for review.
func (c FieldConflict) Kept() bool { return c.Winner == SideNone }

// HoldReason says why a sheet edit is held: kept in the cell but not sent.
type HoldReason uint8

// Hold reasons. Both come from the column's blank rule, never from the
// conflict policy.
const (
	// HeldBlank: the user blanked a synced value in a column whose blank
	// cells leave Salesforce as it is (BlankLeave or BlankFillEmpty).
	HeldBlank HoldReason = iota + 1
	// HeldFillOnly: a changed value in a BlankFillEmpty column where
	// Salesforce already has a value, which enrichment never overwrites.
	HeldFillOnly
)

var holdNames = [...]string{"", "blank-kept", "fill-only"}

// String returns the reason's stable lower-case name.
func (h HoldReason) String() string {
	if int(h) < len(holdNames) {
		return holdNames[h]
	}
	return "unknown"
}

// Held is a sheet edit a push or both-ways sync does not send because of the
// column's blank rule. The cell keeps the user's value (nothing the user
// typed or erased is undone) and the row stays modified, so the engine must
// report it: Salesforce keeps Remote until the user changes the column's
// blank rule or the cell.
type Held struct {
	Sheet  string // the cell ("" for a blanked cell)
	Remote string // Salesforce's value, which stays
	Reason HoldReason
}

// Item is the plan for one row. Maps are keyed by column id and are nil when
// empty. Item values are produced by [Planner.Plan] and consumed by
// [Planner.Apply]; callers read them but should not build them by hand.
type Item struct {
	RowID    sheets.RowID
	RecordID string // the record the row is reconciled with; "" for creates and skips
	Matched  bool   // RecordID came from a key lookup: Apply stores it on the row
	Action   Action
	// Beside Matched and Action, in the word they leave: a Bulk push keeps
	// an item per row until its job ends.
	writes       bool
	rowBaseKnown bool   // the row had a base of its own the plan compared with
	Reason       string // why a row is skipped

	// Send lists the fields to write to Salesforce (for creates, every
	// non-blank writable column).
	Send map[string]Change
	// Refresh lists the cells to take from Salesforce ("" blanks the cell).
	// Their base becomes the same value.
	Refresh map[string]string
	// Rebase lists columns whose base moves without their cell changing:
	// the sheet already holds Salesforce's value, or (pull with the sheet
	// winning) the sheet's value will be sent by the next push.
	Rebase map[string]string
	// Conflicts lists every column changed on both sides, settled or kept.
	Conflicts map[string]FieldConflict
	// Held lists sheet edits the columns' blank rules keep from being sent
	// (push and both only); the cells stay as they are.
	Held map[string]Held

	// RemoteModified is Salesforce's LastModifiedDate for the record when
	// the plan was made; Apply stores it on the row.
	RemoteModified time.Time
}

// Same reports whether it and o are the same item, field by field and
// entry by entry, as reflect.DeepEqual would say (a nil map and an empty
// one differ), without its reflection and boxing: a Bulk push compares
// each row's item with the few plans its lean rows share. Times compare
// with ==, stricter than DeepEqual only for two distinct but identical
// *time.Location: never a false match.
func (it *Item) Same(o *Item) bool {
	return it.RowID == o.RowID && it.RecordID == o.RecordID && it.Matched == o.Matched &&
		it.Action == o.Action && it.writes == o.writes && it.rowBaseKnown == o.rowBaseKnown &&
		it.Reason == o.Reason && it.RemoteModified == o.RemoteModified &&
		sameMap(it.Send, o.Send) && sameMap(it.Refresh, o.Refresh) && sameMap(it.Rebase, o.Rebase) &&
		sameMap(it.Conflicts, o.Conflicts) && sameMap(it.Held, o.Held)
}

// sameMap is maps.Equal that also tells a nil map from an empty one, as
// reflect.DeepEqual does.
func sameMap[V comparable](a, b map[string]V) bool {
	return (a == nil) == (b == nil) && maps.Equal(a, b)
}

// Writes reports whether applying the item (with every send succeeding)
// changes the row or Salesforce. A planned sync whose items all report false
// is a no-op and needs no transaction.
func (it *Item) Writes() bool { return it.writes }

// KeptConflicts returns the number of conflicts left for review.
func (it *Item) KeptConflicts() int {
	n := 0
	for _, c := range it.Conflicts {
		if c.Kept() {
			n++
		}
	}
	return n
}

// SendColumns returns the ids of the columns to send, sorted, so plans and
// reports list them in a stable order.
func (it *Item) SendColumns() []string { return sortedKeys(it.Send) }

// RefreshColumns returns the ids of the cells to refresh, sorted.
func (it *Item) RefreshColumns() []string { return sortedKeys(it.Refresh) }

// HeldColumns returns the ids of the held columns, sorted.
func (it *Item) HeldColumns() []string { return sortedKeys(it.Held) }

// ConflictColumns returns the ids of the columns in conflict, sorted.
func (it *Item) ConflictColumns() []string { return sortedKeys(it.Conflicts) }

// EachSend calls fn with each field to send, in column order like
// SendColumns. It allocates nothing for the few columns a row sends: a
// push of 100k rows walks every row's sends while planning.
//
// The Each methods are kept from being inlined: called across packages,
// an inlined call to the generic eachSorted loses its proof that fn does
// not escape, and every closure a caller passes would be allocated.
//
//go:noinline
func (it *Item) EachSend(fn func(col string, ch Change)) { eachSorted(it.Send, fn) }

// EachRefresh calls fn with each cell to refresh, in column order, like
// EachSend.
//
//go:noinline
func (it *Item) EachRefresh(fn func(col, value string)) { eachSorted(it.Refresh, fn) }

// EachConflict calls fn with each column in conflict, in column order,
// like EachSend.
//
//go:noinline
func (it *Item) EachConflict(fn func(col string, c FieldConflict)) { eachSorted(it.Conflicts, fn) }

// EachHeld calls fn with each held column, in column order, like
// EachSend.
//
//go:noinline
func (it *Item) EachHeld(fn func(col string, h Held)) { eachSorted(it.Held, fn) }

// sortedKeys returns m's keys sorted, nil for an empty map (without the
// iterator closures slices.Sorted(maps.Keys(m)) allocates even then).
func sortedKeys[V any](m map[string]V) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// sortBuf is how many keys eachSorted sorts on the stack; a map with more
// sorts them in a slice of its own.
const sortBuf = 16

// eachSorted calls fn with each entry of m in key order. Up to sortBuf
// keys it allocates nothing, so per-row walks of an item's maps stay free.
func eachSorted[V any](m map[string]V, fn func(k string, v V)) {
	if len(m) <= 1 {
		for k, v := range m {
			fn(k, v)
		}
		return
	}
	var buf [sortBuf]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fn(k, m[k])
	}
}

// Counts sums a plan by action, for the dry-run summary and run history.
type Counts struct {
	Unchanged       int
	Updates         int
	Refreshes       int
	Creates         int
	Conflicts       int // rows with at least one conflict kept for review
	Settled         int // conflicts (columns) settled by the policy
	DeletedRemotely int
	Skipped         int
	Writes          int // items that change the row or Salesforce
}

// Add counts one item.
func (c *Counts) Add(it *Item) {
	switch it.Action {
	case Unchanged:
		c.Unchanged++
	case Update:
		c.Updates++
	case Refresh:
		c.Refreshes++
	case Create:
		c.Creates++
	case Conflict:
		c.Conflicts++
	case DeletedRemotely:
		c.DeletedRemotely++
	case Skip:
		c.Skipped++
	}
	c.Settled += len(it.Conflicts) - it.KeptConflicts()
	if it.writes {
		c.Writes++
	}
}
