package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"crmsheets/crm/emulator"
)

// DemoOrgFileName is the demo org's own database inside the home directory.
const DemoOrgFileName = "demo-org.db"

// demoOrg is the embedded demo org: the emulator served on a loopback port
// for as long as the Service lives.
type demoOrg struct {
	srv  *emulator.Server
	http *http.Server
	url  string
}

// demoURL returns the demo org's base URL, starting the embedded emulator
// on 127.0.0.1:0 the first time.
func (s *Service) demoURL() (string, error) {
	if s.opt.DemoOrgURL != "" {
		return s.opt.DemoOrgURL, nil
	}
	// Starting (and seeding) the demo org takes a while: it has its own
	// lock so Status and the other short calls never wait for it.
	s.demoMu.Lock()
	defer s.demoMu.Unlock()
	s.mu.Lock()
	d := s.demo
	s.mu.Unlock()
	if d != nil {
		return d.url, nil
	}
	d, err := startDemoOrg(filepath.Join(s.home, DemoOrgFileName), s.opt.DemoSeedAccounts, s.opt.DemoOrgSalesforceID, s.now)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.demo = d
	s.mu.Unlock()
	s.log.Info("demo org started", "url", d.url)
	return d.url, nil
}

func startDemoOrg(dataFile string, seedAccounts int, orgID string, now func() time.Time) (*demoOrg, error) {
	srv, err := emulator.New(emulator.Options{DataFile: dataFile, SeedAccounts: seedAccounts, OrgID: orgID, Now: now})
	if err != nil {
		return nil, fmt.Errorf("start the demo org (%s): %w", dataFile, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("start the demo org: listen on loopback: %w", err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener was closed under us; Close reports nothing more useful
		}
	}()
	return &demoOrg{srv: srv, http: hs, url: "http://" + ln.Addr().String()}, nil
}

func (d *demoOrg) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := d.http.Shutdown(ctx)
	return errors.Join(err, d.srv.Close())
}
