// Package demoorg builds the app's demo org (app.DemoOrg) from the
// Salesforce-compatible emulator in crm/emulator. It is the one bridge
// between the two: main.go passes New() to app and the CLI, and tests that
// want the embedded demo org do the same, so neither app nor app/cli
// imports the emulator.
package demoorg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"crmsheets/app"
	"crmsheets/crm/emulator"
)

// New returns the demo org served by crm/emulator.
func New() app.DemoOrg { return emulatorOrg{} }

// emulatorOrg is app.DemoOrg over crm/emulator.
type emulatorOrg struct{}

// options turns app's configuration into the emulator's.
func options(c app.DemoOrgConfig) (emulator.Options, error) {
	var apps []emulator.ConnectedApp
	for _, spec := range c.Apps {
		a, err := emulator.ParseConnectedApp(spec)
		if err != nil {
			return emulator.Options{}, err
		}
		apps = append(apps, a)
	}
	return emulator.Options{Apps: apps,
		DataFile: c.DataFile, SeedAccounts: c.SeedAccounts, Seed: c.Seed, OrgID: c.OrgID,
		DailyAPILimit: c.DailyAPILimit, TokenTTL: c.TokenTTL, Now: c.Now,
		Faults: emulator.Faults{
			Latency: c.Faults.Latency, Rate503: c.Faults.Rate503, LockRate: c.Faults.LockRate,
			ExpireTokenEvery: c.Faults.ExpireTokenEvery, DropRate: c.Faults.DropRate, Seed: c.Faults.Seed,
		},
	}, nil
}

// Start serves the emulator on 127.0.0.1 with a free port.
func (emulatorOrg) Start(c app.DemoOrgConfig) (string, func() error, error) {
	opts, err := options(c)
	if err != nil {
		return "", nil, err
	}
	srv, err := emulator.New(opts)
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return "", nil, fmt.Errorf("listen on loopback: %w", err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		// Serve returns ErrServerClosed after stop; any other error means
		// the listener was closed under it, and stop reports nothing more
		// useful.
		_ = hs.Serve(ln)
	}()
	stop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		return errors.Join(hs.Shutdown(ctx), srv.Close())
	}
	return "http://" + ln.Addr().String(), stop, nil
}

// Serve runs the emulator standalone (emulator.Serve).
func (emulatorOrg) Serve(ctx context.Context, addr string, c app.DemoOrgConfig, out io.Writer) error {
	opts, err := options(c)
	if err != nil {
		return err
	}
	return emulator.Serve(ctx, addr, opts, out)
}

// Login is the emulator's demo user.
func (emulatorOrg) Login() app.DemoLogin {
	return app.DemoLogin{ClientID: emulator.DemoClientID, Username: emulator.DemoUsername, Password: emulator.DemoPassword}
}
