package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
)

// The server revokes the token; the next call reads the file again, where
// the agent has put a new one, and succeeds.
func TestFileTokenIsReadAgainAfterARejection(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	file := filepath.Join(t.TempDir(), "token")
	write := func(tok string) {
		if err := os.WriteFile(file, []byte(tok+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(srv.IssueToken())
	client, baseURL, err := newClient(t.Context(), &config.Platform{Endpoint: srv.Endpoint(), CACertFilePath: srv.CAFile()}, file)
	if err != nil {
		t.Fatal(err)
	}
	defer client.CloseIdleConnections()
	for _, msg := range []string{"first", "second"} {
		var out strings.Builder
		if err := get(t.Context(), client, baseURL+"/api/v1/echo?msg="+msg, &out); err != nil {
			t.Fatalf("%s call: %v", msg, err)
		}
		if !strings.Contains(out.String(), msg) {
			t.Errorf("%s call answered %q", msg, out.String())
		}
		srv.RevokeAll()
		write(srv.IssueToken())
	}
	if got := srv.Counters().TokenRequests; got != 0 {
		t.Errorf("the stack asked the token endpoint %d times; the file is the only source", got)
	}
}
