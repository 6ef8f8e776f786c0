package authn

import (
	"log/slog"
	"testing"

	"golang.org/x/oauth2"
)

// A token that is not a bearer token is refused by the Authenticator; the
// interactive flow must not persist it either, or every later program would
// load it from the store and be refused again.
func TestKeepPersistsOnlyBearerTokens(t *testing.T) {
	t.Parallel()
	for tokenType, persisted := range map[string]bool{"": true, "Bearer": true, "DPoP": false, "mac": false} {
		store := NewMemoryTokenStore()
		s := &interactiveSource{tokens: store, log: slog.New(slog.DiscardHandler)}
		key := TokenKey{Endpoint: "flyte.example.com", ClientID: "cli"}
		s.keep(t.Context(), key, &oauth2.Token{AccessToken: "at", TokenType: tokenType})
		got, err := store.Load(t.Context(), key)
		if (err == nil && got != nil) != persisted {
			t.Errorf("token_type %q: stored %v (err %v), want stored %v", tokenType, got != nil, err, persisted)
		}
	}
}
