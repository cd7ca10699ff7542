package merge

import (
	"reflect"
	"testing"
	"time"
)

// TestItemSameAgreesWithDeepEqual checks Item.Same against reflect.DeepEqual
// on every pair of a set of items that differ from a full one in one field
// each (a map entry's key, a value, a nil map against an empty one), plus
// the empty item: a push shares one plan between rows only when their items
// are truly equal.
func TestItemSameAgreesWithDeepEqual(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 8, time.UTC)
	full := func() Item {
		return Item{
			RowID: 7, RecordID: "003000000000001AAA", Matched: true, Action: Conflict,
			writes: true, rowBaseKnown: true, Reason: "why",
			Send:           map[string]Change{"c1": {Before: "a", After: "b"}, "c2": {After: "x"}},
			Refresh:        map[string]string{"c3": "r"},
			Rebase:         map[string]string{"c4": "base"},
			Conflicts:      map[string]FieldConflict{"c5": {Base: "b", BaseKnown: true, Sheet: "s", Remote: "r", Winner: SideSheet}},
			Held:           map[string]Held{"c6": {Sheet: "", Remote: "v", Reason: HeldBlank}},
			RemoteModified: at,
		}
	}
	muts := map[string]func(*Item){
		"row":            func(it *Item) { it.RowID = 8 },
		"record":         func(it *Item) { it.RecordID = "003000000000002AAA" },
		"matched":        func(it *Item) { it.Matched = false },
		"action":         func(it *Item) { it.Action = Update },
		"writes":         func(it *Item) { it.writes = false },
		"rowBaseKnown":   func(it *Item) { it.rowBaseKnown = false },
		"reason":         func(it *Item) { it.Reason = "" },
		"modified":       func(it *Item) { it.RemoteModified = at.Add(time.Nanosecond) },
		"modified zero":  func(it *Item) { it.RemoteModified = time.Time{} },
		"send before":    func(it *Item) { it.Send["c1"] = Change{Before: "A", After: "b"} },
		"send after":     func(it *Item) { it.Send["c2"] = Change{After: "y"} },
		"send key":       func(it *Item) { delete(it.Send, "c2"); it.Send["c9"] = Change{After: "x"} },
		"send less":      func(it *Item) { delete(it.Send, "c2") },
		"send more":      func(it *Item) { it.Send["c7"] = Change{} },
		"send nil":       func(it *Item) { it.Send = nil },
		"send empty":     func(it *Item) { it.Send = map[string]Change{} },
		"refresh value":  func(it *Item) { it.Refresh["c3"] = "" },
		"refresh nil":    func(it *Item) { it.Refresh = nil },
		"refresh empty":  func(it *Item) { it.Refresh = map[string]string{} },
		"rebase key":     func(it *Item) { it.Rebase = map[string]string{"c8": "base"} },
		"rebase nil":     func(it *Item) { it.Rebase = nil },
		"conflict known": func(it *Item) { c := it.Conflicts["c5"]; c.BaseKnown = false; it.Conflicts["c5"] = c },
		"conflict win":   func(it *Item) { c := it.Conflicts["c5"]; c.Winner = SideNone; it.Conflicts["c5"] = c },
		"conflict nil":   func(it *Item) { it.Conflicts = nil },
		"held reason":    func(it *Item) { h := it.Held["c6"]; h.Reason = HeldFillOnly; it.Held["c6"] = h },
		"held sheet":     func(it *Item) { h := it.Held["c6"]; h.Sheet = "s"; it.Held["c6"] = h },
		"held empty":     func(it *Item) { it.Held = map[string]Held{} },
	}
	items := map[string]Item{"full": full(), "zero": {}, "zero again": {}, "lean": {Action: Update, writes: true, rowBaseKnown: true}}
	for name, mut := range muts {
		it := full()
		mut(&it)
		items[name] = it
	}
	items["full again"] = full()
	for an, a := range items {
		for bn, b := range items {
			if got, want := a.Same(&b), reflect.DeepEqual(a, b); got != want {
				t.Errorf("%s.Same(%s) = %v, reflect.DeepEqual says %v", an, bn, got, want)
			}
		}
	}
	if a, b := full(), full(); !a.Same(&b) {
		t.Error("two equal items are not the same")
	}
}

// TestEachSortedOrder checks that eachSorted and the item's Each methods
// walk entries in key order, past the keys it sorts on the stack too.
func TestEachSortedOrder(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, sortBuf, sortBuf + 5} {
		m := map[string]int{}
		for i := range n {
			m[string(rune('a'+n-1-i))+"x"] = i
		}
		var got []string
		eachSorted(m, func(k string, v int) {
			if m[k] != v {
				t.Errorf("n=%d: key %q came with %d, want %d", n, k, v, m[k])
			}
			got = append(got, k)
		})
		if want := sortedKeys(m); !reflect.DeepEqual(got, want) {
			t.Errorf("n=%d: eachSorted walked %q, want %q", n, got, want)
		}
	}
	it := Item{Send: map[string]Change{"b": {After: "2"}, "a": {After: "1"}, "c": {After: "3"}}}
	var cols []string
	it.EachSend(func(col string, ch Change) { cols = append(cols, col+"="+ch.After) })
	if want := []string{"a=1", "b=2", "c=3"}; !reflect.DeepEqual(cols, want) {
		t.Errorf("EachSend walked %q, want %q", cols, want)
	}
}
