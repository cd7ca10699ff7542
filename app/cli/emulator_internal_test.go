package cli

import (
	"testing"
	"time"
)

func TestParseClockOffset(t *testing.T) {
	day := 24 * time.Hour
	for in, want := range map[string]time.Duration{
		"16d": 16 * day, "1d12h": day + 12*time.Hour, "-2h": -2 * time.Hour, "+3d": 3 * day,
		"90m": 90 * time.Minute, "-1d1h": -(day + time.Hour), "0d": 0,
	} {
		if got, err := parseClockOffset(in); err != nil || got != want {
			t.Errorf("parseClockOffset(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "16", "xd", "1d-2h", "16 days", "1.5d"} {
		if got, err := parseClockOffset(in); err == nil {
			t.Errorf("parseClockOffset(%q) = %v, want an error", in, got)
		}
	}
	if got := describeOffset(16 * day); got != "16 days ahead of" {
		t.Errorf("describeOffset(16d) = %q", got)
	}
}
