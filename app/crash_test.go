package app

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"crmsheets/crm/emulator"
	"crmsheets/sheets"
)

// Environment of the crash child process.
const (
	envCrashHome = "CRMSHEETS_TEST_CRASH_HOME"
	envCrashURL  = "CRMSHEETS_TEST_CRASH_URL"
	envCrashLong = "CRMSHEETS_RELIABILITY" // `make reliability`: more trials, more rows

	envCrashBulk = "CRMSHEETS_TEST_CRASH_BULK" // the child pushes through Bulk jobs
	envCrashPull = "CRMSHEETS_TEST_CRASH_PULL" // the child pulls the sheet of this name instead

	crashChildReady = "crash-child: pushing"
)

// TestCrashChild is the process the crash test kills: it pushes the sheet
// in the given home to the given org. It does nothing in a normal run.
func TestCrashChild(t *testing.T) {
	home := os.Getenv(envCrashHome)
	if home == "" {
		t.Skip("helper process of TestKilledPushLosesNothing")
	}
	ctx := context.Background()
	opt := Options{Home: home, DemoOrg: urlDemoOrg{}, DemoOrgURL: os.Getenv(envCrashURL), PushBatchSize: 10, OpenTimeout: 5 * time.Second}
	if os.Getenv(envCrashBulk) != "" {
		// Every push through a Bulk job, its rows planned in rounds of 7.
		opt.BulkThreshold = 1
		bulkPlanRows = 7
	} else {
		// Every push through sObject Collections, however many edits the
		// killed runs before it left (the long run piles up thousands).
		opt.BulkThreshold = -1
	}
	svc, err := Open(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if err := svc.connectDemo(ctx); err != nil {
		t.Fatal(err)
	}
	if name := os.Getenv(envCrashPull); name != "" {
		sh, err := svc.SheetByName(name)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println(crashChildReady) // the parent kills from now on
		if _, err := svc.Sync(ctx, sh.ID, SyncOptions{Direction: sheets.Pull, Full: true, Trigger: sheets.TriggerCLI}, nil); err != nil {
			t.Fatal(err)
		}
		return
	}
	sh, err := svc.SheetByName("Contacts")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(crashChildReady) // the parent kills from now on
	if _, err := svc.Sync(ctx, sh.ID, SyncOptions{Direction: sheets.Push, Force: true, Trigger: sheets.TriggerCLI}, nil); err != nil {
		t.Fatal(err)
	}
}

// TestKilledPushLosesNothing kills a pushing process with SIGKILL at random
// moments, trial after trial with new edits and new rows, then lets a last
// push finish: every edit must be in the org, no record created twice, no
// row lost, and every killed run marked interrupted. The child pushes by
// sObject Collections, then (bulk) through Bulk jobs whose rows are
// planned in rounds and written back after the job.
func TestKilledPushLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	t.Run("collections", func(t *testing.T) { testKilledPushLosesNothing(t, false) })
	t.Run("bulk", func(t *testing.T) { testKilledPushLosesNothing(t, true) })
}

