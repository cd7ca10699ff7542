package ui

import (
	"time"

	"crmsheets/app"
	"crmsheets/ui/uiloop"
)

// The API usage bar reads the figures of the last Salesforce response
// (Service.Status, free) after each piece of work that calls the API and
// every second of a run, and asks Salesforce for them
// (Service.RefreshUsage, one API call) at connection and every few minutes
// while connected, since other tools spend the same daily allowance.

const (
	// usagePollEvery is how often the bar asks Salesforce while connected.
	usagePollEvery = 5 * time.Minute
	// usageMinGap is the least time between two RefreshUsage calls: a burst
	// of runs and imports costs one call, not one each.
	usageMinGap = 30 * time.Second
)

// usageRefresher throttles the panel's RefreshUsage calls. Its fields are
// touched on the UI goroutine only.
type usageRefresher struct {
	pollEvery, minGap time.Duration
	last              time.Time // when the last RefreshUsage started
	pending           bool      // a refresh is scheduled for later
	polling           bool      // the poll loop is running
	calls             int       // RefreshUsage calls made (tests)
}

// usageChanged repaints the panel from the last response's figures, which
// every Salesforce response carries (Sforce-Limit-Info), so it costs no
// call. Only when none is known yet does it ask Salesforce, throttled. Call
// it on the UI goroutine after a run, an import, a revert or anything else
// that spent API calls.
func (p *connPanel) usageChanged() {
	st := p.mw.svc.Status()
	p.show(st)
	if st.State == app.StateConnected && st.APILimit == 0 {
		p.refreshThrottled()
	}
}

// refreshThrottled calls RefreshUsage now if the last call is older than
// minGap, otherwise once when it will be; calls in between coalesce.
func (p *connPanel) refreshThrottled() {
	u := &p.refresher
	if u.pending {
		return
	}
	wait := u.minGap - time.Since(u.last)
	if wait <= 0 {
		p.refreshNow()
		return
	}
	u.pending = true
	time.AfterFunc(wait, func() {
		uiloop.Do(func() {
			u.pending = false
			if p.mw.ctx.Err() == nil {
				p.refreshNow()
			}
		})
	})
}

// refreshNow reads the usage from Salesforce off the UI goroutine and
// repaints, unless the org is not connected (a call would only fail).
func (p *connPanel) refreshNow() {
	if p.mw.svc.Status().State != app.StateConnected {
		return
	}
	p.refresher.last = time.Now()
	p.refresher.calls++
	p.refresh(p.mw.ctx)
}

// startPolling refreshes the usage every pollEvery until the window
// closes; only the first call starts the loop. Each tick is skipped while
// the org is not connected.
func (p *connPanel) startPolling() {
	u := &p.refresher
	if u.polling {
		return
	}
	u.polling = true
	ctx, every := p.mw.ctx, u.pollEvery
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				uiloop.Do(p.refreshThrottled)
			}
		}
	}()
}
