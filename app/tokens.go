package app

import (
	"context"
	"fmt"

	"crmsheets/crm/auth"
)

// sessionKey is the settings key of a saved org's session description (no
// secret: tokens live in the token store under SessionInfo.Key()).
func sessionKey(orgID string) string { return "session/" + orgID }

// tokenStore is where OAuth tokens are kept: Options.Keyring, else the OS
// keychain with a 0600 file in the home directory as a visible fallback.
func (s *Service) tokenStore() auth.TokenStore {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokens == nil {
		if s.opt.Keyring != nil {
			s.tokens = s.opt.Keyring
		} else {
			s.tokens = auth.NewKeyringStore(s.home, func(msg string) {
				s.log.Warn("tokens are stored in a file, not the system keychain", "why", msg)
			})
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
		err := fmt.Errorf("%s has never been connected: %w", o.Name, ErrNeedsReauth)
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

// forgetToken deletes a saved org's token and session description (best
// effort: a keychain that refuses is logged, not fatal).
func (s *Service) forgetToken(orgID string) {
	var info auth.SessionInfo
	ok, err := s.store.GetSetting(sessionKey(orgID), &info)
	if err != nil || !ok {
		return
	}
	if err := s.tokenStore().Delete(info.Key()); err != nil {
		s.log.Warn("forget token", "org", orgID, "err", err)
	}
	if err := s.store.DeleteSetting(sessionKey(orgID)); err != nil {
		s.log.Warn("forget session", "org", orgID, "err", err)
	}
}