func testKilledPushLosesNothing(t *testing.T, bulk bool) {
	trials, editsPerTrial, newPerTrial := 20, 30, 8
	if os.Getenv(envCrashLong) != "" {
		trials, editsPerTrial, newPerTrial = 60, 200, 50
	}
	env := newTestEnv(t)
	env.org.SetFaults(emulator.Faults{Latency: 3 * time.Millisecond})
	n := trials * editsPerTrial
	env.seedContacts(n)
	sh := env.contactSheet(true)
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	title, last, email := col(t, sh, "Title"), col(t, sh, "Last"), col(t, sh, "Email")
	want := map[string]string{} // email → Title expected in the org at the end
	for _, c := range env.org.Records("Contact") {
		want[strings.ToLower(c["Email"].(string))] = c["Title"].(string)
	}
	env.svc.Close()

	rng := rand.New(rand.NewPCG(1, 2))
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	killed := 0
	window := 60 // ms after the child starts pushing
	if bulk {
		window = 400 // a Bulk push uploads later: planning, job, polls
	}
	for trial := range trials {
		// New local edits on rows not edited before, and new rows to create.
		env.open(Options{Home: env.home, Now: env.clock.Now, DemoOrg: urlDemoOrg{}, DemoOrgURL: env.url})
		rows := env.rows(sh.ID)
		var changed []*sheets.Row
		for i := trial * editsPerTrial; i < (trial+1)*editsPerTrial; i++ {
			r := rows[i]
			v := fmt.Sprintf("T%d-%d", trial, i)
			r.Set(title, v, env.clock.Now())
			want[strings.ToLower(r.Cells[email])] = v
			changed = append(changed, r)
		}
		if err := env.svc.store.UpdateRows(sh.ID, changed); err != nil {
			t.Fatal(err)
		}
		var add []map[string]string
		for i := range newPerTrial {
			e := fmt.Sprintf("new-%d-%d@example.com", trial, i)
			add = append(add, map[string]string{last: "New", email: e, title: "Created"})
			want[e] = "Created"
		}
		if _, err := env.svc.AddRows(sh.ID, 0, add); err != nil {
			t.Fatal(err)
		}
		env.svc.Close()

		childEnv := []string{envCrashHome + "=" + env.home, envCrashURL + "=" + env.url}
		if bulk {
			childEnv = append(childEnv, envCrashBulk+"=1")
		}
		// Once the child is about to push, kill it at a random moment of
		// the push (or let it finish when it is quicker).
		cmd, done := startCrashChild(t, self, childEnv)
		uploads := env.bulkUploads.Load()
		select {
		case <-done:
			if bulk {
				window = max(window*2/3, 50) // the push is quicker than the window
			}
		case <-time.After(time.Duration(rng.IntN(window)) * time.Millisecond):
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
			killed++
			if bulk && env.bulkUploads.Load() == uploads {
				// Killed before its job: the edits piled up by killed
				// runs make planning longer, so the window follows it and
				// kills land during and after jobs too.
				window = min(window*3/2, 10000)
			}
		}
	}
	t.Logf("%d trials, %d processes killed mid-run, %d Bulk uploads by them", trials, killed, env.bulkUploads.Load())

	// Restart and let one push finish (the next run reconciles), the
	// same way as the children pushed.
	so := Options{Home: env.home, Now: env.clock.Now, DemoOrg: urlDemoOrg{}, DemoOrgURL: env.url, BulkThreshold: -1}
	if bulk {
		so.BulkThreshold = 1
	}
	env.open(so)
	for i := 0; i < 3; i++ {
		env.sync(sh.ID, SyncOptions{Direction: sheets.Push, Force: true})
	}
	// Children killed early never reach the upload; the others and the
	// last push do.
	if n := env.bulkUploads.Load(); bulk && n == 0 || !bulk && n > 0 {
		t.Errorf("%d Bulk uploads with bulk %v", n, bulk)
	}
	t.Logf("%d Bulk uploads", env.bulkUploads.Load())
	byEmail := map[string]int{}
	for _, c := range env.org.Records("Contact") {
		e := strings.ToLower(c["Email"].(string))
		byEmail[e]++
		if w, ok := want[e]; ok && c["Title"] != w {
			t.Errorf("lost edit: %s has Title %v, want %q", e, c["Title"], w)
		}
	}
	for e, k := range byEmail {
		if k > 1 {
			t.Errorf("duplicate: %d contacts with %s", k, e)
		}
	}
	for e := range want {
		if byEmail[e] == 0 {
			t.Errorf("lost row: no contact with %s", e)
		}
	}
	if got, wantRows := len(env.rows(sh.ID)), n+trials*newPerTrial; got != wantRows {
		t.Errorf("sheet has %d rows, want %d", got, wantRows)
	}
	for _, r := range env.rows(sh.ID) {
		if r.State != sheets.StateSynced {
			t.Errorf("row %d (%s) is %s after the final push: %s", r.ID, r.Cells[email], r.State, r.Error)
		}
	}
	runs, err := env.svc.Runs(RunQuery{SheetID: sh.ID})
	if err != nil {
		t.Fatal(err)
	}
	interrupted := 0
	for _, r := range runs {
		switch r.Status {
		case sheets.RunRunning:
			t.Errorf("run %d still shows running after restart", r.ID)
		case sheets.RunInterrupted:
			interrupted++
		}
	}
	// A process killed before it recorded its run leaves none; every other
	// killed run must read interrupted.
	if interrupted == 0 || interrupted > killed {
		t.Errorf("%d runs show as interrupted, want one per process killed after recording its run (%d killed)", interrupted, killed)
	}
	t.Logf("%d killed runs recorded as interrupted", interrupted)
	if killed < trials/4 {
		t.Errorf("only %d of %d processes were killed mid-push: the test did not exercise crashes", killed, trials)
	}
}

