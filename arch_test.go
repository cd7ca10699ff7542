package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestArchitecture keeps the layers of DESIGN.md: each package may only
// depend on the packages its layer allows. It reads the real dependency graph
// with `go list -deps`, as restic's depguard rule does without an extra tool.
// A package a rule names must exist: a rule about a package that was moved
// or renamed fails, so the rules follow the code.
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
		// fieldmap is pure: describes in, decisions out. It may name crm's
		// describe types but does no I/O of its own.
		{"crmsheets/app/fieldmap", []string{"fyne.io/", "go.etcd.io/bbolt", "github.com/xuri/excelize", "crmsheets/app", "crmsheets/ui", "crmsheets/sheets/store", "crmsheets/sheets/xlsx", "crmsheets/crm/emulator"}, false},
		{"crmsheets/app/fieldmap", []string{"net/http", "net", "os", "io/fs", "crmsheets/crm/auth"}, true},
		// app reaches the demo org only through the app.DemoOrg main.go injects.
		{"crmsheets/app", []string{"fyne.io/", "crmsheets/ui", "crmsheets/crm/emulator", "crmsheets/internal/demoorg"}, false},
		// The CLI sees app alone (and the sheets domain types app's API uses).
		{"crmsheets/app/cli", []string{"fyne.io/", "crmsheets/ui", "crmsheets/crm/emulator", "crmsheets/internal/demoorg"}, false},
		{"crmsheets/app/cli", []string{"crmsheets/crm", "crmsheets/sheets/store", "crmsheets/sheets/xlsx", "crmsheets/templates", "crmsheets/app/merge", "go.etcd.io/bbolt", "github.com/xuri/excelize"}, true},
		// The id rules are a leaf every layer may use.
		{"crmsheets/internal/sfid", []string{"crmsheets/", "fyne.io/", "go.etcd.io/bbolt", "github.com/xuri/excelize"}, false},
		{"crmsheets/internal/soqlstr", []string{"crmsheets/", "fyne.io/", "go.etcd.io/bbolt", "github.com/xuri/excelize"}, false},
		{"crmsheets/internal/jsonstr", []string{"crmsheets/", "fyne.io/", "go.etcd.io/bbolt", "github.com/xuri/excelize"}, false},
		{"crmsheets/internal/demoorg", []string{"fyne.io/", "crmsheets/ui", "crmsheets/app/cli"}, false},
		{"crmsheets/ui/...", []string{"fyne.io/fyne/v2/app", "go.etcd.io/bbolt", "github.com/xuri/excelize", "crmsheets/crm", "crmsheets/sheets/store", "crmsheets/sheets/xlsx", "crmsheets/internal/demoorg"}, true},
		{"crmsheets/ui/...", []string{"fyne.io/fyne/v2/app", "crmsheets/crm/emulator"}, false},
	}
	for _, r := range rules {
		name := r.pkg
		if r.direct {
			name += " (imports)"
		}
		t.Run(name, func(t *testing.T) {
			args := []string{"list", "-deps", r.pkg}
			if r.direct {
				args = []string{"list", "-f", "{{join .Imports \"\\n\"}}", r.pkg}
			}
			out, err := exec.Command("go", args...).CombinedOutput()
			if err != nil {
				t.Fatalf("go list %s (a rule names it: move the rule with the package): %v\n%s", r.pkg, err, out)
			}
			if strings.Contains(string(out), "matched no packages") {
				t.Fatalf("%s matches no package: move the rule with the package", r.pkg)
			}
			for _, dep := range strings.Fields(string(out)) {
				if dep == r.pkg {
					continue // go list -deps lists the package itself
				}
				for _, f := range r.forbidden {
					if dep == f || strings.HasPrefix(dep, f+"/") || strings.HasSuffix(f, "/") && strings.HasPrefix(dep, f) {
						t.Errorf("%s depends on %s, which its layer forbids (DESIGN.md)", r.pkg, dep)
					}
				}
			}
		})
	}
}

// appFiles parses the non-test files of package app.
func appFiles(t *testing.T) (*token.FileSet, map[string]*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	paths, err := filepath.Glob(filepath.Join("app", "*.go"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no Go files in app: %v", err)
	}
	files := map[string]*ast.File{}
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files[p] = f
	}
	return fset, files
}

// TestAppSentinelsInErrorsFile keeps every error value of package app in
// app/errors.go, the one list a caller reads to know what to branch on
// (bbolt's documented sentinel block): a package-level errors.New anywhere
// else fails.
func TestAppSentinelsInErrorsFile(t *testing.T) {
	fset, files := appFiles(t)
	for path, f := range files {
		if filepath.Base(path) == "errors.go" {
			foreignSentinels(t, fset, f)
			continue
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			ast.Inspect(g, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok {
					if x, ok := sel.X.(*ast.Ident); ok && x.Name == "errors" && sel.Sel.Name == "New" {
						t.Errorf("%s: an error value outside app/errors.go", fset.Position(sel.Pos()))
					}
				}
				return true
			})
		}
	}
}

