package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pkg/browser"
	"github.com/spf13/cobra"

	"crmsheets/app"
)

func (e *env) loginCommand() *cobra.Command {
	var envName, url, clientID, name string
	var noBrowser bool
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Connect an org: the demo org, or Salesforce with OAuth in the browser",
		Long: `Connect to an org and make it the active one.

--env demo connects the embedded demo org with no browser. For production,
sandbox or a My Domain URL (--url, any base URL, including a standalone
emulator such as http://127.0.0.1:8787) the authorize URL is printed on stderr
and opened in the browser (unless --no-browser); CRM Sheets waits for the
redirect on a loopback port. Tokens are kept in the OS keychain.`,
		Example: `  crmsheets login --env demo
  crmsheets login --env production --client-id 3MVG9...
  crmsheets login --url https://acme.my.salesforce.com
  crmsheets login --url http://127.0.0.1:8787 --no-browser`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var env app.Env
			switch {
			case url != "" && envName != "" && envName != "mydomain":
				return usageErr("give --env or --url, not both")
			case url != "":
				env = app.EnvMyDomain
			case envName == "":
				return usageErr("give --env production|sandbox|demo or --url URL")
			default:
				switch app.Env(envName) {
				case app.EnvProduction, app.EnvSandbox, app.EnvDemo:
					env = app.Env(envName)
				default:
					return usageErr("--env must be production, sandbox or demo, not %q (use --url for My Domain)", envName)
				}
			}
			svc, err := e.service(ctx)
			if err != nil {
				return err
			}
			org, err := e.findOrAddOrg(svc, env, url, clientID, name)
			if err != nil {
				return err
			}
			open := func(u string) error {
				fmt.Fprintf(e.io.Err, "Open this address to sign in:\n  %s\n", u)
				if noBrowser {
					return nil
				}
				if err := browser.OpenURL(u); err != nil {
					fmt.Fprintln(e.io.Err, "(could not open a browser; open the address above yourself)")
				}
				return nil
			}
			if err := svc.Connect(ctx, org.ID, open); err != nil {
				return err
			}
			if err := svc.SwitchOrg(org.ID); err != nil {
				return err
			}
			st := svc.Status()
			if e.json {
				return printJSON(e.io.Out, st)
			}
			fmt.Fprintf(e.io.Out, "Connected to %s as %s (%s)\n", st.OrgName, st.Username, st.InstanceURL)
			return nil
		},
	}
	cmd.Flags().StringVar(&envName, "env", "", "production, sandbox or demo")
	cmd.Flags().StringVar(&url, "url", "", "My Domain or other login base URL")
	cmd.Flags().StringVar(&clientID, "client-id", "", "connected app consumer key (default: $CRMSHEETS_CLIENT_ID or the app's own)")
	cmd.Flags().StringVar(&name, "name", "", "label for this org in the switcher")
	cmd.Flags().BoolVar(&noBrowser, "no-browser", false, "print the sign-in address instead of opening a browser")
	return cmd
}

// findOrAddOrg reuses a saved org with the same environment and URL, so
// logging in again does not pile up duplicates.
func (e *env) findOrAddOrg(svc *app.Service, env app.Env, url, clientID, name string) (app.Org, error) {
	orgs, err := svc.Orgs()
	if err != nil {
		return app.Org{}, err
	}
	for _, o := range orgs {
		if o.Env == env && strings.TrimSuffix(o.URL, "/") == strings.TrimSuffix(url, "/") {
			if clientID != "" && clientID != o.ClientID {
				o.ClientID = clientID
				if err := svc.UpdateOrg(o); err != nil {
					return app.Org{}, err
				}
			}
			return o, nil
		}
	}
	if name == "" {
		name = string(env)
		if url != "" {
			name = strings.TrimPrefix(strings.TrimPrefix(url, "https://"), "http://")
		}
	}
	return svc.AddOrg(app.Org{Name: name, Env: env, URL: url, ClientID: clientID})
}