// TestFaultsEndInTheCleanState runs the same edits against a clean org and
// against one with 503s, lock errors and token expiry: both must end with
// the same data in the org and the sheet.
func TestFaultsEndInTheCleanState(t *testing.T) {
	run := func(faults emulator.Faults) (org, sheet map[string]string, calls int) {
		retry := RetryPolicy{MaxAttempts: 12, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxElapsed: 10 * time.Second}
		env := newTestEnv(t, withServiceOptions(func(o *Options) { o.Retry = &retry }))
		env.seedContacts(600)
		env.org.SetFaults(faults)
		sh := env.contactSheet(true)
		env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
		title, last, email := col(t, sh, "Title"), col(t, sh, "Last"), col(t, sh, "Email")
		env.editAll(sh.ID, title, "Faulty", 400)
		var add []map[string]string
		for i := range 150 {
			add = append(add, map[string]string{last: "New" + strconv.Itoa(i), email: fmt.Sprintf("n%d@example.com", i)})
		}
		if _, err := env.svc.AddRows(env.sh(sh.ID).ID, 0, add); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 4; i++ { // lost create responses are reconciled by the next run
			calls += env.sync(sh.ID, SyncOptions{Direction: sheets.Both, Force: true}).APICalls
		}
		org = map[string]string{}
		for _, c := range env.org.Records("Contact") {
			e := c["Email"].(string)
			if _, dup := org[e]; dup {
				t.Errorf("duplicate contact %s", e)
			}
			org[e] = fmt.Sprint(c["Title"])
		}
		sheet = map[string]string{}
		for _, r := range env.rows(sh.ID) {
			sheet[r.Cells[email]] = r.Cells[title] + "/" + r.State.String()
		}
		return org, sheet, calls
	}
	cleanOrg, cleanSheet, cleanCalls := run(emulator.Faults{})
	faultOrg, faultSheet, faultCalls := run(emulator.Faults{Rate503: 0.10, LockRate: 0.05, ExpireTokenEvery: 50, DropRate: 0.02, Seed: 7})
	t.Logf("API calls: %d clean, %d under faults (retries included)", cleanCalls, faultCalls)
	if faultCalls <= cleanCalls {
		t.Errorf("no retry happened (%d calls under faults, %d clean): were faults injected?", faultCalls, cleanCalls)
	}
	if len(cleanOrg) != 750 {
		t.Fatalf("clean run left %d contacts, want 750", len(cleanOrg))
	}
	for e, v := range cleanOrg {
		if faultOrg[e] != v {
			t.Errorf("org %s: %q under faults, %q clean", e, faultOrg[e], v)
		}
	}
	if len(faultOrg) != len(cleanOrg) {
		t.Errorf("org has %d contacts under faults, %d clean", len(faultOrg), len(cleanOrg))
	}
	for e, v := range cleanSheet {
		if faultSheet[e] != v {
			t.Errorf("sheet %s: %q under faults, %q clean", e, faultSheet[e], v)
		}
	}
}

// sh re-reads a sheet definition.
func (e *testEnv) sh(id string) *sheets.Sheet {
	e.t.Helper()
	sh, err := e.svc.Sheet(id)
	if err != nil {
		e.t.Fatal(err)
	}
	return sh
}

