package app

import (
	"crmsheets/sheets"
)

// SyncOptions say how one run goes. Zero fields take the sheet's settings.
type SyncOptions struct {
	// Direction: pull, push or both; "" = the sheet's setting, else both.
	Direction sheets.Direction
	// Policy settles fields changed on both sides; "" = the sheet's
	// setting, else review.
	Policy sheets.Policy
	// Full pulls every record matching the filter instead of those changed
	// since the watermark (minus the lookback).
	Full bool
	// Trigger is recorded in history (manual, scheduled, cli); "" = manual.
	Trigger sheets.Trigger
	// Force passes the safety rail (see TooManyChangesError) after the
	// user confirmed the plan.
	Force bool
	// rebind marks the full pull of RebindSheet: the org check is skipped
	// and rows without a record id are matched by key and attached keeping
	// their last synced values as the base.
	rebind bool
}

// resolve fills defaults from the sheet.
func (o SyncOptions) resolve(sh *sheets.Sheet) SyncOptions {
	if o.Direction == "" {
		o.Direction = sh.Sync.Direction
	}
	if o.Direction == "" {
		o.Direction = sheets.Both
	}
	if o.Policy == "" {
		o.Policy = sh.Sync.EffectivePolicy()
	}
	if o.Trigger == "" {
		o.Trigger = sheets.TriggerManual
	}
	return o
}

// Progress is one progress event of a run. Phase is a short word the UI
// shows ("pull", "reconcile", "push", "read back", "revert"); Total is 0
// when unknown.
type Progress struct {
	Phase string
	Done  int
	Total int
}

// Run phases reported in Progress.
const (
	PhasePull      = "pull"
	PhaseReconcile = "reconcile"
	PhasePush      = "push"
	// PhaseReadBack: the records a push wrote are read back, so formula
	// fields and values Salesforce set are current in the sheet.
	PhaseReadBack = "read back"
	PhaseRevert   = "revert"
)
