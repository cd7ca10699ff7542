package store

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"crmsheets/sheets"
)

// helperEnv makes the test binary act as a helper process (see
// TestHelperProcess) instead of running tests.
const helperEnv = "CRMSHEETS_STORE_HELPER"

// helper re-executes the test binary as a helper process doing role on the
// store at path.
func helper(t *testing.T, role, path string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+role, "CRMSHEETS_STORE_PATH="+path, "CRMSHEETS_STORE_ARGS="+strings.Join(args, ","))
	cmd.Stderr = os.Stderr
	return cmd
}

// TestHelperProcess is not a test: it is the body of helper processes.
func TestHelperProcess(t *testing.T) {
	role := os.Getenv(helperEnv)
	if role == "" {
		t.Skip("only runs as a helper process")
	}
	path := os.Getenv("CRMSHEETS_STORE_PATH")
	args := strings.Split(os.Getenv("CRMSHEETS_STORE_ARGS"), ",")
	switch role {
	case "open":
		// try to open; exit 3 on ErrLocked, printing the error
		start := time.Now()
		s, err := Open(path, Options{Timeout: 200 * time.Millisecond})
		fmt.Printf("%v\n%d\n", err, time.Since(start).Milliseconds())
		if errors.Is(err, ErrLocked) {
			os.Exit(3)
		}
		if err == nil {
			s.Close()
		}
		os.Exit(0)
	case "writer":
		// rewrite every row of the sheet in one UpdateRows per generation,
		// reporting each committed generation, until killed
		s, err := Open(path, Options{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		sheetID, col := args[0], args[1]
		for gen := 1; ; gen++ {
			var rows []*sheets.Row
			for r, err := range s.Rows(sheetID) {
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				r.Cells[col] = strconv.Itoa(gen)
				rows = append(rows, r)
			}
			if err := s.UpdateRows(sheetID, rows); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			fmt.Printf("committed %d\n", gen)
		}
	}
	os.Exit(2)
}

func TestSecondOpenerFailsFast(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	out, err := helper(t, "open", path).Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("second opener: %v, output %q; want exit 3 (ErrLocked)", err, out)
	}
	lines := strings.Split(string(out), "\n")
	if !strings.Contains(lines[0], "already open in another window") || !strings.Contains(lines[0], path) {
		t.Errorf("message %q should tell the user what holds the store and name %s", lines[0], path)
	}
	if ms, _ := strconv.Atoi(lines[1]); ms > 2000 {
		t.Errorf("second opener took %d ms to fail, want about its 200 ms timeout", ms)
	}
	t.Logf("second opener failed in %s ms (process %s)", lines[1], time.Since(start))
}

// TestKilledWriterLeavesLastCommit kills a process while it rewrites every
// row of a sheet in big transactions, then checks that the store reopens
// intact, with every row from the same committed generation: never a
// half-written batch.
func TestKilledWriterLeavesLastCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess kill test in -short mode")
	}
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sh := wideSheet(t, s, 20)
	const n = 3000
	if err := s.InsertRows(sh.ID, wideRows(sh, 0, n)); err != nil {
		t.Fatal(err)
	}
	col := sh.Columns[5].ID
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for trial := range 3 {
		cmd := helper(t, "writer", path, sh.ID, col)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(stdout)
		last, target := 0, 2+trial
		for last < target && lines.Scan() {
			last, _ = strconv.Atoi(strings.TrimPrefix(lines.Text(), "committed "))
		}
		if last < target {
			t.Fatalf("writer stopped before committing %d generations", target)
		}
		time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond) // land somewhere inside the next batch
		// SIGKILL on Unix: no chance to clean up
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		for lines.Scan() { // commits reported after the last one read
			last, _ = strconv.Atoi(strings.TrimPrefix(lines.Text(), "committed "))
		}
		_ = cmd.Wait()

		s, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("trial %d: reopen after kill: %v", trial, err)
		}
		if err := s.Check(); err != nil {
			t.Fatalf("trial %d: integrity after kill: %v", trial, err)
		}
		gens := map[string]int{}
		for r, err := range s.Rows(sh.ID) {
			if err != nil {
				t.Fatal(err)
			}
			gens[r.Cells[col]]++
		}
		if len(gens) != 1 {
			t.Fatalf("trial %d: rows from several generations after kill: %v", trial, gens)
		}
		for g, count := range gens {
			got, _ := strconv.Atoi(g)
			// the kill may land after a commit the pipe had not delivered yet
			if count != n || got < last || got > last+1 {
				t.Fatalf("trial %d: %d rows at generation %d, want %d rows at %d (or %d)", trial, count, got, n, last, last+1)
			}
			t.Logf("trial %d: killed after generation %d reported; store holds generation %d", trial, last, got)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sh := contactsSheet(t, s)
	rows := []*sheets.Row{{RecordID: "003Ab000000001xAAQ", Cells: map[string]string{sh.Columns[1].ID: "a@example.com"}}, {}}
	if err := s.InsertRows(sh.ID, rows); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSetting("org", map[string]string{"url": "https://example.my.salesforce.com"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := s.Sheet(sh.ID); err != nil || got.Name != sh.Name || len(got.Columns) != len(sh.Columns) {
		t.Fatalf("sheet after reopen: %+v, %v", got, err)
	}
	if r, err := s.RowByRecordID(sh.ID, "003Ab000000001x"); err != nil || r.ID != rows[0].ID {
		t.Fatalf("record lookup after reopen: %v, %v", r, err)
	}
	if got, _ := s.RowsByKey(sh.ID, "A@example.com"); len(got) != 1 {
		t.Fatalf("key lookup after reopen: %v", got)
	}
	more := []*sheets.Row{{}}
	if err := s.InsertRows(sh.ID, more); err != nil || more[0].ID != 3 {
		t.Fatalf("ids continue after reopen: got %d, %v; want 3", more[0].ID, err)
	}
	var org map[string]string
	if ok, err := s.GetSetting("org", &org); !ok || err != nil || org["url"] == "" {
		t.Fatalf("setting after reopen: %v %v %v", ok, org, err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sh := contactsSheet(t, s)
	s.Close()
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.Sheet(sh.ID); err != nil {
		t.Fatalf("read from a read-only store: %v", err)
	}
	if err := ro.InsertRows(sh.ID, []*sheets.Row{{}}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("write to a read-only store: %v, want ErrReadOnly", err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	newer := filepath.Join(dir, "newer.db")
	db, err := bolt.Open(newer, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		return b.Put(keySchema, binary.AppendUvarint(nil, uint64(latestSchema()+1)))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, tt := range []struct {
		name, path string
		want       error
	}{
		{"not a store", garbage, ErrCorrupt},
		{"written by a newer version", newer, ErrSchemaTooNew},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(tt.path, Options{})
			if !errors.Is(err, tt.want) {
				if s != nil {
					s.Close()
				}
				t.Fatalf("Open = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sh := contactsSheet(t, s)
	s.Close()

	orig := migrations
	t.Cleanup(func() { migrations = orig })
	runs := 0
	migrations = append(append([]migration(nil), orig...),
		migration{version: latestSchema() + 1, name: "test: add a bucket", up: func(tx *bolt.Tx) error {
			runs++
			_, err := tx.CreateBucket([]byte("test-v2"))
			return err
		}},
		migration{version: latestSchema() + 2, name: "test: fail", up: func(tx *bolt.Tx) error {
			return errors.New("boom")
		}},
	)
	if _, err := Open(path, Options{}); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("failing migration: Open = %v, want its error", err)
	}
	migrations = migrations[:len(migrations)-1]
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var version int
	var bucket bool
	s.db.View(func(tx *bolt.Tx) error {
		version, bucket = schemaVersion(tx), tx.Bucket([]byte("test-v2")) != nil
		return nil
	})
	if version != latestSchema() || !bucket || runs != 2 {
		t.Errorf("after migration: version %d bucket %v runs %d; want %d, true, 2 (the failed attempt rolled back)", version, bucket, runs, latestSchema())
	}
	if _, err := s.Sheet(sh.ID); err != nil {
		t.Errorf("data after migration: %v", err)
	}
	s.Close()
	if s, err = Open(path, Options{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if runs != 2 {
		t.Errorf("a migration ran again on reopen (%d runs)", runs)
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv(HomeEnv, "/tmp/somewhere")
	if d, err := DefaultDir(); err != nil || d != "/tmp/somewhere" {
		t.Errorf("DefaultDir with %s = %q, %v", HomeEnv, d, err)
	}
	t.Setenv(HomeEnv, "")
	t.Setenv("XDG_CONFIG_HOME", "/tmp/cfg")
	if d, err := DefaultDir(); err != nil || d != filepath.Join("/tmp/cfg", "crmsheets") {
		t.Errorf("DefaultDir = %q, %v; want the user config dir", d, err)
	}
}