// TestCrashAfterSendIsNotAConflict: a push dies after Salesforce applied an
// update but before the sheet recorded it; the user edits the same cell
// again. The next push, even under the review policy, recognises the value
// in Salesforce as its own and sends the new edit: no conflict, nothing
// lost.
func TestCrashAfterSendIsNotAConflict(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	t.Run("collections", func(t *testing.T) { testCrashAfterSend(t, false) })
	// Through a Bulk job: the child dies once the job is closed (Salesforce
	// runs it regardless). The row waited in the push's work file, which
	// is its in-flight record: the next run reads it from there.
	t.Run("bulk", func(t *testing.T) { testCrashAfterSend(t, true) })
}

func testCrashAfterSend(t *testing.T, bulk bool) {
	env := newTestEnv(t)
	ids := env.seedContacts(3)
	sh := env.contactSheet(false)
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	title := col(t, sh, "Title")
	row := env.rowByRecord(sh.ID, ids[0])
	env.edit(sh.ID, row.ID, title, "Sent by the dead run")
	// A second row: a push of two rows goes through a Bulk job at the
	// child's threshold of one.
	env.edit(sh.ID, env.rowByRecord(sh.ID, ids[1]).ID, title, "Also sent by the dead run")
	env.svc.Close()

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	extra := []string{envCrashHome + "=" + env.home, envCrashURL + "=" + env.url}
	killAt := 1 // the org applied the Collections batch
	if bulk {
		extra = append(extra, envCrashBulk+"=1")
		killAt = 3 // the job is created, its data uploaded, and closed
	}
	cmd := crashChildCommand(self, extra...)
	// The child dies once the org applied its write, before the answer
	// reaches it: after Salesforce took the update, before the sheet
	// recorded it.
	var child atomic.Pointer[os.Process]
	var writes atomic.Int64
	env.onWrite(func() {
		if p := child.Load(); p != nil && writes.Add(1) == int64(killAt) {
			_ = p.Kill()
		}
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	child.Store(cmd.Process)
	err = cmd.Wait()
	env.onWrite(nil)
	if err == nil {
		t.Fatalf("the child did not die at its write-back (%d writes)", writes.Load())
	}
	for wait := time.Now(); env.get("Contact", ids[0], "Title") != "Sent by the dead run"; time.Sleep(10 * time.Millisecond) {
		if time.Since(wait) > 10*time.Second {
			t.Fatalf("org Title %v: the dead run did not send its update", env.get("Contact", ids[0], "Title"))
		}
	}
	if bulk {
		if files, _ := filepath.Glob(filepath.Join(env.home, "inflight-*.spool")); len(files) != 1 {
			t.Fatalf("work files after the killed push: %v, want its one", files)
		}
	}

	env.open(Options{Home: env.home, Now: env.clock.Now, DemoOrg: urlDemoOrg{}, DemoOrgURL: env.url})
	if r := env.rowByRecord(sh.ID, ids[0]); r.Base[title] != "Engineer" {
		t.Fatalf("the sheet recorded the dead run's update (base %q): nothing to test", r.Base[title])
	}
	env.edit(sh.ID, row.ID, title, "Edited again")
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Both, Policy: sheets.PolicyReview})
	if run.Counts.Conflicts != 0 || run.Counts.Updated != 1 {
		t.Errorf("run after the crash: %+v, want one update and no conflict", run.Counts)
	}
	if got := env.get("Contact", ids[0], "Title"); got != "Edited again" {
		t.Errorf("org Title %v, want the new edit", got)
	}
	for _, id := range ids[:2] {
		if r := env.rowByRecord(sh.ID, id); r.State != sheets.StateSynced || r.Base[title] != r.Cells[title] {
			t.Errorf("row of %s %s (base %q, cell %q) %+v, want synced", id, r.State, r.Base[title], r.Cells[title], r.Conflicts)
		}
	}
	if ok, _ := env.svc.store.GetSetting(inflightKey(sh.ID), &inflightUpdates{}); ok {
		t.Error("in-flight updates left behind after a clean run")
	}
	if files, _ := filepath.Glob(filepath.Join(env.home, "inflight-*")); len(files) > 0 {
		t.Errorf("work files left behind after a clean run: %v", files)
	}
}

