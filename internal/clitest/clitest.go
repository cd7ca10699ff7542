// Package clitest runs the real crmsheets binary the way scripts and
// schedulers do, against a real emulator process, for the end-to-end tests
// of the CLI and the reliability suite. It builds the binary once per test
// binary, plays the user's browser for the OAuth login, and reads the org
// back over the REST API so assertions never trust the code under test.
package clitest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// Build compiles crmsheets into dir and returns the executable's path.
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "crmsheets")
	cmd := exec.Command("go", "build", "-o", bin, "crmsheets")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build crmsheets: %w", err)
	}
	return bin, nil
}

// RunWithBinary is the body of a TestMain whose tests drive the binary: it
// builds crmsheets into a temporary directory, sets *bin to its path, runs
// the tests and removes the directory. It returns the exit code for os.Exit.
// The binary keeps tokens in files (see Command) and the test process's own
// keychain is go-keyring's mock, so the user's keychain is never touched.
func RunWithBinary(m *testing.M, bin *string) int {
	keyring.MockInit()
	dir, err := os.MkdirTemp("", "crmsheets-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if *bin, err = Build(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// Result is one finished command.
type Result struct {
	Out, Err string
	Code     int
	MaxRSSKB int64 // peak resident memory of the process
	// MaxAnonKB is the peak of the process's anonymous resident memory
	// (RssAnon: heap, stacks; not the store file bbolt maps, whose pages
	// are the OS's reclaimable file cache), sampled every 5 ms on Linux
	// (0 elsewhere).
	MaxAnonKB int64
	Took      time.Duration
}

// CLI is the binary with a home directory, as one user's machine.
type CLI struct {
	Bin, Home string
	// Transcript collects everything the binary printed, so security
	// checks can search it for secrets.
	mu         sync.Mutex
	Transcript bytes.Buffer
}

func (c *CLI) record(s ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, x := range s {
		c.Transcript.WriteString(x)
	}
}

// Command returns the process for args, not started, with stdin not a
// terminal as under cron. Tokens go to files in the home directory
// (CRMSHEETS_TOKENS=file): a test never touches the user's keychain.
func (c *CLI) Command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, c.Bin, append([]string{"--home", c.Home}, args...)...)
	cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8", "CRMSHEETS_HOME=", "CRMSHEETS_TOKENS=file")
	return cmd
}

// Run runs a command to its end (at most timeout) and returns its output.
func (c *CLI) Run(t testing.TB, timeout time.Duration, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := c.Command(ctx, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Start()
	var anon int64
	if err == nil {
		stop := sampleAnon(cmd.Process.Pid, &anon)
		err = cmd.Wait()
		stop()
	}
	r := Result{Out: out.String(), Err: errb.String(), Took: time.Since(start), MaxAnonKB: anon}
	c.record(r.Out, r.Err)
	var xe *exec.ExitError
	switch {
	case errors.As(err, &xe):
		r.Code = xe.ExitCode()
	case err != nil:
		t.Fatalf("run crmsheets %s: %v", strings.Join(args, " "), err)
	}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.MaxRSSKB = ru.Maxrss
		}
	}
	if ctx.Err() != nil {
		t.Fatalf("crmsheets %s did not finish within %s", strings.Join(args, " "), timeout)
	}
	return r
}

