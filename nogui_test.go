package main

import (
	"debug/buildinfo"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"crmsheets/app"
	"crmsheets/internal/clitest"
)

// TestVersionMatchesFyneApp holds app.Version (what `crmsheets --version` and
// About show) to FyneApp.toml's Version (what `fyne package` stamps into the
// packages), so a release bumps one and the test names the other.
func TestVersionMatchesFyneApp(t *testing.T) {
	b, err := os.ReadFile("FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*Version\s*=\s*"([^"]+)"`).FindSubmatch(b)
	if m == nil {
		t.Fatal("FyneApp.toml has no Version")
	}
	if string(m[1]) != app.Version {
		t.Errorf("FyneApp.toml Version %q, app.Version %q: bump both", m[1], app.Version)
	}
}

// TestCLIOnlyBuild builds the server binary as the release does
// (CGO_ENABLED=0, -tags nogui) and checks what a server needs from it: no
// Fyne linked, statically linked (no ELF interpreter, no shared libraries —
// what `ldd` calls "not a dynamic executable"), and a real pull from a demo
// org process served by the same binary.
func TestCLIOnlyBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a second binary")
	}
	bin := filepath.Join(t.TempDir(), "crmsheets")
	cmd := exec.Command("go", "build", "-tags", "nogui", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build -tags nogui: %v\n%s", err, out)
	}
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range info.Deps {
		if strings.HasPrefix(d.Path, "fyne.io/") || strings.HasPrefix(d.Path, "github.com/go-gl/") {
			t.Errorf("CLI-only build links %s", d.Path)
		}
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("CLI-only build has an ELF interpreter: it is dynamically linked")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("CLI-only build needs shared libraries %v", libs)
	}
	f.Close()

	c := &clitest.CLI{Bin: bin, Home: t.TempDir()}
	if out := c.Must(t, "--version"); strings.TrimSpace(out) != "CRM Sheets "+app.Version {
		t.Errorf("--version printed %q", out)
	}
	if r := c.Run(t, time.Minute); r.Code != 2 || !strings.Contains(r.Err, "no desktop app") {
		t.Errorf("no command in the CLI-only build: exit %d, stderr %q (want a usage error)", r.Code, r.Err)
	}
	emu := clitest.StartEmulator(t, bin, "--seed-accounts", "5")
	if r := c.Login(t, emu.URL); r.Code != 0 {
		t.Fatalf("login: exit %d\n%s%s", r.Code, r.Out, r.Err)
	}
	c.Must(t, "new", "--template", "people", "--name", "Server")
	var runs []map[string]any
	c.JSON(t, &runs, "sync", "--sheet", "Server", "--direction", "pull")
	org, err := clitest.OpenOrg(emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	contacts, err := org.Query("SELECT Id FROM Contact")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0]["status"] != "succeeded" || runs[0]["counts"].(map[string]any)["pulled"].(float64) != float64(len(contacts)) || len(contacts) == 0 {
		t.Fatalf("pull run %v, want %d contacts pulled", runs, len(contacts))
	}
}