// TestTwoCrashesInARowAreNotAConflict: a push dies after Salesforce took
// its updates (their in-flight values recorded, not written back); the
// user edits one of the rows again and the next push dies too, after
// recording its own in-flight values but before Salesforce took them. The
// second run recognised the first run's values (moving the rows' bases)
// and replaced their in-flight entries: those base moves must survive its
// death, or the third run sees Salesforce changed under both rows' old
// bases: the edited row comes back as a conflict, and the other is left
// modified with nothing to send.
func TestTwoCrashesInARowAreNotAConflict(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	env := newTestEnv(t)
	ids := env.seedContacts(3)
	sh := env.contactSheet(false)
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	title := col(t, sh, "Title")
	a, b := env.rowByRecord(sh.ID, ids[0]), env.rowByRecord(sh.ID, ids[1])
	env.edit(sh.ID, a.ID, title, "Sent by the first dead run")
	env.edit(sh.ID, b.ID, title, "Also sent by it")
	env.svc.Close()

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var child atomic.Pointer[os.Process]
	kill := func() {
		if p := child.Load(); p != nil {
			_ = p.Kill()
		}
	}
	die := func(what string) {
		t.Helper()
		cmd := crashChildCommand(self, envCrashHome+"="+env.home, envCrashURL+"="+env.url)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		child.Store(cmd.Process)
		err := cmd.Wait()
		child.Store(nil)
		env.onWrite(nil)
		env.onWriteRequest(nil)
		if err == nil {
			t.Fatalf("the %s did not die", what)
		}
	}
	env.onWrite(kill) // dies once the org took its updates
	die("first push")
	if got := env.get("Contact", ids[1], "Title"); got != "Also sent by it" {
		t.Fatalf("org Title %v: the first dead run did not send its update", got)
	}

	env.open(Options{Home: env.home, Now: env.clock.Now, DemoOrg: urlDemoOrg{}, DemoOrgURL: env.url})
	env.edit(sh.ID, a.ID, title, "Edited again")
	env.svc.Close()
	env.onWriteRequest(kill) // dies as its updates reach the org, before it takes them
	die("second push")
	if got := env.get("Contact", ids[0], "Title"); got != "Sent by the first dead run" {
		t.Fatalf("org Title %v: the second dead run's update landed, nothing to test", got)
	}

	env.open(Options{Home: env.home, Now: env.clock.Now, DemoOrg: urlDemoOrg{}, DemoOrgURL: env.url})
	run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push, Policy: sheets.PolicyReview})
	if run.Counts.Conflicts != 0 || run.Counts.Updated != 1 {
		t.Errorf("run after the crashes: %+v, want one update and no conflict", run.Counts)
	}
	for id, want := range map[string]string{ids[0]: "Edited again", ids[1]: "Also sent by it"} {
		if got := env.get("Contact", id, "Title"); got != want {
			t.Errorf("org Title of %s %v, want %q", id, got, want)
		}
		if r := env.rowByRecord(sh.ID, id); r.State != sheets.StateSynced || r.Cells[title] != want {
			t.Errorf("row of %s: %s %q %+v, want synced with %q", id, r.State, r.Cells[title], r.Conflicts, want)
		}
	}
}