func (e *env) logoutCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "logout",
		Short:   "Disconnect the active org: revoke its token and forget it on this machine",
		Example: "  crmsheets logout",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := e.service(cmd.Context())
			if err != nil {
				return err
			}
			o, err := svc.ActiveOrg()
			if err != nil {
				return err
			}
			// Disconnect forgets the saved session in every case and revokes
			// it in Salesforce when it can; a failed revocation is a warning.
			if err := svc.Disconnect(cmd.Context()); err != nil {
				if !errors.Is(err, app.ErrNotRevoked) {
					return err
				}
				fmt.Fprintf(e.io.Err, "warning: %v\n", err)
			}
			fmt.Fprintf(e.io.Out, "Disconnected from %s\n", o.Name)
			return nil
		},
	}
}

// orgLine is the --json form of a saved org.
type orgLine struct {
	app.Org
	Active     bool   `json:"active"`
	Production bool   `json:"production"`
	State      string `json:"state"` // built in, signed in, log in again, never signed in
}

// orgState says in words whether an org can be used without a new login.
func orgState(o app.Org) string {
	switch {
	case o.Env == app.EnvDemo:
		return "built in"
	case o.NeedsLogin:
		return "log in again"
	case o.Username == "":
		return "never signed in"
	}
	return "signed in"
}

func (e *env) orgsCommand() *cobra.Command {
	var use, remove string
	cmd := &cobra.Command{
		Use:     "orgs",
		Short:   "List saved orgs, switch the active one, or remove one",
		Example: "  crmsheets orgs\n  crmsheets orgs --use demo\n  crmsheets orgs --remove \"Acme sandbox\"",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := e.service(cmd.Context())
			if err != nil {
				return err
			}
			orgs, err := svc.Orgs()
			if err != nil {
				return err
			}
			if use != "" && remove != "" {
				return usageErr("give --use or --remove, not both")
			}
			if remove != "" {
				for _, o := range orgs {
					if o.ID == remove || strings.EqualFold(o.Name, remove) {
						if err := svc.RemoveOrg(o.ID); err != nil {
							return err
						}
						fmt.Fprintf(e.io.Out, "Removed org %s and its saved login\n", o.Name)
						return nil
					}
				}
				return fmt.Errorf("no saved org %q (see `crmsheets orgs`)", remove)
			}
			if use != "" {
				for _, o := range orgs {
					if o.ID == use || strings.EqualFold(o.Name, use) {
						if err := svc.SwitchOrg(o.ID); err != nil {
							return err
						}
						fmt.Fprintf(e.io.Out, "Active org: %s\n", o.Name)
						return nil
					}
				}
				return fmt.Errorf("no saved org %q (see `crmsheets orgs`)", use)
			}
			active, _ := svc.ActiveOrg()
			out := make([]orgLine, 0, len(orgs))
			for _, o := range orgs {
				out = append(out, orgLine{Org: o, Active: o.ID == active.ID, Production: o.Production(), State: orgState(o)})
			}
			if w := svc.Status().KeychainWarning; w != "" {
				defer fmt.Fprintln(e.io.Err, "note:", w)
			}
			if e.json {
				return printJSON(e.io.Out, out)
			}
			rows := make([][]string, 0, len(out))
			for _, o := range out {
				mark := ""
				if o.Active {
					mark = "*"
				}
				env := string(o.Env)
				if o.Production {
					env = "PRODUCTION"
				}
				rows = append(rows, []string{mark, o.Name, env, o.State, o.Username, o.URL, o.ID})
			}
			if err := table(e.io.Out, []string{"", "NAME", "ENV", "STATE", "USER", "URL", "ID"}, rows); err != nil {
				return err
			}
			for _, o := range out {
				if o.NeedsLogin {
					fmt.Fprintf(e.io.Out, "\n%s needs a new login: Salesforce refused its saved session. Run `crmsheets login` for it again.\n", o.Name)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&use, "use", "", "make this org (name or id) the active one")
	cmd.Flags().StringVar(&remove, "remove", "", "forget this org (name or id) and its saved login; the demo org stays")
	return cmd
}
