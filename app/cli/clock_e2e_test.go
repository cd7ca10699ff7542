package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"crmsheets/internal/clitest"
)

// A person demos the recycle bin's 15 days with a standalone demo org: a
// contact deleted today is still in the bin (queryAll) with the org's clock
// 14 days ahead, and purged with it 16 days ahead. A clock offset that is
// not one is refused with the form to use.
func TestEmulatorClockOffsetPurgesTheRecycleBin(t *testing.T) {
	data := filepath.Join(t.TempDir(), "org.db")
	emu := clitest.StartEmulator(t, binary, "--data", data, "--seed-accounts", "2")
	org, err := clitest.OpenOrg(emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := org.Query("SELECT Id FROM Contact ORDER BY Id LIMIT 1")
	if err != nil || len(recs) != 1 {
		t.Fatalf("a contact: %v %v", recs, err)
	}
	id := clitest.Str(recs[0], "Id")
	if err := org.Delete("Contact", id); err != nil {
		t.Fatal(err)
	}
	inBin := func(offset string) bool {
		t.Helper()
		emu.Stop()
		emu = clitest.StartEmulator(t, binary, "--data", data, "--clock-offset", offset)
		org, err := clitest.OpenOrg(emu.URL)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := org.QueryAll("SELECT Id, IsDeleted FROM Contact WHERE Id = '" + id + "'")
		if err != nil {
			t.Fatal(err)
		}
		return len(recs) == 1 && recs[0]["IsDeleted"] == true
	}
	if !inBin("0d") {
		t.Fatal("the deleted contact is not in the recycle bin")
	}
	if !inBin("14d") {
		t.Fatal("the deleted contact was purged after 14 days; Salesforce keeps it 15")
	}
	if inBin("16d") {
		t.Fatal("the deleted contact is still in the recycle bin 16 days later")
	}

	c := newCLI(t)
	r := c.Run(t, time.Minute, "emulator", "--addr", "127.0.0.1:0", "--clock-offset", "16 days")
	if r.Code != 2 || !strings.Contains(r.Err, "--clock-offset") || !strings.Contains(r.Err, "16d") {
		t.Fatalf("a bad --clock-offset: exit %d, want 2 naming the form\n%s", r.Code, r.Err)
	}
}
