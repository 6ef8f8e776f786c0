package credcmd_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/internal/credcmd"
	"github.com/authwire/authwire/internal/fakecmd"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	fakecmd.Main()
	goleak.VerifyTestMain(m)
}

func TestRunOutputs(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	jwt := "h." + base64.RawURLEncoding.EncodeToString([]byte(`{"exp":1800000000}`)) + ".s"
	for _, tc := range []struct {
		name   string
		argv   []string
		token  string
		expiry time.Time
	}{
		{"plain", fakecmd.Print("opaque-1"), "opaque-1", time.Time{}},
		{"json with CRLF", fakecmd.JSON("opaque-2", 60), "opaque-2", now.Add(time.Minute)},
		{"jwt exp", fakecmd.Print(jwt), jwt, time.Unix(1800000000, 0)},
		{"bearer prefix", fakecmd.Print("Bearer opaque-3"), "opaque-3", time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := &credcmd.Command{Argv: tc.argv, Now: func() time.Time { return now }}
			r, err := c.Run(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if r.Token != tc.token || !r.Expiry.Equal(tc.expiry) {
				t.Fatalf("got %q %v, want %q %v", r.Token, r.Expiry, tc.token, tc.expiry)
			}
		})
	}
}

func TestRunFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		cmd     credcmd.Command
		code    errs.Code
		want    []string
		notWant string
	}{
		{"empty argv", credcmd.Command{Key: "proxyCommand"}, errs.InvalidArgument, []string{"proxyCommand is empty"}, ""},
		{"exit status and stderr", credcmd.Command{Argv: fakecmd.Fail(3, "login required")}, errs.Unauthenticated, []string{"exited with status 3", "stderr: login required"}, ""},
		{"hang times out", credcmd.Command{Argv: fakecmd.Hang(), Timeout: 50 * time.Millisecond}, errs.Unauthenticated, []string{"timed out after 50ms"}, ""},
		{"missing program", credcmd.Command{Argv: []string{"/nonexistent/authwire-cmd"}}, errs.Unauthenticated, []string{"could not be run"}, ""},
		{"two tokens", credcmd.Command{Argv: fakecmd.Print("secret-a secret-b")}, errs.Unauthenticated, []string{"more than one token"}, "secret-a"},
		{"json without token", credcmd.Command{Argv: fakecmd.Print(`{"token":"secret-c"}`)}, errs.Unauthenticated, []string{"without access_token"}, "secret-c"},
		{"bad json", credcmd.Command{Argv: fakecmd.Print(`{secret-d`)}, errs.Unauthenticated, []string{"malformed JSON"}, "secret-d"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := tc.cmd.Run(t.Context())
			if err == nil {
				t.Fatal("want error")
			}
			if got := errs.CodeOf(err); got != tc.code {
				t.Errorf("code = %v, want %v (%v)", got, tc.code, err)
			}
			var e *errs.Error
			if !errors.As(err, &e) {
				t.Errorf("error %T is not *errs.Error", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if tc.notWant != "" && strings.Contains(err.Error(), tc.notWant) {
				t.Errorf("error %q leaks stdout %q", err, tc.notWant)
			}
		})
	}
}

func TestRunHonoursCallerContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	c := &credcmd.Command{Argv: fakecmd.Hang()}
	if _, err := c.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// TestOutputCaps: a command that floods stdout or stderr is stopped at the
// 1 MiB cap and fails with ErrOutputTooLarge, naming the stream; its output
// never becomes a token. (The stdout cap once did not hold: io.Copy used the
// buffer's promoted ReadFrom and 100 MB became one token.)
func TestOutputCaps(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		argv []string
		want string
	}{
		{"stdout flood", fakecmd.Flood("stdout", 100<<20), "more than 1 MiB to stdout"},
		{"stdout just over", fakecmd.Flood("stdout", 1<<20+1), "more than 1 MiB to stdout"},
		{"stderr flood", fakecmd.Flood("stderr", 100<<20), "more than 1 MiB to stderr"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := &credcmd.Command{Argv: tc.argv, Key: "proxyCommand"}
			r, err := c.Run(t.Context())
			if !errors.Is(err, credcmd.ErrOutputTooLarge) {
				t.Fatalf("got token of %d bytes, err %v; want ErrOutputTooLarge", len(r.Token), err)
			}
			if errs.CodeOf(err) != errs.Unauthenticated || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "proxyCommand") {
				t.Fatalf("error %q (code %v) does not name the key and %q", err, errs.CodeOf(err), tc.want)
			}
		})
	}
}

// TestOutputAtCapIsAccepted: exactly 1 MiB on stdout is within the cap.
func TestOutputAtCapIsAccepted(t *testing.T) {
	t.Parallel()
	c := &credcmd.Command{Argv: fakecmd.Flood("stdout", 1<<20)}
	r, err := c.Run(t.Context())
	if err != nil || len(r.Token) != 1<<20 {
		t.Fatalf("got %d bytes, %v", len(r.Token), err)
	}
}
