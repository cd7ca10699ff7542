package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// ErrNotLoopback reports a listen address that is not a loopback address;
// the demo org never listens on a network interface.
var ErrNotLoopback = errors.New("the demo org binds to loopback addresses only")

// Serve runs the demo org standalone on addr (host:port of a loopback
// address, e.g. "127.0.0.1:8787"; port 0 picks one) until ctx is done,
// printing its base URL and the demo login to out. It is what
// `crmsheets emulator --addr 127.0.0.1:8787` runs. Options are as for New;
// callers wanting the usual demo org pass SeedAccounts: DefaultSeedAccounts
// and a DataFile.
func Serve(ctx context.Context, addr string, opts Options, out io.Writer) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("emulator address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("emulator address %q: %w", addr, ErrNotLoopback)
	}
	srv, err := New(opts)
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(out, "CRM Sheets demo org listening on %s\n", base)
	fmt.Fprintf(out, "  login URL:  %s (username %s, password %s)\n", base, DemoUsername, DemoPassword)
	fmt.Fprintf(out, "  REST base:  %s/services/data/v%s\n", base, LatestVersion)
	for _, a := range srv.Apps() {
		fmt.Fprintf(out, "  connected app: %s\n", a)
	}
	httpSrv := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- httpSrv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve demo org: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := httpSrv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shut down demo org: %w", err)
	}
	<-done
	return nil
}