// Must runs a command and fails the test unless it exits 0.
func (c *CLI) Must(t testing.TB, args ...string) string {
	t.Helper()
	r := c.Run(t, 5*time.Minute, args...)
	if r.Code != 0 {
		t.Fatalf("crmsheets %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.Code, r.Out, r.Err)
	}
	return r.Out
}

// JSON runs a command with --json and decodes its output into v.
func (c *CLI) JSON(t testing.TB, v any, args ...string) {
	t.Helper()
	out := c.Must(t, append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("crmsheets %s --json: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// Emulator is a standalone `crmsheets emulator` process.
type Emulator struct {
	URL string
	// ClientID and CallbackPort are the connected app registered for the
	// tests (TestClientID on a free port), so that logins of parallel
	// tests never compete for the default callback port.
	ClientID     string
	CallbackPort int
	cmd          *exec.Cmd
}

// TestClientID is the consumer key of the connected app StartEmulator
// registers.
const TestClientID = "3MVG9-crmsheets-e2e"

// emulators maps a running emulator's URL to it, so that Login(t, url)
// finds the app to log in with.
var emulators sync.Map

// FreePort returns a loopback port nothing listens on right now.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// CallbackURL is the callback URL CRM Sheets uses for a port.
func CallbackURL(port int) string { return fmt.Sprintf("http://localhost:%d/OauthRedirect", port) }

// LoginFlags are the login flags for the test app of the emulator at base
// (none for an emulator this package did not start).
func LoginFlags(base string) []string {
	v, ok := emulators.Load(base)
	if !ok {
		return nil
	}
	e := v.(*Emulator)
	return []string{"--client-id", e.ClientID, "--callback-port", fmt.Sprint(e.CallbackPort)}
}

// StartEmulator runs `crmsheets emulator` on a free loopback port with the
// given extra flags and a connected app for the tests (TestClientID, PKCE,
// callback on a free port), and stops it when the test ends.
func StartEmulator(t testing.TB, bin string, args ...string) *Emulator {
	t.Helper()
	port := FreePort(t)
	args = append([]string{"--app", TestClientID + "=" + CallbackURL(port) + ",pkce"}, args...)
	cmd := exec.Command(bin, append([]string{"emulator", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	e := &Emulator{cmd: cmd, ClientID: TestClientID, CallbackPort: port}
	t.Cleanup(e.Stop)
	re := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case e.URL = <-found:
	case <-time.After(3 * time.Minute):
		t.Fatal("emulator did not start")
	}
	emulators.Store(e.URL, e)
	t.Cleanup(func() { emulators.Delete(e.URL) })
	return e
}

// Stop interrupts the emulator and waits for it (it saves its data file).
func (e *Emulator) Stop() {
	if e.cmd.ProcessState != nil {
		return
	}
	_ = e.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = e.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = e.cmd.Process.Kill()
		<-done
	}
}

// Demo user of the emulator.
const (
	DemoUsername = "demo@crmsheets.example"
	DemoPassword = "demo"
)

// Login runs `crmsheets login --url base --no-browser` with the test app
// of the emulator (LoginFlags) and plays the browser: it reads the
// authorize address the CLI prints, checks it asks for PKCE S256 and state
// with the localhost callback, signs in on the emulator's page and follows
// the redirect to the CLI's listener.
func (c *CLI) Login(t testing.TB, base string, extra ...string) Result {
	t.Helper()
	return c.LoginAs(t, base, "allow", append(LoginFlags(base), extra...)...)
}

// LoginAs is Login with the browser's action ("allow" or "deny") and the
// login flags given in full. When the CLI ends without printing an
// authorize address (Salesforce refused before the browser), the result is
// returned as is.
func (c *CLI) LoginAs(t testing.TB, base, action string, flags ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := c.Command(ctx, append([]string{"login", "--url", base, "--no-browser"}, flags...)...)
	var out bytes.Buffer
	cmd.Stdout = &out
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var errText strings.Builder
	authURL := make(chan string, 1)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			errText.WriteString(line + "\n")
			if s := strings.TrimSpace(line); strings.HasPrefix(s, "http") && strings.Contains(s, "/services/oauth2/authorize") {
				authURL <- s
			}
		}
	}()
	var u string
	select {
	case u = <-authURL:
	case <-readDone:
		// The CLI ended before any browser was needed.
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		t.Fatal("login did not print an authorize URL")
	}
	if u != "" {
		if err := Authorize(u, base, action); err != nil {
			_ = cmd.Process.Kill()
			t.Fatal(err)
		}
	}
	err = cmd.Wait()
	<-readDone
	r := Result{Out: out.String(), Err: errText.String()}
	c.record(r.Out, r.Err)
	var xe *exec.ExitError
	if errors.As(err, &xe) {
		r.Code = xe.ExitCode()
	}
	return r
}

// Authorize plays the browser on an authorize URL: it checks the request
// (PKCE S256, state, loopback redirect on the chosen host), posts the demo
// user's login with action ("allow" or "deny") and delivers the redirect to
// the loopback listener.
func Authorize(authorizeURL, base, action string) error {
	pu, err := url.Parse(authorizeURL)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(authorizeURL, base) {
		return fmt.Errorf("authorize URL %s is not on the chosen login host %s", authorizeURL, base)
	}
	form := pu.Query()
	if form.Get("code_challenge") == "" || form.Get("code_challenge_method") != "S256" || len(form.Get("state")) < 16 {
		return fmt.Errorf("authorize URL lacks PKCE S256 or a random state: %s", authorizeURL)
	}
	redirect, err := url.Parse(form.Get("redirect_uri"))
	if err != nil || redirect.Hostname() != "localhost" || redirect.Path != "/OauthRedirect" {
		return fmt.Errorf("redirect_uri %q is not the localhost callback", form.Get("redirect_uri"))
	}
	form.Set("username", DemoUsername)
	form.Set("password", DemoPassword)
	form.Set("action", action)
	noFollow := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(pu.Scheme+"://"+pu.Host+pu.Path, form)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("authorize POST: %s", resp.Status)
	}
	if loc, err := url.Parse(resp.Header.Get("Location")); err == nil && loc.Host == pu.Host {
		return nil // Salesforce's own error page: the browser stays on Salesforce
	}
	back, err := http.Get(resp.Header.Get("Location"))
	if err != nil {
		return fmt.Errorf("deliver the redirect to %s: %w", resp.Header.Get("Location"), err)
	}
	back.Body.Close()
	return nil
}

// sampleAnon samples the RssAnon line of /proc/pid/status every 5 ms and
// keeps its peak in *peak (kB) until the returned stop is called.
func sampleAnon(pid int, peak *int64) (stop func()) {
	path := fmt.Sprintf("/proc/%d/status", pid)
	quit, done := make(chan struct{}), make(chan struct{})
	read := func() {
		b, err := os.ReadFile(path)
		if err != nil {
			return
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "RssAnon:"); ok {
				var kb int64
				if _, err := fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(v), " kB"), &kb); err == nil && kb > *peak {
					*peak = kb
				}
			}
		}
	}
	go func() {
		defer close(done)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			read()
			select {
			case <-quit:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(quit); <-done }
}
