package app

import (
	"context"
	"errors"
	"fmt"

	"crmsheets/crm/auth"
)

// sessionKey is the settings key of a saved org's session description (no
// secret: tokens live in the token store under SessionInfo.Key()).
func sessionKey(orgID string) string { return "session/" + orgID }

// tokenStore is where OAuth tokens are kept: Options.Keyring, else 0600
// files in the home directory with Options.TokensInFile, else the OS
// keychain with such a file as a visible fallback.
func (s *Service) tokenStore() auth.TokenStore {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokens == nil {
		switch {
		case s.opt.Keyring != nil:
			s.tokens = s.opt.Keyring
		case s.opt.TokensInFile:
			s.tokens = auth.NewFileStore(s.home)
		default:
			s.tokens = auth.NewKeyringStore(s.home, s.noteKeychainFallback)
		}
	}
	return s.tokens
}

func (s *Service) saveSessionInfo(orgID string, info auth.SessionInfo) error {
	if err := s.store.PutSetting(sessionKey(orgID), info); err != nil {
		return fmt.Errorf("remember the session of %s: %w", orgID, err)
	}
	return nil
}

// resume reconnects a saved org from its stored token, without a browser.
func (s *Service) resume(ctx context.Context, o Org) error {
	var info auth.SessionInfo
	ok, err := s.store.GetSetting(sessionKey(o.ID), &info)
	if err != nil {
		return fmt.Errorf("read the saved session of %s: %w", o.Name, err)
	}
	if !ok {
		err := fmt.Errorf("%s is logged out (no saved login on this computer): %w", o.Name, ErrNeedsReauth)
		s.setConnErr(err)
		return err
	}
	cfg, err := s.authConfig(o)
	if err != nil {
		return err
	}
	sess, err := auth.Resume(cfg, info)
	if err != nil {
		s.setConnErr(err)
		return fmt.Errorf("reconnect %s: %w", o.Name, err)
	}
	return s.attach(s.httpContext(ctx), o.ID, sess)
}

// savedSession reopens an org's saved session without connecting (no
// call is made), so that Disconnect can revoke its token. It returns nil
// and no error when nothing is saved: there is nothing to revoke.
func (s *Service) savedSession(o Org) (*auth.Session, error) {
	var info auth.SessionInfo
	ok, err := s.store.GetSetting(sessionKey(o.ID), &info)
	if err != nil {
		return nil, fmt.Errorf("read the saved session of %s: %w", o.Name, err)
	}
	if !ok || o.Env == EnvDemo {
		return nil, nil
	}
	cfg, err := s.authConfig(o)
	if err != nil {
		return nil, err
	}
	sess, err := auth.Resume(cfg, info)
	if errors.Is(err, auth.ErrNeedsReauth) {
		return nil, nil // no token saved: nothing to revoke
	}
	if err != nil {
		return nil, fmt.Errorf("reopen the saved session of %s: %w", o.Name, err)
	}
	return sess, nil
}

// forgetToken deletes a saved org's token and session description. Both
// are attempted; what could not be deleted is returned.
func (s *Service) forgetToken(orgID string) error {
	var info auth.SessionInfo
	ok, err := s.store.GetSetting(sessionKey(orgID), &info)
	if err != nil {
		return fmt.Errorf("read the saved session of %s: %w", orgID, err)
	}
	if !ok {
		return nil
	}
	var errs []error
	if err := s.tokenStore().Delete(info.Key()); err != nil {
		errs = append(errs, fmt.Errorf("forget the token of %s: %w", orgID, err))
	}
	if err := s.store.DeleteSetting(sessionKey(orgID)); err != nil {
		errs = append(errs, fmt.Errorf("forget the session of %s: %w", orgID, err))
	}
	return errors.Join(errs...)
}

// settingKeychainFallback remembers that tokens went to the fallback file,
// and why.
const settingKeychainFallback = "keychain-fallback"

// noteKeychainFallback logs the keychain fallback as a warning the first
// time only (a cron job's log must not repeat it on every run) and
// remembers it for Status, which `crmsheets orgs` and the connection
// dialog show every time.
func (s *Service) noteKeychainFallback(why string) {
	var seen string
	if ok, err := s.store.GetSetting(settingKeychainFallback, &seen); err == nil && ok {
		s.log.Debug("tokens are stored in a file, not the system keychain", "why", why)
		return
	}
	s.log.Warn("tokens are stored in a file, not the system keychain (said once; `crmsheets orgs` shows it)", "why", why)
	if err := s.store.PutSetting(settingKeychainFallback, why); err != nil {
		s.log.Warn("could not remember the keychain fallback", "err", err)
	}
}

// keychainWarning is ConnStatus.KeychainWarning.
func (s *Service) keychainWarning() string {
	var why string
	if ok, err := s.store.GetSetting(settingKeychainFallback, &why); err != nil || !ok {
		return ""
	}
	return fmt.Sprintf("Tokens are kept in a file readable only by you in %s, because the system keychain could not be used (%s).", s.home, why)
}
