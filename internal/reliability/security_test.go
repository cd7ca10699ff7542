package reliability

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"crmsheets/app"
	"crmsheets/internal/clitest"
	"crmsheets/sheets"
)

// TestSecurity checks the promises of DESIGN.md's security section from the
// outside: the OAuth request carries PKCE and a state that is checked, the
// redirect goes to loopback only, tokens never appear in output, history,
// exports, the store or a crash dump, key values and filters cannot change a
// query, and exported cells are never formulas.
func TestSecurity(t *testing.T) {
	o := &outcome{Scenario: "Security", Trials: 5, Tried: "wrong OAuth state, denied consent, token leaks in output/history/exports/store/crash dump, SOQL injection through key values and filters, formula injection on export"}
	record(t, o)
	emu := clitestEmulator(t, "--seed-accounts", "30")
	var failures []string
	fail := func(format string, a ...any) {
		msg := fmt.Sprintf(format, a...)
		t.Error(msg)
		failures = append(failures, msg)
	}

	t.Run("oauth state and consent", func(t *testing.T) {
		c := &clitest.CLI{Bin: binary, Home: t.TempDir()}
		for _, attack := range []string{"wrong state", "denied"} {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			cmd := c.Command(ctx, append([]string{"login", "--url", emu, "--no-browser"}, clitest.LoginFlags(emu)...)...)
			stderr, _ := cmd.StderrPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(stderr)
			var authURL string
			var errText strings.Builder
			for sc.Scan() {
				line := strings.TrimSpace(sc.Text())
				errText.WriteString(line + "\n")
				if strings.Contains(line, "/services/oauth2/authorize") {
					authURL = line
					break
				}
			}
			if authURL == "" {
				cancel()
				t.Fatalf("no authorize URL: %s", errText.String())
			}
			if attack == "denied" {
				if err := clitest.Authorize(authURL, emu, "deny"); err != nil {
					t.Fatal(err)
				}
			} else {
				// A forged redirect: a code with someone else's state.
				q := mustQuery(t, authURL)
				resp, err := http.Get(q.Get("redirect_uri") + "?code=forged&state=not-the-state")
				if err == nil {
					resp.Body.Close()
				}
			}
			rest, _ := io.ReadAll(stderr)
			errText.Write(rest)
			err := cmd.Wait()
			cancel()
			if err == nil || cmd.ProcessState.ExitCode() != 1 {
				fail("login with %s: exit %d, want 1\n%s", attack, cmd.ProcessState.ExitCode(), errText.String())
			}
		}
		var orgs []map[string]any
		c.JSON(t, &orgs, "orgs")
		for _, org := range orgs {
			if org["username"] != nil && org["username"] != "" && org["env"] != "demo" {
				fail("an org was connected despite the failed logins: %v", org)
			}
		}
	})

	c := newUser(t, emu)
	t.Run("injection through key values", func(t *testing.T) {
		org, err := clitest.OpenOrg(emu)
		if err != nil {
			t.Fatal(err)
		}
		before, err := org.Query("SELECT Id, Title FROM Contact")
		if err != nil {
			t.Fatal(err)
		}
		// Email cells are typed and refuse these values, so the key column
		// becomes Last Name (text) to carry them to the key lookup.
		hostile := []string{`x' OR LastName != '`, `x\' OR LastName != \'`, "x'\nOR LastName != '", `%`, `' OR Id != null OR LastName = '`}
		withService(t, c.Home, func(svc *app.Service, sh *sheets.Sheet) {
			last, title := column(t, sh, "LastName"), column(t, sh, "Title")
			sh.Sync.CreateMissing = false
			sh.KeyColumn = last
			if err := svc.SaveSheetSettings(sh, "key on last name, no creates"); err != nil {
				t.Fatal(err)
			}
			var cells []map[string]string
			for _, h := range hostile {
				cells = append(cells, map[string]string{last: h, title: "Injected"})
			}
			if _, err := svc.AddRows(sh.ID, 0, cells); err != nil {
				t.Fatal(err)
			}
		})
		r := c.Run(t, time.Minute, "sync", "--sheet", sheetName, "--direction", "push", "--force")
		t.Logf("push with hostile keys: exit %d\n%s%s", r.Code, r.Out, r.Err)
		after, err := org.Query("SELECT Id, Title FROM Contact")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range after {
			if clitest.Str(r, "Title") == "Injected" {
				fail("a hostile key value reached record %s", clitest.Str(r, "Id"))
			}
		}
		if len(after) != len(before) {
			fail("the org has %d contacts after the push, had %d", len(after), len(before))
		}
		withService(t, c.Home, func(svc *app.Service, sh *sheets.Sheet) {
			sh.KeyColumn = column(t, sh, "Email")
			if err := svc.SaveSheetSettings(sh, "key back on email"); err != nil {
				t.Fatal(err)
			}
			var ids []sheets.RowID
			for r, err := range svc.Rows(sh.ID) {
				if err == nil && r.RecordID == "" {
					ids = append(ids, r.ID)
				}
			}
			if err := svc.DeleteRows(sh.ID, ids); err != nil {
				t.Fatal(err)
			}
		})
	})

	t.Run("injection through filters", func(t *testing.T) {
		for _, filter := range []string{
			"LastName != null) OR (LastName != null",
			"LastName != null LIMIT 1",
			"LastName != null ORDER BY Name",
			"LastName = 'x' UNION SELECT Id FROM User",
			"LastName = 'x'; DELETE",
		} {
			withService(t, c.Home, func(svc *app.Service, sh *sheets.Sheet) {
				sh.Filter = filter
				if err := svc.SaveSheetSettings(sh, "hostile filter"); err != nil {
					t.Logf("filter %q refused when saved: %v", filter, err)
				}
			})
			var sh map[string]any
			var list []map[string]any
			c.JSON(t, &list, "sheets")
			for _, s := range list {
				if s["name"] == sheetName {
					sh = s
				}
			}
			if sh["filter"] != filter {
				continue // refused when saved: nothing can run with it
			}
			r := c.Run(t, time.Minute, "sync", "--sheet", sheetName, "--direction", "pull", "--full")
			t.Logf("filter %q: exit %d: %s", filter, r.Code, firstLine(r.Err))
			if r.Code == 0 {
				fail("pull with the filter %q succeeded; it is not a WHERE condition and must be refused", filter)
			}
		}
		withService(t, c.Home, func(svc *app.Service, sh *sheets.Sheet) {
			sh.Filter = ""
			if err := svc.SaveSheetSettings(sh, "filter cleared"); err != nil {
				t.Fatal(err)
			}
		})
	})

	t.Run("formula injection on export", func(t *testing.T) {
		payloads := []string{`=HYPERLINK("http://evil.example","x")`, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)"}
		withService(t, c.Home, func(svc *app.Service, sh *sheets.Sheet) {
			title, email := column(t, sh, "Title"), column(t, sh, "Email")
			var cells []map[string]string
			for i, p := range payloads {
				cells = append(cells, map[string]string{title: p, email: fmt.Sprintf("formula%d@example.com", i)})
			}
			if _, err := svc.AddRows(sh.ID, 0, cells); err != nil {
				t.Fatal(err)
			}
		})
		path := filepath.Join(t.TempDir(), "export.xlsx")
		c.Must(t, "export", "--sheet", sheetName, path)
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		tab := f.GetSheetName(0)
		rows, err := f.GetRows(tab)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for r, row := range rows {
			for col, v := range row {
				for _, p := range payloads {
					if v != p {
						continue
					}
					found++
					cell, _ := excelize.CoordinatesToCellName(col+1, r+1)
					if formula, _ := f.GetCellFormula(tab, cell); formula != "" {
						fail("exported cell %s holds the formula %q", cell, formula)
					}
				}
			}
		}
		if found != len(payloads) {
			fail("found %d of %d payload cells as text in the export", found, len(payloads))
		}
	})

	t.Run("no token in output, history, exports, store or crash dumps", func(t *testing.T) {
		// A push killed with SIGQUIT prints Go's crash dump of every
		// goroutine; a slow org makes sure the push is still running.
		c := newUser(t, clitestEmulator(t, "--seed-accounts", "30", "--latency", "300ms"))
		withService(t, c.Home, func(svc *app.Service, sh *sheets.Sheet) {
			title := column(t, sh, "Title")
			n := 0
			for r, err := range svc.Rows(sh.ID) {
				if err != nil || n == 50 {
					break
				}
				if r.RecordID != "" {
					_, _ = svc.EditCell(sh.ID, r.ID, title, fmt.Sprintf("Dump %d", n))
					n++
				}
			}
		})
		cmd := c.Command(context.Background(), "sync", "--sheet", sheetName, "--direction", "push", "--force")
		var dump bytes.Buffer
		cmd.Stdout, cmd.Stderr = &dump, &dump
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(700 * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGQUIT)
		_ = cmd.Wait()

		exportPath := filepath.Join(t.TempDir(), "all.xlsx")
		c.Must(t, "export", "--sheet", sheetName, exportPath)
		var hist []map[string]any
		c.JSON(t, &hist, "history")
		histJSON, _ := json.Marshal(hist)
		var details bytes.Buffer
		for _, h := range hist {
			details.WriteString(c.Must(t, "history", "--run", fmt.Sprint(h["id"]), "--json"))
		}
		xlsxText := unzipAll(t, exportPath)
		storeBytes, err := os.ReadFile(filepath.Join(c.Home, "crmsheets.db"))
		if err != nil {
			t.Fatal(err)
		}
		tokens := savedTokens(t, c.Home)
		if len(tokens) == 0 {
			t.Fatal("found no saved token to look for (keychain in use?)")
		}
		places := map[string][]byte{
			"CLI output": c.Transcript.Bytes(), "crash dump": dump.Bytes(), "history": histJSON,
			"run details": details.Bytes(), "export": xlsxText, "store": storeBytes,
		}
		for _, tok := range tokens {
			for where, b := range places {
				if bytes.Contains(b, []byte(tok)) {
					fail("a token appears in the %s", where)
				}
			}
		}
		if !bytes.Contains(dump.Bytes(), []byte("goroutine")) {
			fail("the SIGQUIT did not produce a crash dump to search (the push had ended?)")
		}
	})

	if len(failures) > 0 {
		o.Lost = strings.Join(failures, "; ")
		return
	}
	o.Lost = "nothing: forged and denied logins refused, no token found anywhere, hostile keys matched nothing, hostile filters refused, no formula exported"
}

func mustQuery(t *testing.T, u string) interface{ Get(string) string } {
	t.Helper()
	i := strings.Index(u, "?")
	if i < 0 {
		t.Fatalf("no query in %s", u)
	}
	q, err := urlParseQuery(u[i+1:])
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// savedTokens finds the OAuth tokens the CLI saved in its home (the 0600
// fallback files used when no keychain is available).
func savedTokens(t *testing.T, home string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".db") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil || !bytes.Contains(b, []byte("access_token")) {
			return nil
		}
		var tok struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		}
		if json.Unmarshal(b, &tok) == nil {
			for _, s := range []string{tok.AccessToken, tok.RefreshToken} {
				if len(s) >= 16 {
					out = append(out, s)
				}
			}
		}
		return nil
	})
	return out
}

func unzipAll(t *testing.T, path string) []byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var all bytes.Buffer
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(&all, rc)
		rc.Close()
	}
	return all.Bytes()
}

func urlParseQuery(s string) (url.Values, error) { return url.ParseQuery(s) }
