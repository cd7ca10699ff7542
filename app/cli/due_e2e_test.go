package cli_test

import (
	"strings"
	"testing"
	"time"

	"crmsheets/internal/clitest"
)

// TestSyncDueRunsEachSheetOnItsSchedule: `sync --due`, the one cron line
// for every sheet, runs the sheets whose schedule is due (each in its own
// direction, recorded as scheduled), leaves unscheduled sheets alone, and
// runs nothing again until the interval has passed.
func TestSyncDueRunsEachSheetOnItsSchedule(t *testing.T) {
	emu := clitest.StartEmulator(t, binary, "--seed-accounts", "5")
	c := newCLI(t)
	if r := c.Login(t, emu.URL); r.Code != 0 {
		t.Fatalf("login: exit %d\n%s", r.Code, r.Err)
	}
	c.Must(t, "new", "--template", "people", "--name", "Scheduled")
	c.Must(t, "new", "--template", "people", "--name", "By hand")
	c.Must(t, "settings", "--sheet", "Scheduled", "--direction", "pull", "--schedule", "4h")

	if r := c.Run(t, time.Minute, "sync", "--due", "--sheet", "Scheduled"); r.Code != 2 {
		t.Errorf("sync --due --sheet: exit %d, want the usage error 2\n%s", r.Code, r.Err)
	}

	var runs []map[string]any
	c.JSON(t, &runs, "sync", "--due")
	if len(runs) != 1 {
		t.Fatalf("sync --due ran %d sheets, want only the scheduled one: %v", len(runs), runs)
	}
	if runs[0]["trigger"] != "scheduled" || runs[0]["direction"] != "pull" || runs[0]["status"] != "succeeded" {
		t.Fatalf("due run %v, want a succeeded scheduled pull", runs[0])
	}
	var list []map[string]any
	c.JSON(t, &list, "sheets")
	rows := map[string]float64{}
	for _, s := range list {
		rows[s["name"].(string)] = s["rows"].(float64)
	}
	if rows["Scheduled"] == 0 || rows["By hand"] != 0 {
		t.Fatalf("rows after sync --due: %v, want the scheduled sheet pulled and the other untouched", rows)
	}

	// Within the interval nothing is due.
	out := c.Must(t, "sync", "--due")
	if !strings.Contains(out, "No sheet's schedule is due now.") {
		t.Fatalf("second sync --due printed %q", out)
	}
	if out := c.Must(t, "sheets"); !strings.Contains(out, "Kept in "+c.Home) {
		t.Errorf("sheets does not say where the data is kept (%s):\n%s", c.Home, out)
	}
}
