package merge

import (
	"fmt"
	"testing"
	"time"

	"crmsheets/sheets"
)

// FuzzMerge plans random rows of up to five columns and checks the
// invariants of checkInvariants: no read-only column sent, no local edit
// lost without a rule saying Salesforce prevails, both sides equal after
// applying (except conflicts under review and pull's kept edits), and
// idempotence: planning again after applying writes nothing. The seed corpus
// runs in every go test.
func FuzzMerge(f *testing.F) {
	f.Add(uint8(0), uint8(0), false, int8(0), []byte{0x01, 0, 1, 2, 3})
	f.Add(uint8(1), uint8(1), true, int8(1), []byte{0x00, 0x00, 1, 1, 1, 0x02, 2, 2, 3})
	f.Add(uint8(2), uint8(2), true, int8(-1), []byte{0x04, 0x10, 1, 2, 3, 0x20, 1, 0, 2, 0x08, 3, 3, 0})
	f.Add(uint8(2), uint8(3), false, int8(1), []byte{0x03, 0x40, 0, 1, 2, 0x00, 1, 2, 1})
	f.Add(uint8(1), uint8(3), true, int8(0), []byte{0x02, 0x00, 1, 2, 3})
	f.Add(uint8(2), uint8(4), true, int8(0), []byte{0x80, 0x04, 1, 2, 3, 0x01, 0, 0, 0})
	f.Fuzz(func(t *testing.T, dirB, policyB uint8, createMissing bool, newer int8, data []byte) {
		sc, ok := decodeScenario(dirB, policyB, createMissing, newer, data)
		if !ok {
			t.Skip()
		}
		checkInvariants(t, sc)
	})
}

var fuzzValues = []string{"", "a", "b", "Ünïcode, with; separators"}

// decodeScenario turns fuzz bytes into a row: the first byte holds row
// flags (record id, base, remote, state), then four bytes per column: flags
// (read-only, blank policy, mapped, unknown base) and the indexes of the
// base, sheet and remote values.
func decodeScenario(dirB, policyB uint8, createMissing bool, newer int8, data []byte) (scenario, bool) {
	if len(data) < 1 {
		return scenario{}, false
	}
	dirs := []sheets.Direction{sheets.Pull, sheets.Push, sheets.Both}
	policies := []sheets.Policy{sheets.PolicySalesforceWins, sheets.PolicySheetWins, sheets.PolicyMostRecent, sheets.PolicyReview, ""}
	blanks := []sheets.BlankPolicy{sheets.BlankLeave, sheets.BlankClear, sheets.BlankFillEmpty, sheets.BlankLeave}
	flags := data[0]
	data = data[1:]
	sc := scenario{opts: Options{
		Direction:     dirs[int(dirB)%len(dirs)],
		Policy:        policies[int(policyB)%len(policies)],
		CreateMissing: createMissing,
	}}
	row := &sheets.Row{ID: 1, Cells: map[string]string{}, State: sheets.State(flags>>4) % 7, LocalEdited: t0.Add(time.Duration(newer) * time.Minute)}
	if flags&1 == 0 {
		row.RecordID = recordID
	}
	if flags&2 == 0 {
		row.Base = map[string]string{}
	}
	var remote *Remote
	if flags&4 == 0 {
		remote = &Remote{RecordID: recordID, Values: map[string]string{}, Modified: t0}
	}
	for i := 0; len(data) >= 4 && i < 5; i++ {
		cf, b, s, r := data[0], data[1], data[2], data[3]
		data = data[4:]
		id := fmt.Sprintf("c%d", i)
		col := sheets.Column{ID: id, Name: id, Type: sheets.TypeText, ReadOnly: cf&1 != 0, Blank: blanks[(cf>>1)&3]}
		if cf&0x08 == 0 {
			col.Field = "Field" + id
		}
		sc.cols = append(sc.cols, col)
		if v := fuzzValues[int(s)%len(fuzzValues)]; v != "" {
			row.Cells[id] = v
		}
		if row.Base != nil {
			if cf&0x10 != 0 {
				row.Base[id] = UnknownBase
			} else if v := fuzzValues[int(b)%len(fuzzValues)]; v != "" {
				row.Base[id] = v
			}
		}
		if v := fuzzValues[int(r)%len(fuzzValues)]; v != "" && remote != nil && col.Mapped() {
			remote.Values[id] = v
		}
	}
	sc.row, sc.remote = row, remote
	return sc, true
}
