package authn_test

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
)

// sleeps records the waits of a device login and advances its clock by them
// instead of waiting.
type sleeps struct {
	clock *authtest.Clock
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	s.clock.Advance(d)
	return nil
}

func (s *sleeps) seconds() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int
	for _, d := range s.waits {
		out = append(out, int(d/time.Second))
	}
	return out
}

// deviceLogin runs one device login with script as the poll answers.
func deviceLogin(t *testing.T, l *loginRig, script ...string) (*sleeps, error) {
	t.Helper()
	l.srv.set(func(k *oauthKnobs) { k.device.script = script })
	s := &sleeps{clock: authtest.NewClock(time.Now())}
	_, err := l.authenticator(t, authn.WithClock(s.clock.Now), authn.WithSleep(s.sleep)).Token(t.Context())
	return s, err
}

func TestDeviceFlowPendingThenSuccess(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthDeviceFlow)
	s, err := deviceLogin(t, l, "pending", "pending", "pending", "ok")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{5, 5, 5, 5}, s.seconds()); diff != "" {
		t.Fatalf("waits in seconds (-want +got):\n%s", diff)
	}
	if n := l.srv.devicePolls.Load(); n != 4 {
		t.Fatalf("polls = %d; want 4", n)
	}
	if l.stored(t).RefreshToken == "" {
		t.Fatal("the device login's refresh token was not stored")
	}
	if l.session.n.Load() != 5 {
		t.Fatalf("session requests = %d; want the device authorization and 4 polls", l.session.n.Load())
	}
	if !strings.Contains(l.prompt.String(), "/activate?user_code=WDJB-MJHT") {
		t.Fatalf("prompt = %q; want the complete verification URI", l.prompt.String())
	}
}

func TestDeviceFlowSlowDownAddsFiveSeconds(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthDeviceFlow)
	l.srv.set(func(k *oauthKnobs) { k.device.interval = 2 })
	s, err := deviceLogin(t, l, "pending", "slow_down", "pending", "slow_down", "ok")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{2, 2, 7, 7, 12}, s.seconds()); diff != "" {
		t.Fatalf("waits in seconds (-want +got):\n%s", diff)
	}
}

func TestDeviceFlowPollIntervalSetting(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthDeviceFlow)
	l.cfg.DeviceFlow.PollInterval = 3 * time.Second
	l.srv.set(func(k *oauthKnobs) { k.device.interval = 10 })
	s, err := deviceLogin(t, l, "pending", "ok")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{3, 3}, s.seconds()); diff != "" {
		t.Fatalf("waits in seconds (-want +got):\n%s", diff)
	}
}

func TestDeviceFlowRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		answer   string
		sentinel error
		code     errs.Code
	}{
		{"expired_token", errs.ErrDeviceCodeExpired, errs.DeadlineExceeded},
		{"access_denied", errs.ErrLoginDenied, errs.Unauthenticated},
	} {
		t.Run(tc.answer, func(t *testing.T) {
			t.Parallel()
			l := newLogin(t, config.AuthDeviceFlow)
			_, err := deviceLogin(t, l, "pending", tc.answer)
			var le *errs.OAuthError
			if !errors.Is(err, tc.sentinel) || !errors.As(err, &le) || le.ErrorCode != tc.answer || errs.CodeOf(err) != tc.code {
				t.Fatalf("err = %v (code %v); want %v with code %v", err, errs.CodeOf(err), tc.sentinel, tc.code)
			}
			other := errs.ErrLoginDenied
			if errors.Is(tc.sentinel, errs.ErrLoginDenied) {
				other = errs.ErrDeviceCodeExpired
			}
			if errors.Is(err, other) {
				t.Fatalf("err %v also matches %v", err, other)
			}
		})
	}
}

func TestDeviceFlowDeadline(t *testing.T) {
	t.Parallel()
	t.Run("expires_in", func(t *testing.T) {
		t.Parallel()
		l := newLogin(t, config.AuthDeviceFlow)
		l.srv.set(func(k *oauthKnobs) { k.device.expiresIn = 12 })
		s, err := deviceLogin(t, l, "pending", "pending", "pending", "pending", "pending")
		if errs.CodeOf(err) != errs.DeadlineExceeded || !errors.Is(err, errs.ErrDeviceCodeExpired) {
			t.Fatalf("err = %v; want DeadlineExceeded, device code expired", err)
		}
		if n := l.srv.devicePolls.Load(); n != 2 || len(s.seconds()) != 3 {
			t.Fatalf("polls %d after waits %v; want 2 polls, then the deadline at the third wait", n, s.seconds())
		}
	})
	t.Run("deviceFlowConfig.timeout", func(t *testing.T) {
		t.Parallel()
		l := newLogin(t, config.AuthDeviceFlow)
		l.cfg.DeviceFlow.Timeout = 7 * time.Second
		_, err := deviceLogin(t, l, "pending", "pending", "pending")
		if errs.CodeOf(err) != errs.DeadlineExceeded || errors.Is(err, errs.ErrDeviceCodeExpired) || !strings.Contains(err.Error(), "deviceFlowConfig.timeout") {
			t.Fatalf("err = %v; want DeadlineExceeded naming deviceFlowConfig.timeout", err)
		}
		if n := l.srv.devicePolls.Load(); n != 1 {
			t.Fatalf("polls = %d; want 1", n)
		}
	})
}

