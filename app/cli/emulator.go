package cli

import (
	"os/signal"
	"syscall"

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
	var addr string
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
The fault options make it misbehave like a busy real org, for testing.`,
		Example: `  crmsheets emulator --addr 127.0.0.1:8787
  crmsheets emulator --data org.db --seed-accounts 20000
  crmsheets emulator --addr 127.0.0.1:8788 --seed 2 --org-id 00D000000000002
  crmsheets emulator --app 3MVG9example=http://localhost:1718/OauthRedirect,pkce
  crmsheets emulator --fault-503 0.1 --fault-lock 0.05 --fault-expire-every 50 --latency 200ms`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			if e.opts.DemoOrg == nil {
				return app.ErrNoDemoOrg
			}
			return e.opts.DemoOrg.Serve(ctx, addr, opts, e.io.Out)
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8787", "loopback address to listen on (port 0 picks a free one)")
	f.StringArrayVar(&opts.Apps, "app", nil, "register a connected app: KEY=CALLBACK_URL[,pkce][,scopes=a+b][,blocked][,admin-approved] (repeatable)")
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
