package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestArchitecture keeps the layers of DESIGN.md: each package may only
// depend on the packages its layer allows. It reads the real dependency graph
// with `go list -deps`, as restic's depguard rule does without an extra tool.
func TestArchitecture(t *testing.T) {
	if testing.Short() {
		t.Skip("go list over the whole module")
	}
	// forbidden lists import path prefixes a package (and everything under it,
	// unless listed separately) must not depend on, directly or not.
	rules := []struct {
		pkg       string
		forbidden []string
		direct    bool // check only the package's own imports (ui reaches crm through app, by design)
	}{
		{"crmsheets/sheets", []string{"fyne.io/", "go.etcd.io/bbolt", "github.com/xuri/excelize", "crmsheets/crm", "crmsheets/app", "crmsheets/ui", "crmsheets/templates"}, false},
		{"crmsheets/sheets/store", []string{"fyne.io/", "github.com/xuri/excelize", "crmsheets/crm", "crmsheets/app", "crmsheets/ui"}, false},
		{"crmsheets/sheets/xlsx", []string{"fyne.io/", "go.etcd.io/bbolt", "crmsheets/crm", "crmsheets/app", "crmsheets/ui", "crmsheets/sheets/store"}, false},
		{"crmsheets/templates", []string{"fyne.io/", "go.etcd.io/bbolt", "github.com/xuri/excelize", "crmsheets/crm", "crmsheets/app", "crmsheets/ui"}, false},
		{"crmsheets/crm", []string{"fyne.io/", "go.etcd.io/bbolt", "github.com/xuri/excelize", "crmsheets/sheets", "crmsheets/app", "crmsheets/ui", "crmsheets/templates", "crmsheets/crm/emulator"}, false},
		{"crmsheets/crm/auth", []string{"fyne.io/", "go.etcd.io/bbolt", "github.com/xuri/excelize", "crmsheets/sheets", "crmsheets/app", "crmsheets/ui", "crmsheets/crm/emulator"}, false},
		{"crmsheets/crm/emulator/...", []string{"fyne.io/", "github.com/xuri/excelize", "crmsheets/sheets", "crmsheets/app", "crmsheets/ui", "golang.org/x/oauth2"}, false},
		{"crmsheets/app/merge", []string{"fyne.io/", "go.etcd.io/bbolt", "github.com/xuri/excelize", "crmsheets/crm", "crmsheets/ui", "net/http"}, false},
		{"crmsheets/app", []string{"fyne.io/", "crmsheets/ui"}, false},
		{"crmsheets/app/cli", []string{"fyne.io/", "crmsheets/ui"}, false},
		{"crmsheets/ui/...", []string{"fyne.io/fyne/v2/app", "go.etcd.io/bbolt", "github.com/xuri/excelize", "crmsheets/crm", "crmsheets/sheets/store", "crmsheets/sheets/xlsx"}, true},
		{"crmsheets/ui/...", []string{"fyne.io/fyne/v2/app"}, false},
	}
	for _, r := range rules {
		t.Run(r.pkg, func(t *testing.T) {
			args := []string{"list", "-deps", r.pkg}
			if r.direct {
				args = []string{"list", "-f", "{{join .Imports \"\\n\"}}", r.pkg}
			}
			out, err := exec.Command("go", args...).CombinedOutput()
			if err != nil {
				if strings.Contains(string(out), "matched no packages") || strings.Contains(string(out), "is not in std") || strings.Contains(string(out), "no Go files") {
					t.Skipf("%s does not exist yet", r.pkg)
				}
				t.Fatalf("go list %s: %v\n%s", r.pkg, err, out)
			}
			for _, dep := range strings.Fields(string(out)) {
				for _, f := range r.forbidden {
					if dep == f || strings.HasPrefix(dep, f+"/") || strings.HasSuffix(f, "/") && strings.HasPrefix(dep, f) {
						t.Errorf("%s depends on %s, which its layer forbids (DESIGN.md)", r.pkg, dep)
					}
				}
			}
		})
	}
}
