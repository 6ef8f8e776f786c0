package authn

import (
	"log/slog"
	"net/http"
	"testing"
)

// TestCallbackCountsForeignAnswers: an answer with another login's state is
// counted (for the timeout's error) and never handed to the login.
func TestCallbackCountsForeignAnswers(t *testing.T) {
	t.Parallel()
	cb, err := startCallback(t.Context(), "http://127.0.0.1:0/callback", "mine", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer cb.close()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, cb.redirectURI+"?state=theirs&code=c", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || cb.foreign.Load() != 1 || len(cb.results) != 0 {
		t.Fatalf("status %d, foreign %d, results %d; want 400, 1, 0", resp.StatusCode, cb.foreign.Load(), len(cb.results))
	}
}
