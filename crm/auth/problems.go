package auth

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
)

// GuidePath is the admin guide whose troubleshooting table has one row per
// problem Explain knows; every explained error points at its row.
const GuidePath = "docs/CONNECT-SALESFORCE.md"

// Stage says where in a login Salesforce refused: the authorize page (or
// its redirect), the code exchange, a refresh, or the password grant.
type Stage string

// Stages of an OAuthError.
const (
	StageAuthorize Stage = "authorize"
	StageCode      Stage = "code"
	StageRefresh   Stage = "refresh"
	StagePassword  Stage = "password"
)

// OAuthError is an error Salesforce returned: on its OAuth error page, on
// the redirect to the callback, or from the token endpoint
// ({"error","error_description"}). It carries what the login used (consumer
// key, callback URL, login host; nothing secret) so that Explain can word
// the fix. A refused refresh matches ErrNeedsReauth, a refused
// authorization ErrLoginDenied.
type OAuthError struct {
	Code        string // Salesforce's code: invalid_grant, OAUTH_APP_BLOCKED…
	Description string
	Stage       Stage
	ClientID    string
	CallbackURL string
	LoginURL    string
}

func (e *OAuthError) Error() string {
	if e.Description == "" {
		return "Salesforce answered " + e.Code
	}
	return "Salesforce answered " + e.Code + " (" + e.Description + ")"
}

// Is makes a refused refresh (or password re-login) ErrNeedsReauth: the
// saved login cannot be used any more, whatever the reason. A refusal during
// the browser login is ErrLoginDenied.
func (e *OAuthError) Is(target error) bool {
	switch target {
	case ErrNeedsReauth:
		return e.Stage == StageRefresh || e.Stage == StagePassword && e.Code == "invalid_grant"
	case ErrLoginDenied:
		return e.Stage == StageAuthorize || e.Stage == StageCode
	}
	return false
}

// ErrCallbackPortBusy is matched by *CallbackPortBusyError.
var ErrCallbackPortBusy = errors.New("callback port in use")

// ErrNoClientID: no consumer key is configured for a real org.
var ErrNoClientID = errors.New("no consumer key configured")

// CallbackPortBusyError reports that the callback port is taken by another
// program: CRM Sheets never falls back to another port, since Salesforce
// would refuse a callback URL that is not the registered one.
type CallbackPortBusyError struct {
	Port int
	Err  error
}

func (e *CallbackPortBusyError) Error() string {
	return "port " + strconv.Itoa(e.Port) + " is in use: " + e.Err.Error()
}

// Unwrap returns the listen error.
func (e *CallbackPortBusyError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrCallbackPortBusy) true.
func (e *CallbackPortBusyError) Is(target error) bool { return target == ErrCallbackPortBusy }

// Problem is an error turned into one sentence a person can act on, with
// the row of the guide's troubleshooting table that explains it further.
// Its Error is the sentence and the row; Unwrap keeps the cause for
// errors.Is (ErrNeedsReauth, context.Canceled…).
type Problem struct {
	// Row is the first column of the guide's troubleshooting table: a
	// Salesforce error code, or a short name for local problems.
	Row      string
	Sentence string
	Err      error
}

func (p *Problem) Error() string {
	return p.Sentence + " (see “" + p.Row + "” in " + GuidePath + "#troubleshooting)"
}

// Unwrap returns the cause.
func (p *Problem) Unwrap() error { return p.Err }

// Local rows of the troubleshooting table.
const (
	RowPortBusy      = "callback port in use"
	RowNoClientID    = "no consumer key"
	RowTimeout       = "no answer from the browser"
	RowStateMismatch = "state mismatch"
)

