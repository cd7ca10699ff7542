//go:build winecheck

// Package winecheck runs the Windows build under Wine against a demo org
// served from Linux: the check scripts/wine-check.sh (make wine-check) drives.
// It is behind the winecheck build tag, so `go test ./...` and CI never run
// it: it needs Wine, a Wine prefix and the Windows executables the script
// builds, and takes minutes.
package winecheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"crmsheets/internal/clitest"
)

// env returns a variable the script sets, or skips the test without it.
func env(t *testing.T, name string) string {
	v := os.Getenv(name)
	if v == "" {
		t.Skipf("%s not set: run make wine-check", name)
	}
	return v
}

// wrapper writes a shell script that runs exe under Wine, so clitest drives
// the Windows binary as it drives the Linux one. Paths given to the exe
// (--home) are Linux paths: Wine's Z: drive maps them, and Go on Windows
// reads "/tmp/x" as \tmp\x on the current drive, Z:.
func wrapper(t *testing.T, wine, exe string) string {
	p := filepath.Join(t.TempDir(), "crmsheets-wine")
	script := "#!/bin/sh\ncd / && exec '" + wine + "' '" + exe + "' \"$@\"\n"
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestWindowsBuildUnderWine runs the console CLI exe: --help, login to a
// demo org run by the Linux binary (tokens go to Wine's credential
// manager), a new sheet and a pull checked against the org over REST; then
// the GUI exe answers --version with the same version.
func TestWindowsBuildUnderWine(t *testing.T) {
	wine := env(t, "WINE")
	cliExe := env(t, "CRMSHEETS_WIN_CLI")
	guiExe := env(t, "CRMSHEETS_WIN_GUI")
	linuxBin := env(t, "CRMSHEETS_LINUX_BIN")
	version := env(t, "CRMSHEETS_VERSION")

	c := &clitest.CLI{Bin: wrapper(t, wine, cliExe), Home: t.TempDir()}
	if r := c.Run(t, 5*time.Minute, "--help"); r.Code != 0 || !strings.Contains(r.Out, "Examples:") {
		t.Fatalf("--help under Wine: exit %d\nstdout %s\nstderr %s", r.Code, r.Out, r.Err)
	}
	emu := clitest.StartEmulator(t, linuxBin, "--seed-accounts", "8")
	if r := c.Login(t, emu.URL); r.Code != 0 || !strings.Contains(r.Out, "Connected") {
		t.Fatalf("login under Wine: exit %d\nstdout %s\nstderr %s", r.Code, r.Out, r.Err)
	} else if strings.Contains(r.Err, "not the system keychain") {
		t.Errorf("under Wine the tokens went to a file, not Windows' credential manager:\n%s", r.Err)
	}
	c.Must(t, "new", "--template", "people", "--name", "Wine")
	var runs []map[string]any
	c.JSON(t, &runs, "sync", "--sheet", "Wine", "--direction", "pull")
	org, err := clitest.OpenOrg(emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	contacts, err := org.Query("SELECT Id FROM Contact")
	if err != nil {
		t.Fatal(err)
	}
	if len(contacts) == 0 || len(runs) != 1 || runs[0]["status"] != "succeeded" || runs[0]["counts"].(map[string]any)["pulled"].(float64) != float64(len(contacts)) {
		t.Fatalf("pull under Wine: %v, want %d contacts pulled", runs, len(contacts))
	}
	var list []map[string]any
	c.JSON(t, &list, "sheets")
	if len(list) != 1 || int(list[0]["rows"].(float64)) != len(contacts) {
		t.Fatalf("sheets under Wine: %v, want one sheet of %d rows", list, len(contacts))
	}

	gui := &clitest.CLI{Bin: wrapper(t, wine, guiExe), Home: t.TempDir()}
	if out := gui.Must(t, "--version"); strings.TrimSpace(out) != "CRM Sheets "+version {
		t.Errorf("GUI exe --version under Wine printed %q, want CRM Sheets %s", out, version)
	}
}