func TestDeviceFlowTransientAnswers(t *testing.T) {
	t.Parallel()
	t.Run("recovers", func(t *testing.T) {
		t.Parallel()
		l := newLogin(t, config.AuthDeviceFlow)
		if _, err := deviceLogin(t, l, "500", "html", "pending", "ok"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		t.Parallel()
		l := newLogin(t, config.AuthDeviceFlow)
		_, err := deviceLogin(t, l, "500", "html", "500", "html", "500", "ok")
		if errs.CodeOf(err) != errs.Unavailable {
			t.Fatalf("err = %v; want Unavailable", err)
		}
		if n := l.srv.devicePolls.Load(); n != 5 {
			t.Fatalf("polls = %d; want 5", n)
		}
	})
}

func TestDeviceFlowRequestAndPrompt(t *testing.T) {
	t.Parallel()
	t.Run("configured values", func(t *testing.T) {
		t.Parallel()
		l := newLogin(t, config.AuthDeviceFlow)
		l.cfg.Audience = "flyte-api"
		l.srv.set(func(k *oauthKnobs) { k.device.noComplete = true })
		if _, err := deviceLogin(t, l, "ok"); err != nil {
			t.Fatal(err)
		}
		form := *l.srv.deviceForm.Load()
		want := map[string]string{"client_id": "flytectl", "scope": "offline all", "audience": "flyte-api"}
		for k, v := range want {
			if form.Get(k) != v {
				t.Fatalf("device authorization form = %v; want %v", form, want)
			}
		}
		p := l.prompt.String()
		if !strings.Contains(p, l.srv.srv.URL+"/activate in a browser") || !strings.Contains(p, "WDJB-MJHT") {
			t.Fatalf("prompt = %q; want the verification URI and the user code", p)
		}
	})
	t.Run("empty values omitted", func(t *testing.T) {
		t.Parallel()
		l := newLogin(t, config.AuthDeviceFlow)
		cc := l.srv.clientConfig()
		cc.Scopes = nil
		s := &sleeps{clock: authtest.NewClock(time.Now())}
		a, err := authn.New(l.cfg, authn.StaticConfigStore(cc), nil, authn.WithTokenStore(l.store), authn.WithPrompt(io.Discard), authn.WithSleep(s.sleep), authn.WithClock(s.clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Token(t.Context()); err != nil {
			t.Fatal(err)
		}
		form := *l.srv.deviceForm.Load()
		if _, ok := form["scope"]; ok {
			t.Fatalf("form = %v; want no scope", form)
		}
		if _, ok := form["audience"]; ok {
			t.Fatalf("form = %v; want no audience", form)
		}
	})
}

func TestDeviceFlowNotOffered(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthDeviceFlow)
	cc := l.srv.clientConfig()
	cc.DeviceAuthorizationEndpoint = ""
	a, err := authn.New(l.cfg, authn.StaticConfigStore(cc), nil, authn.WithTokenStore(l.store))
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Token(t.Context())
	if errs.CodeOf(err) != errs.InvalidArgument || !strings.Contains(err.Error(), "device flow not offered") {
		t.Fatalf("err = %v; want InvalidArgument, device flow not offered", err)
	}
}

// TestDeviceFlowPromptNeverOnStdout swaps os.Stdout, so it does not run in
// parallel with other tests.
func TestDeviceFlowPromptNeverOnStdout(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	l := newLogin(t, config.AuthDeviceFlow)
	_, err = deviceLogin(t, l, "pending", "ok")
	os.Stdout = stdout
	w.Close()
	out, _ := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 0 {
		t.Fatalf("stdout got %q", out)
	}
	if !strings.Contains(l.prompt.String(), "WDJB-MJHT") {
		t.Fatalf("prompt = %q", l.prompt.String())
	}
}