// foreignSentinels fails on an error value of app/errors.go that is another
// layer's value under app's name (ErrNotFound = store.ErrNotFound): app's
// sentinels are its own, translated where app calls the layer below, so a
// caller matching them never depends on the store or the XLSX package.
// app's pure sub-packages (fieldmap) are app's own and may be named.
func foreignSentinels(t *testing.T, fset *token.FileSet, f *ast.File) {
	layers := map[string]bool{"store": true, "xlsx": true, "sheets": true, "crm": true, "emulator": true, "bolt": true, "excelize": true}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, spec := range g.Specs {
			for _, v := range spec.(*ast.ValueSpec).Values {
				if sel, ok := v.(*ast.SelectorExpr); ok {
					if x, ok := sel.X.(*ast.Ident); ok && layers[x.Name] {
						t.Errorf("%s: app's sentinel is %s.%s re-exported; make it app's own and translate at the boundary", fset.Position(sel.Pos()), x.Name, sel.Sel.Name)
					}
				}
			}
		}
	}
}

// TestServiceSignaturesUseAppTypes keeps the façade closed: the exported
// methods of *app.Service take and return app's own types (or the sheets
// domain, the standard library and app's pure sub-packages), never a type
// of the store, the XLSX package, the Salesforce client or the emulator,
// so ui and the CLI need import nothing else.
func TestServiceSignaturesUseAppTypes(t *testing.T) {
	fset, files := appFiles(t)
	forbidden := map[string]bool{"store": true, "xlsx": true, "crm": true, "auth": true, "emulator": true, "bolt": true, "excelize": true}
	methods := 0
	for _, f := range files {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() || len(fn.Recv.List) != 1 {
				continue
			}
			star, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
			if !ok {
				continue
			}
			if id, ok := star.X.(*ast.Ident); !ok || id.Name != "Service" {
				continue
			}
			methods++
			ast.Inspect(fn.Type, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok {
					if x, ok := sel.X.(*ast.Ident); ok && forbidden[x.Name] {
						t.Errorf("%s: (*Service).%s uses %s.%s; give app its own type", fset.Position(sel.Pos()), fn.Name.Name, x.Name, sel.Sel.Name)
					}
				}
				return true
			})
		}
	}
	if methods < 20 {
		t.Fatalf("found %d exported Service methods in app: the rule no longer reads the façade", methods)
	}
}

// TestAppTypesAreAppsOwn keeps app's exported types its own: an alias of
// another layer's type (type ImportTable = xlsx.Table) or an exported field
// of one (By xlsx.MatchKind) would let the store's or the XLSX package's
// shapes reach ui and the CLI through app's names. Such a type is declared
// in app with the fields the views need and converted inside app.
func TestAppTypesAreAppsOwn(t *testing.T) {
	fset, files := appFiles(t)
	layers := map[string]bool{"store": true, "xlsx": true, "crm": true, "auth": true, "emulator": true, "bolt": true, "excelize": true}
	foreign := func(n ast.Node) (string, bool) {
		found := ""
		ast.Inspect(n, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && found == "" {
				if x, ok := sel.X.(*ast.Ident); ok && layers[x.Name] {
					found = x.Name + "." + sel.Sel.Name
				}
			}
			return found == ""
		})
		return found, found != ""
	}
	types := 0
	for _, f := range files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, spec := range g.Specs {
				ts := spec.(*ast.TypeSpec)
				if !ts.Name.IsExported() {
					continue
				}
				types++
				if ts.Assign.IsValid() {
					if name, ok := foreign(ts.Type); ok {
						t.Errorf("%s: app.%s is an alias of %s; declare app's own type and convert inside app", fset.Position(ts.Pos()), ts.Name.Name, name)
					}
					continue
				}
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					if name, ok := foreign(ts.Type); ok {
						t.Errorf("%s: app.%s is defined as %s; declare app's own type", fset.Position(ts.Pos()), ts.Name.Name, name)
					}
					continue
				}
				for _, fld := range st.Fields.List {
					exported := len(fld.Names) == 0
					for _, n := range fld.Names {
						exported = exported || n.IsExported()
					}
					if !exported {
						continue
					}
					if name, ok := foreign(fld.Type); ok {
						t.Errorf("%s: an exported field of app.%s has type %s; use app's own type", fset.Position(fld.Pos()), ts.Name.Name, name)
					}
				}
			}
		}
	}
	if types < 10 {
		t.Fatalf("found %d exported types in app: the rule no longer reads the package", types)
	}
}

// TestUIConventions keeps two rules of the views that no import graph
// shows: background work posts to the UI goroutine only through
// ui/uiloop.Do (one lock for the window and the grid), and nothing
// registers itself from init() (the screens are listed in one literal, in
// MainWindow.buildScreens).
func TestUIConventions(t *testing.T) {
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir("ui", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		inUILoop := filepath.Dir(path) == filepath.Join("ui", "uiloop")
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.Name == "init" {
				t.Errorf("%s: func init() in ui; list what it registers where it is used", fset.Position(fn.Pos()))
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "fyne" && (sel.Sel.Name == "Do" || sel.Sel.Name == "DoAndWait") && !inUILoop {
				t.Errorf("%s: fyne.%s; post through uiloop.Do", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Fatalf("read %d files under ui: the rule no longer reads the views", files)
	}
}
