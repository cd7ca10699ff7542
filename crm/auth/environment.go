package auth

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
)

// EnvKind names the kind of org a connection logs in to. Its string form is
// stable and meant to be stored with the connection.
type EnvKind string

// Environment kinds.
const (
	// Production logs in at https://login.salesforce.com.
	Production EnvKind = "production"
	// Sandbox logs in at https://test.salesforce.com.
	Sandbox EnvKind = "sandbox"
	// MyDomain logs in at the org's own https URL (or http on loopback for a
	// standalone emulator).
	MyDomain EnvKind = "mydomain"
	// Demo is the embedded emulator on a loopback URL.
	Demo EnvKind = "demo"
)

// Login hosts of Salesforce (the Salesforce CLI uses the same constants).
const (
	ProductionURL = "https://login.salesforce.com"
	SandboxURL    = "https://test.salesforce.com"
)

// ErrInvalidEnvironment reports an environment that cannot be used.
var ErrInvalidEnvironment = errors.New("invalid Salesforce environment")

// Environment is where a connection logs in and refreshes its tokens. Store
// it with the connection and pass it back unchanged: a session always
// refreshes against the environment it was created with.
type Environment struct {
	Kind EnvKind `json:"kind"`
	URL  string  `json:"url"`
}

// ProductionEnv returns the production login environment.
func ProductionEnv() Environment { return Environment{Kind: Production, URL: ProductionURL} }

// SandboxEnv returns the sandbox login environment.
func SandboxEnv() Environment { return Environment{Kind: Sandbox, URL: SandboxURL} }

// MyDomainEnv returns the environment of a My Domain login URL, validated.
func MyDomainEnv(rawURL string) (Environment, error) {
	e := Environment{Kind: MyDomain, URL: strings.TrimRight(strings.TrimSpace(rawURL), "/")}
	return e, e.Validate()
}

// DemoEnv returns the environment of the embedded demo org at a loopback URL.
func DemoEnv(rawURL string) (Environment, error) {
	e := Environment{Kind: Demo, URL: strings.TrimRight(strings.TrimSpace(rawURL), "/")}
	return e, e.Validate()
}

// Validate checks that the URL fits the kind: the fixed hosts for
// production and sandbox, https (or http on loopback) for My Domain, http or
// https on loopback for the demo org. No path, query or credentials.
func (e Environment) Validate() error {
	u, err := url.Parse(e.URL)
	if err != nil || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("environment %s %q: not a plain base URL: %w", e.Kind, e.URL, ErrInvalidEnvironment)
	}
	loopback := isLoopback(u.Hostname())
	switch e.Kind {
	case Production:
		if e.URL != ProductionURL {
			return fmt.Errorf("production environment must use %s, not %q: %w", ProductionURL, e.URL, ErrInvalidEnvironment)
		}
	case Sandbox:
		if e.URL != SandboxURL {
			return fmt.Errorf("sandbox environment must use %s, not %q: %w", SandboxURL, e.URL, ErrInvalidEnvironment)
		}
	case MyDomain:
		if u.Scheme != "https" && !(u.Scheme == "http" && loopback) {
			return fmt.Errorf("the My Domain URL %q must use https: %w", e.URL, ErrInvalidEnvironment)
		}
	case Demo:
		if !loopback || (u.Scheme != "http" && u.Scheme != "https") {
			return fmt.Errorf("demo org URL %q must be on a loopback address: %w", e.URL, ErrInvalidEnvironment)
		}
	default:
		return fmt.Errorf("environment kind %q: %w", e.Kind, ErrInvalidEnvironment)
	}
	return nil
}

// String describes the environment for people ("sandbox (https://test.salesforce.com)").
func (e Environment) String() string { return string(e.Kind) + " (" + e.URL + ")" }

func (e Environment) endpoint() oauth2.Endpoint {
	base := strings.TrimRight(e.URL, "/")
	return oauth2.Endpoint{
		AuthURL:   base + "/services/oauth2/authorize",
		TokenURL:  base + "/services/oauth2/token",
		AuthStyle: oauth2.AuthStyleInParams, // public client: client_id in the form, no secret
	}
}

func (e Environment) revokeURL() string {
	return strings.TrimRight(e.URL, "/") + "/services/oauth2/revoke"
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
