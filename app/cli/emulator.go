package cli

import (
	"errors"
	"fmt"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"crmsheets/app"
)

// emulatorCommand runs the demo org standalone. It is the one command that
// does not go through app.Service: it serves an org rather than using one
// (the app.DemoOrg main.go injects in the options, as the GUI's demo org
// is), and the reliability suite and the end-to-end benchmarks run it as a
// separate process to kill and restart the client side.
func (e *env) emulatorCommand() *cobra.Command {
	var opts app.DemoOrgConfig
	var addr, clockOffset string
	cmd := &cobra.Command{
		Use:   "emulator",
		Short: "Run the demo org (a local Salesforce-compatible REST server) on a loopback address",
		Long: `Serve the demo org standalone until interrupted. It binds to loopback only and
prints its base URL and the demo login. Connect to it with
  crmsheets login --url http://127.0.0.1:8787 --no-browser

Like a real org, it lets in only the connected apps it knows, with their
callback URLs compared as exact strings: its own app (consumer key
crmsheets-demo, callback http://localhost:1718/OauthRedirect, PKCE required),
Salesforce CLI's PlatformCLI (http://localhost:1717/OauthRedirect), and each
--app KEY=CALLBACK_URL[,CALLBACK_URL…][,pkce][,scopes=api+refresh_token]
[,blocked][,admin-approved].
The fault options make it misbehave like a busy real org, for testing.

--clock-offset moves the org's clock ahead (or back, with a minus sign) of
this computer's, in days and Go durations (16d, 1d12h, -2h): records deleted
while it ran without one are 16 days old to it with --clock-offset 16d and
the same --data file, so their 15 days in the recycle bin are over — queryAll
no longer returns them, and the next sync of a sheet that last synced
before then reconciles with a full pull.`,
		Example: `  crmsheets emulator --addr 127.0.0.1:8787
  crmsheets emulator --data org.db --seed-accounts 20000
  crmsheets emulator --addr 127.0.0.1:8788 --seed 2 --org-id 00D000000000002
  crmsheets emulator --app 3MVG9example=http://localhost:1718/OauthRedirect,pkce
  crmsheets emulator --data org.db --clock-offset 16d
  crmsheets emulator --fault-503 0.1 --fault-lock 0.05 --fault-expire-every 50 --latency 200ms`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			if e.opts.DemoOrg == nil {
				return app.ErrNoDemoOrg
			}
			if clockOffset != "" {
				off, err := parseClockOffset(clockOffset)
				if err != nil {
					return usageErr("--clock-offset: %v", err)
				}
				opts.Now = func() time.Time { return time.Now().Add(off) }
				fmt.Fprintf(e.io.Err, "The demo org's clock is %s this computer's: it is %s there.\n",
					describeOffset(off), opts.Now().UTC().Format(time.RFC3339))
			}
			return e.opts.DemoOrg.Serve(ctx, addr, opts, e.io.Out)
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8787", "loopback address to listen on (port 0 picks a free one)")
	f.StringArrayVar(&opts.Apps, "app", nil, "register a connected app: KEY=CALLBACK_URL[,pkce][,scopes=a+b][,blocked][,admin-approved] (repeatable)")
	f.StringVar(&clockOffset, "clock-offset", "", "move the org's clock by this much, e.g. 16d to have records deleted now purged from the recycle bin (days and Go durations: 16d, 1d12h, -2h)")
	f.StringVar(&opts.DataFile, "data", "", "bbolt file the org persists to (default: in memory)")
	f.IntVar(&opts.SeedAccounts, "seed-accounts", app.DefaultDemoSeedAccounts, "accounts of the generated org (with their contacts, opportunities, …) when the data file is empty")
	f.Int64Var(&opts.Seed, "seed", 1, "seed of the deterministic data generator")
	f.StringVar(&opts.OrgID, "org-id", "", "the org's Salesforce id (00D…, 15 or 18 characters; default: the demo org's), to run a second org beside the first")
	f.IntVar(&opts.DailyAPILimit, "daily-limit", 0, "daily API request limit (default: the emulator's)")
	f.DurationVar(&opts.TokenTTL, "token-ttl", 0, "access token lifetime (default: 2h)")
	f.DurationVar(&opts.Faults.Latency, "latency", 0, "added latency per request")
	f.Float64Var(&opts.Faults.Rate503, "fault-503", 0, "share of requests answered 503")
	f.Float64Var(&opts.Faults.LockRate, "fault-lock", 0, "share of records failing with UNABLE_TO_LOCK_ROW")
	f.IntVar(&opts.Faults.ExpireTokenEvery, "fault-expire-every", 0, "expire the access token every N calls")
	f.Float64Var(&opts.Faults.DropRate, "fault-drop", 0, "share of responses whose connection is dropped")
	f.Int64Var(&opts.Faults.Seed, "fault-seed", 1, "seed of the fault sequence")
	return cmd
}

// parseClockOffset reads --clock-offset: an optional sign, an optional
// whole number of days ("16d") and an optional Go duration ("12h30m"), as
// in "16d", "1d12h" or "-2h".
func parseClockOffset(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	neg := strings.HasPrefix(in, "-")
	rest := strings.TrimPrefix(strings.TrimPrefix(in, "-"), "+")
	var off time.Duration
	if i := strings.IndexByte(rest, 'd'); i >= 0 {
		days, err := strconv.Atoi(rest[:i])
		if err != nil || days < 0 || days > 36500 {
			return 0, fmt.Errorf("%q is not a number of days and a duration, such as 16d or 1d12h", s)
		}
		off, rest = time.Duration(days)*24*time.Hour, rest[i+1:]
	}
	if rest != "" {
		d, err := time.ParseDuration(rest)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("%q is not a number of days and a duration, such as 16d or 1d12h", s)
		}
		off += d
	} else if off == 0 && !strings.HasSuffix(in, "d") {
		return 0, errors.New("give days and a duration, such as 16d or 1d12h")
	}
	if neg {
		off = -off
	}
	return off, nil
}

// describeOffset words a clock offset for the emulator's banner.
func describeOffset(off time.Duration) string {
	dir := "ahead of"
	if off < 0 {
		dir, off = "behind", -off
	}
	days, rest := off/(24*time.Hour), off%(24*time.Hour)
	switch {
	case days > 0 && rest == 0:
		return fmt.Sprintf("%d days %s", days, dir)
	case days > 0:
		return fmt.Sprintf("%d days %s %s", days, rest, dir)
	}
	return fmt.Sprintf("%s %s", rest, dir)
}
