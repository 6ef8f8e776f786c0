package authn

import (
	"testing"

	"github.com/authwire/authwire/config"
)

// disableKeyring keeps every token cache choice away from the OS keyring:
// "auto" becomes files only; "keyring" is rejected by Validate before a
// store is chosen.
func TestNewTokenStoreDisableKeyring(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cache       string
		disable     bool
		wantKeyring bool
	}{
		{"", false, true},
		{"auto", false, true},
		{"", true, false},
		{"auto", true, false},
		{"file", true, false},
		{"memory", true, false},
		{"keyring", false, true},
	} {
		s, err := newTokenStore(&config.Platform{TokenCache: tc.cache, DisableKeyring: tc.disable}, &options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, isKeyring := s.(*keyringStore); isKeyring != tc.wantKeyring {
			t.Errorf("tokenCache %q, disableKeyring %v: store %T", tc.cache, tc.disable, s)
		}
	}
	_, err := New(&config.Platform{Endpoint: "h", AuthType: config.AuthPKCE, TokenCache: "keyring", DisableKeyring: true}, nil, nil)
	if err == nil {
		t.Fatal("New accepted tokenCache keyring with disableKeyring")
	}
}