// Explain turns a login or refresh error into a Problem; errors it does not
// know (network failures, a cancelled context) are returned unchanged. An
// error that already is a Problem is returned as is.
func Explain(err error) error {
	if err == nil {
		return nil
	}
	var p *Problem
	if errors.As(err, &p) {
		return err
	}
	var oe *OAuthError
	var busy *CallbackPortBusyError
	switch {
	case errors.As(err, &oe):
		return &Problem{Row: oe.Code, Sentence: oe.sentence(), Err: err}
	case errors.As(err, &busy):
		return &Problem{Row: RowPortBusy, Err: err, Sentence: fmt.Sprintf(
			"Port %d on this computer is in use by another program, so CRM Sheets cannot receive the Salesforce login at %s: close that program (or the other login in progress) and try again, or choose another callback port (--callback-port, or Callback port in the connection dialog) and add its URL to the app's callback URLs in Salesforce",
			busy.Port, CallbackURL(busy.Port))}
	case errors.Is(err, ErrNoClientID):
		return &Problem{Row: RowNoClientID, Err: err, Sentence: "This org has no consumer key: ask your Salesforce admin for the Consumer Key of the org's External Client App for CRM Sheets and set it (crmsheets login --client-id or $CRMSHEETS_CLIENT_ID, or Consumer key in the connection dialog)"}
	case errors.Is(err, ErrLoginTimeout):
		return &Problem{Row: RowTimeout, Err: err, Sentence: "No answer came back from the browser in time: if Salesforce showed an error page, look its code up in the guide; otherwise log in again and finish in the browser"}
	case errors.Is(err, ErrStateMismatch):
		return &Problem{Row: RowStateMismatch, Err: err, Sentence: "The answer that reached CRM Sheets does not belong to this login (an old browser tab or a forged link): close old login tabs and log in again"}
	}
	return err
}

// sentence words the fix of a Salesforce error. Descriptions are quoted
// only where they tell causes apart (invalid_grant).
func (e *OAuthError) sentence() string {
	key := e.ClientID
	host := e.LoginURL
	if u, err := url.Parse(e.LoginURL); err == nil && u.Host != "" {
		host = u.Host
	}
	switch e.Code {
	case "invalid_client_id", "OAUTH_EC_APP_NOT_FOUND", "invalid_client":
		return fmt.Sprintf("Salesforce at %s does not know the consumer key %q (%s): ask your Salesforce admin for the Consumer Key of the org's External Client App for CRM Sheets and set it for this org (crmsheets login --client-id, or Consumer key in the connection dialog)", host, key, e.Code)
	case "redirect_uri_mismatch":
		return fmt.Sprintf("The callback URL %s is not one of the callback URLs of the app %q, compared letter for letter (redirect_uri_mismatch): add exactly %s to the app's Callback URL in Salesforce, or set this org's callback port to the registered one (--callback-port, or Callback port in the connection dialog)", e.CallbackURL, key, e.CallbackURL)
	case "access_denied":
		return "The login was denied in the browser (access_denied): log in again and choose Allow; if you did, ask your Salesforce admin whether the app's policies let you use it"
	case "OAUTH_APP_BLOCKED":
		return fmt.Sprintf("Your Salesforce admin has blocked the app %q (OAUTH_APP_BLOCKED): ask them to unblock it in Setup > Connected Apps OAuth Usage, or for the key of an app that is not blocked", key)
	case "OAUTH_APP_ACCESS_DENIED", "invalid_app_access":
		return fmt.Sprintf("Your Salesforce user is not among the users approved for the app %q (%s): ask your Salesforce admin to add your profile or one of your permission sets to the app's policies", key, e.Code)
	case "inactive_user":
		return "Your Salesforce user is inactive (inactive_user): ask your Salesforce admin to reactivate it, or log in as another user"
	case "inactive_org":
		return "The Salesforce org is locked, suspended or closed (inactive_org): nothing can connect until it is active again; ask your Salesforce admin"
	case "invalid_scope":
		return fmt.Sprintf("The app %q does not allow the access CRM Sheets asks for (invalid_scope): ask your Salesforce admin to select the OAuth scopes api and refresh_token (with offline_access) on the app", key)
	case "unsupported_response_type":
		return "Salesforce refused the kind of login asked for (unsupported_response_type): the login address was changed on its way to Salesforce; start the login again from CRM Sheets without editing the address"
	case "invalid_grant":
		switch e.Stage {
		case StageRefresh:
			return fmt.Sprintf("Salesforce no longer accepts this org's saved login (invalid_grant: %s): it was revoked (logout, an admin, a password reset) or expired under the app's refresh token policy; log in again", e.Description)
		case StagePassword:
			return fmt.Sprintf("Salesforce refused the username or password (invalid_grant: %s): check them and log in again", e.Description)
		}
		return fmt.Sprintf("Salesforce refused the login code (invalid_grant: %s): it was already used, expired after 15 minutes, or its PKCE verifier did not match; log in again and finish in the browser within a few minutes", e.Description)
	case "invalid_request":
		return fmt.Sprintf("Salesforce refused the login request (invalid_request: %s): start the login again from CRM Sheets; if it repeats, check that the app in Salesforce is set up as the guide says (PKCE, no secret)", e.Description)
	}
	return fmt.Sprintf("Salesforce refused the login (%s: %s): see the guide, or ask your Salesforce admin", e.Code, e.Description)
}
