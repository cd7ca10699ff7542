package emulator

import (
	"math"
	"time"
)

// Roll-up summary fields. Salesforce recomputes a roll-up summary field of
// a master record when a detail record changes, and the recalculation moves
// the master's SystemModstamp but not its LastModifiedDate or
// LastModifiedById (nobody edited the master). That is why a sync that
// filters on LastModifiedDate misses such changes and one on SystemModstamp
// catches them. The demo org models one: Account.Total_Opportunity_Amount__c,
// the sum of its opportunities' Amount.
// https://help.salesforce.com/s/articleView?id=sf.fields_about_roll_up_summary_fields.htm

// rollupField is the Account field the demo org keeps as a roll-up.
const rollupField = "Total_Opportunity_Amount__c"

// rollupOf names, per detail object, the master reference, the summed
// field and the master's roll-up field.
var rollupOf = map[string]struct{ ref, summed, master, field string }{
	"Opportunity": {ref: "AccountId", summed: "Amount", master: "Account", field: rollupField},
}

// rollup recomputes the master roll-ups a detail write (old → new; either
// may be nil) moves, as part of the same transaction. The caller holds
// s.mu through tx.
func (tx *writeTxn) rollup(t *table, old, new *record) {
	spec, ok := rollupOf[t.obj.Name]
	if !ok {
		return
	}
	refF, okR := t.obj.Field(spec.ref)
	sumF, okS := t.obj.Field(spec.summed)
	mo, okM := tx.s.schema.Object(spec.master)
	if !okR || !okS || !okM {
		return
	}
	mt := tx.s.tables[mo]
	target, okF := mo.Field(spec.field)
	if mt == nil || !okF {
		return
	}
	contribution := func(r *record) (string, float64) {
		if r == nil || r.deleted(t.obj) {
			return "", 0
		}
		ref, _ := r.vals[refF.index].(string)
		amt, _ := r.vals[sumF.index].(float64)
		return ref, amt
	}
	oldRef, oldAmt := contribution(old)
	newRef, newAmt := contribution(new)
	if oldRef == newRef && oldAmt == newAmt {
		return
	}
	stamp := tx.now
	if new != nil {
		// A seeded or back-dated detail (system writes) dates its master's
		// recalculation, so seeds keep their history.
		if s, ok := new.vals[t.obj.modstampIdx].(string); ok {
			if ts, ok := parseDateTime(s); ok && ts.Before(stamp) {
				stamp = ts
			}
		}
	}
	tx.addToRollup(mt, target, oldRef, -oldAmt, stamp)
	tx.addToRollup(mt, target, newRef, newAmt, stamp)
}

// addToRollup adds delta to the master's roll-up field and moves only its
// SystemModstamp (never earlier than it was).
func (tx *writeTxn) addToRollup(mt *table, target *Field, id string, delta float64, stamp time.Time) {
	if id == "" || delta == 0 {
		return
	}
	id18, err := Normalize18(id)
	if err != nil {
		return
	}
	old, ok := mt.get(id18)
	if !ok {
		return
	}
	rec := old.clone()
	cur, _ := rec.vals[target.index].(float64)
	rec.vals[target.index] = math.Round((cur+delta)*100) / 100
	o := mt.obj
	if prev, ok := rec.vals[o.modstampIdx].(string); ok {
		if pt, ok := parseDateTime(prev); ok && pt.After(stamp) {
			stamp = pt
		}
	}
	rec.vals[o.modstampIdx] = formatDateTime(stamp)
	mt.put(rec, tx.now)
	tx.changes = append(tx.changes, change{t: mt, old: old, new: rec})
}
