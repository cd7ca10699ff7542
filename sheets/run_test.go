package sheets

import (
	"testing"
	"time"
)

// TestRunTookAndSalesforceWait: a finished run's time and its wait for
// Salesforce (never more than the time); no time for a run still going or
// interrupted (its end is the app's next start), and no wait for a run
// that made calls before runs kept the figure.
func TestRunTookAndSalesforceWait(t *testing.T) {
	start := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		run       Run
		took      time.Duration
		wait      time.Duration
		waitKnown bool
	}{
		{"finished", Run{Status: RunSucceeded, Started: start, Ended: start.Add(3 * time.Second), APICalls: 4, SalesforceTime: time.Second}, 3 * time.Second, time.Second, true},
		{"wait over the time (another run's calls)", Run{Status: RunSucceeded, Started: start, Ended: start.Add(time.Second), APICalls: 4, SalesforceTime: 2 * time.Second}, time.Second, time.Second, true},
		{"no calls", Run{Status: RunSucceeded, Started: start, Ended: start.Add(time.Second)}, time.Second, 0, true},
		{"before runs kept the wait", Run{Status: RunSucceeded, Started: start, Ended: start.Add(time.Second), APICalls: 2}, time.Second, 0, false},
		{"running", Run{Status: RunRunning, Started: start, APICalls: 2, SalesforceTime: time.Second}, 0, 0, false},
		{"interrupted", Run{Status: RunInterrupted, Started: start, Ended: start.Add(26 * time.Hour), APICalls: 2, SalesforceTime: time.Second}, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wait, ok := tt.run.SalesforceWait()
			if got := tt.run.Took(); got != tt.took || wait != tt.wait || ok != tt.waitKnown {
				t.Errorf("Took %v, SalesforceWait %v %v; want %v, %v %v", got, wait, ok, tt.took, tt.wait, tt.waitKnown)
			}
		})
	}
}
