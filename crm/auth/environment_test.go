package auth

import (
	"errors"
	"testing"
)

func TestEnvironmentValidate(t *testing.T) {
	tests := []struct {
		name string
		env  Environment
		ok   bool
	}{
		{"production", ProductionEnv(), true},
		{"sandbox", SandboxEnv(), true},
		{"production on another host", Environment{Production, "https://evil.example"}, false},
		{"my domain https", Environment{MyDomain, "https://acme.my.salesforce.com"}, true},
		{"my domain http", Environment{MyDomain, "http://acme.my.salesforce.com"}, false},
		{"my domain standalone emulator", Environment{MyDomain, "http://127.0.0.1:8443"}, true},
		{"my domain with path", Environment{MyDomain, "https://acme.my.salesforce.com/x"}, false},
		{"my domain with credentials", Environment{MyDomain, "https://u:p@acme.my.salesforce.com"}, false},
		{"demo loopback", Environment{Demo, "http://127.0.0.1:5555"}, true},
		{"demo remote", Environment{Demo, "http://example.com"}, false},
		{"unknown kind", Environment{"other", "https://x.example"}, false},
		{"empty", Environment{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.env.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate(%v) = %v", tt.env, err)
			}
			if err != nil && !errors.Is(err, ErrInvalidEnvironment) {
				t.Errorf("error %v does not match ErrInvalidEnvironment", err)
			}
		})
	}
	if e, err := MyDomainEnv(" https://acme.my.salesforce.com/ "); err != nil || e.URL != "https://acme.my.salesforce.com" {
		t.Errorf("MyDomainEnv = %v, %v", e, err)
	}
}
