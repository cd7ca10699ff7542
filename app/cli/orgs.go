package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/pkg/browser"
	"github.com/spf13/cobra"

	"crmsheets/app"
)

// clientIDEnv is the environment variable that gives `login` its consumer
// key when --client-id is not set.
const clientIDEnv = "CRMSHEETS_CLIENT_ID"

func (e *env) loginCommand() *cobra.Command {
	var envName, url, clientID, name string
	var port int
	var noBrowser bool
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Connect an org: the demo org, or Salesforce with OAuth in the browser",
		Long: `Connect to an org and make it the active one.

--env demo connects the embedded demo org with no browser. For production,
sandbox or a login URL (--url: a My Domain such as https://acme.my.salesforce.com,
or a standalone demo org such as http://127.0.0.1:8787) the sign-in address
is printed on stderr and opened in the browser (unless --no-browser), and
CRM Sheets waits for Salesforce to send the browser back to

  ` + app.CallbackURL(0) + `

(or http://localhost:PORT/OauthRedirect with --callback-port PORT). Your
Salesforce admin registers exactly that URL as the callback of the org's
External Client App and gives you its consumer key (--client-id, or
$` + clientIDEnv + `); docs/CONNECT-SALESFORCE.md shows how. A standalone
demo org needs no key. With --url, --env production or --env sandbox says
what the org is: a production org's big runs are confirmed before they
write (see sync), whatever its URL looks like; without it a My Domain is
taken as production unless its URL is a sandbox's (".sandbox.") or local.
The key and port are saved with the org, and tokens
are kept in the OS keychain. A login that fails or is cancelled saves nothing.`,
		Example: `  crmsheets login --env demo
  crmsheets login --env production --client-id 3MVG9...
  crmsheets login --url https://acme.my.salesforce.com --client-id 3MVG9... --callback-port 1719
  crmsheets login --url http://127.0.0.1:8787 --no-browser`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var env, declared app.Env
			switch {
			case url != "" && envName == "demo":
				return usageErr("--env demo takes no --url (the demo org is built in; use --url alone for a standalone demo org)")
			case url != "":
				// --env production|sandbox with --url: that org's My Domain
				// login URL, and what the org is (it decides the
				// confirmation of big production runs).
				env = app.EnvMyDomain
				switch app.Env(envName) {
				case "":
				case app.EnvProduction, app.EnvSandbox:
					declared = app.Env(envName)
				default:
					return usageErr("--env with --url must be production or sandbox, not %q", envName)
				}
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
			if port < 0 || port > 65535 {
				return usageErr("--callback-port %d is not a port number (1-65535)", port)
			}
			if clientID == "" {
				clientID = strings.TrimSpace(os.Getenv(clientIDEnv))
			}
			svc, err := e.service(ctx)
			if err != nil {
				return err
			}
			org, err := e.orgToLogIn(svc, env, url, clientID, name)
			if err != nil {
				return err
			}
			if declared != "" {
				org.Declared = declared
			}
			if cmd.Flags().Changed("callback-port") {
				org.CallbackPort = port
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
			if env != app.EnvDemo {
				fmt.Fprintf(e.io.Err, "Waiting for Salesforce to send the browser back to %s\n", app.CallbackURL(org.CallbackPort))
				fmt.Fprintln(e.io.Err, "(If Salesforce shows an error page instead, look its code up in docs/CONNECT-SALESFORCE.md#troubleshooting; Ctrl-C stops.)")
			}
			org, err = svc.Login(ctx, org, open)
			if err != nil {
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
	cmd.Flags().StringVar(&clientID, "client-id", "", "consumer key of the org's External Client App (default: $"+clientIDEnv+", else the key saved with the org)")
	cmd.Flags().IntVar(&port, "callback-port", app.DefaultCallbackPort, "port of the callback URL registered in the app: http://localhost:PORT/OauthRedirect")
	cmd.Flags().StringVar(&name, "name", "", "label for this org in the switcher")
	cmd.Flags().BoolVar(&noBrowser, "no-browser", false, "print the sign-in address instead of opening a browser")
	return cmd
}

// orgToLogIn is the org a login is for: a saved org with the same
// environment and URL (so logging in again does not pile up duplicates),
// with the new consumer key if one is given, or a new unsaved org. Nothing
// is saved here: only a successful login saves the org.
func (e *env) orgToLogIn(svc *app.Service, env app.Env, url, clientID, name string) (app.Org, error) {
	o, ok, err := svc.SavedOrgFor(env, url)
	if err != nil {
		return app.Org{}, err
	}
	if ok {
		if clientID != "" {
			o.ClientID = clientID
		}
		if name != "" {
			o.Name = name
		}
		return o, nil
	}
	if name == "" {
		name = string(env)
		if url != "" {
			name = strings.TrimPrefix(strings.TrimPrefix(url, "https://"), "http://")
		}
	}
	return app.Org{Name: name, Env: env, URL: url, ClientID: clientID}, nil
}

// loginHint is the command that logs an org in again.
func loginHint(o app.Org) string {
	switch o.Env {
	case app.EnvDemo:
		return "crmsheets login --env demo"
	case app.EnvMyDomain:
		if o.Declared != "" {
			return "crmsheets login --env " + string(o.Declared) + " --url " + o.URL
		}
		return "crmsheets login --url " + o.URL
	}
	return "crmsheets login --env " + string(o.Env)
}

func (e *env) logoutCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Log the active org out: revoke its tokens in Salesforce and forget them on this machine",
		Long: `Log the active org out. Its tokens are revoked in Salesforce (when it can be
reached) and deleted from this machine. The org stays in the list of saved
orgs, with its consumer key and callback port, and stays the active org;
sheets stay as they are. Log in again with the command logout prints.`,
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
			if o.Env == app.EnvDemo {
				if err := svc.Disconnect(cmd.Context()); err != nil && !errors.Is(err, app.ErrNotRevoked) {
					return err
				}
				fmt.Fprintln(e.io.Out, "The demo org has no saved login to forget: it logs itself in. Switch orgs with `crmsheets orgs --use NAME`.")
				return nil
			}
			// Disconnect forgets the saved session in every case and revokes
			// it in Salesforce when it can; a failed revocation is a warning.
			revoked := "revoked in Salesforce and forgotten on this computer"
			if err := svc.Disconnect(cmd.Context()); err != nil {
				if !errors.Is(err, app.ErrNotRevoked) {
					return err
				}
				fmt.Fprintf(e.io.Err, "warning: %v\n", err)
				revoked = "forgotten on this computer (not revoked in Salesforce: revoke it in Setup > Connected Apps OAuth Usage)"
			}
			fmt.Fprintf(e.io.Out, "Logged out of %s: its tokens are %s.\n", o.Name, revoked)
			fmt.Fprintf(e.io.Out, "%s stays saved and active, logged out; your sheets stay on this computer.\n", o.Name)
			fmt.Fprintf(e.io.Out, "Log in again: %s    Use the demo org: crmsheets orgs --use demo\n", loginHint(o))
			return nil
		},
	}
}

// orgLine is the --json form of a saved org.
type orgLine struct {
	app.Org
	Active     bool           `json:"active"`
	Production bool           `json:"production"`
	State      app.LoginState `json:"state"` // built in, signed in, needs reauthorization, logged out
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
				out = append(out, orgLine{Org: o, Active: o.ID == active.ID, Production: o.Production(), State: svc.OrgLoginState(o)})
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
				rows = append(rows, []string{mark, o.Name, env, string(o.State), o.Username, o.URL, o.ID})
			}
			if err := table(e.io.Out, []string{"", "NAME", "ENV", "STATE", "USER", "URL", "ID"}, rows); err != nil {
				return err
			}
			for _, o := range out {
				if o.State == app.LoginNeedsReauth {
					why := o.LoginProblem
					if why == "" {
						why = "Salesforce refused its saved session"
					}
					fmt.Fprintf(e.io.Out, "\n%s needs reauthorization: %s\nTo log in again, run: %s\n", o.Name, why, loginHint(o.Org))
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&use, "use", "", "make this org (name or id) the active one")
	cmd.Flags().StringVar(&remove, "remove", "", "forget this org (name or id) and its saved login; the demo org stays")
	return cmd
}