// TestKilledFirstPullLeavesAConsistentStore kills processes pulling into
// empty sheets (the path that writes pages on a goroutine and indexes the
// new rows' keys at the end) at random moments. Reopened, the store passes
// its integrity check (the keys a killed pull left pending are indexed by
// the open), every row is found by its key, and a pull then completes each
// sheet: one row per contact, no record twice.
func TestKilledFirstPullLeavesAConsistentStore(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	const trials, n = 6, 9000 // five pages of 2,000
	env := newTestEnv(t)
	// Each request takes at least 40 ms, so a pull of five pages lasts
	// over 200 ms on any machine and every kill below lands mid-pull
	// however fast the pull's own work gets.
	env.org.SetFaults(emulator.Faults{Latency: 40 * time.Millisecond})
	env.seedContacts(n)
	var names []string
	for trial := range trials {
		names = append(names, fmt.Sprintf("Pull %d", trial))
		env.contactSheetNamed(names[trial], true)
	}
	env.svc.Close()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	killed := 0
	for _, name := range names {
		cmd, done := startCrashChild(t, self, []string{envCrashHome + "=" + env.home, envCrashURL + "=" + env.url, envCrashPull + "=" + name})
		// Kill once the child has asked for its second or third page (so
		// a page or two may be stored, on any machine), at a random moment
		// up to 60 ms later.
		pages, after := env.queryPages.Load(), int64(2+rng.IntN(2))
		wait := time.NewTicker(2 * time.Millisecond)
	watch:
		for {
			select {
			case <-done:
				break watch
			case <-wait.C:
				if env.queryPages.Load()-pages < after {
					continue
				}
				select {
				case <-done:
				case <-time.After(time.Duration(rng.IntN(60)) * time.Millisecond):
					cmd.Process.Signal(syscall.SIGKILL)
					<-done
					killed++
				}
				break watch
			}
		}
		wait.Stop()
	}
	t.Logf("%d of %d pulls killed", killed, trials)
	if killed < trials/2 {
		t.Errorf("only %d of %d pulls were killed mid-run: the test did not exercise crashes", killed, trials)
	}
	env.open(Options{Home: env.home, Now: env.clock.Now, DemoOrg: urlDemoOrg{}, DemoOrgURL: env.url})
	if err := env.svc.store.st.Check(); err != nil {
		t.Fatalf("integrity after killed pulls: %v", err)
	}
	partial := 0
	for _, name := range names {
		sh, err := env.svc.SheetByName(name)
		if err != nil {
			t.Fatal(err)
		}
		email := col(t, sh, "Email")
		rows := env.rows(sh.ID)
		if len(rows) > 0 && len(rows) < n {
			partial++
		}
		for i, r := range rows {
			if i%97 != 0 {
				continue
			}
			found, err := env.svc.store.RowsByKey(sh.ID, r.Cells[email])
			if err != nil || len(found) != 1 || found[0].ID != r.ID {
				t.Fatalf("%s: row %d (%s) found by its key as %v, %v", name, r.ID, r.Cells[email], found, err)
			}
		}
		env.sync(sh.ID, SyncOptions{Direction: sheets.Pull, Full: true})
		rows = env.rows(sh.ID)
		seen := map[string]bool{}
		for _, r := range rows {
			if seen[r.RecordID] {
				t.Errorf("%s: record %s in two rows", name, r.RecordID)
			}
			seen[r.RecordID] = true
		}
		if len(rows) != n || len(seen) != n {
			t.Errorf("%s: %d rows for %d records after the last pull, want %d", name, len(rows), len(seen), n)
		}
	}
	t.Logf("%d sheets held part of a pull when reopened", partial)
	if err := env.svc.store.st.Check(); err != nil {
		t.Fatalf("integrity after the last pulls: %v", err)
	}
}

// startCrashChild starts the test binary as TestCrashChild with extra
// environment and returns once the child says it is about to sync (from
// then on the caller may kill it); done receives its exit.
func startCrashChild(t *testing.T, self string, extraEnv []string) (*exec.Cmd, <-chan error) {
	t.Helper()
	cmd := crashChildCommand(self, extraEnv...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	for lines.Scan() && !strings.Contains(lines.Text(), crashChildReady) {
	}
	go io.Copy(io.Discard, out)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	return cmd, done
}

// crashChildCommand is the test binary run as TestCrashChild with extra
// environment (the home, the org's URL and what to do), not yet started.
func crashChildCommand(self string, extraEnv ...string) *exec.Cmd {
	cmd := exec.Command(self, "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), extraEnv...)
	return cmd
}
