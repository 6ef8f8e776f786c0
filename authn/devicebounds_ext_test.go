package authn_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
)

// TestDeviceFlowIntervalIsCapped: a server's interval, and slow_down steps,
// never make a wait longer than a minute.
func TestDeviceFlowIntervalIsCapped(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		interval int
		script   []string
		want     []int
	}{
		{"huge interval", 1 << 40, []string{"pending", "ok"}, []int{60, 60}},
		{"slow_down past the cap", 50, []string{"slow_down", "slow_down", "slow_down", "ok"}, []int{50, 55, 60, 60}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := newLogin(t, config.AuthDeviceFlow)
			l.cfg.DeviceFlow.Timeout = time.Hour
			l.srv.set(func(k *oauthKnobs) { k.device.interval, k.device.expiresIn = tc.interval, 3600 })
			s, err := deviceLogin(t, l, tc.script...)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, s.seconds()); diff != "" {
				t.Fatalf("waits in seconds (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDeviceFlowNeverWaitsPastDeadline: an interval longer than the time
// left is cut to the time left, and the login ends at its deadline (it
// once slept the server's interval, whatever the deadline).
func TestDeviceFlowNeverWaitsPastDeadline(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthDeviceFlow)
	l.cfg.DeviceFlow.Timeout = 45 * time.Second
	l.srv.set(func(k *oauthKnobs) { k.device.interval = 1 << 30 })
	s, err := deviceLogin(t, l, "pending", "pending", "pending")
	if errs.CodeOf(err) != errs.DeadlineExceeded || !strings.Contains(err.Error(), "deviceFlowConfig.timeout") {
		t.Fatalf("err = %v; want DeadlineExceeded naming deviceFlowConfig.timeout", err)
	}
	if diff := cmp.Diff([]int{45}, s.seconds()); diff != "" {
		t.Fatalf("waits in seconds (-want +got):\n%s", diff)
	}
}

// TestDeviceFlowOversizedAnswer: a token endpoint answer over 1 MiB ends
// the login at once with an error that says so, not as a transient failure
// retried five times.
func TestDeviceFlowOversizedAnswer(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthDeviceFlow)
	_, err := deviceLogin(t, l, "huge", "ok")
	if errs.CodeOf(err) != errs.Unauthenticated || !strings.Contains(err.Error(), "more than 1048576 bytes") {
		t.Fatalf("err = %v; want Unauthenticated naming the size", err)
	}
	if n := l.srv.devicePolls.Load(); n != 1 {
		t.Fatalf("polls = %d; want 1", n)
	}
}

// TestDeviceFlowStuckLoginDoesNotBlockOtherStacks: two stacks for the same
// endpoint and client share one login lock. A server that asks for a huge
// interval and never approves must not hold that lock past the login's
// bound: both stacks fail with the deadline, neither hangs. The bound is
// real time here (100 ms), since it is the wall-clock backstop under test.
func TestDeviceFlowStuckLoginDoesNotBlockOtherStacks(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthDeviceFlow)
	l.cfg.DeviceFlow.Timeout = 100 * time.Millisecond
	l.srv.set(func(k *oauthKnobs) {
		k.device.interval = 1 << 30
		k.device.script = []string{"pending", "pending", "pending", "pending"}
	})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second) // turns a wedge into a failure
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, 2)
	for range 2 {
		a := l.authenticator(t)
		wg.Go(func() { _, err := a.Token(ctx); errc <- err })
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if errs.CodeOf(err) != errs.DeadlineExceeded || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			t.Fatalf("err = %v; want the login's DeadlineExceeded", err)
		}
	}
}

// TestLoginLockReleasedAtBound: a lock holder that never unlocks (stuck,
// ignoring its context) holds the lock only until its context ends.
func TestLoginLockReleasedAtBound(t *testing.T) {
	t.Parallel()
	key := authn.TokenKey{Endpoint: t.Name() + ".example.test", ClientID: "c"}
	hctx, end := context.WithCancel(t.Context())
	if _, err := authn.LockKey(hctx, key); err != nil {
		t.Fatal(err)
	}
	// A waiter whose context ends first gets a clear error.
	wctx, wcancel := context.WithCancel(t.Context())
	wcancel()
	_, err := authn.LockKey(wctx, key)
	if errs.CodeOf(err) != errs.Unavailable || !strings.Contains(err.Error(), "another login to "+key.Endpoint) {
		t.Fatalf("waiter got %v; want Unavailable naming the pending login", err)
	}
	got := make(chan error, 1)
	go func() {
		unlock, err := authn.LockKey(t.Context(), key)
		if err == nil {
			unlock()
		}
		got <- err
	}()
	end() // the holder's bound passes; it never calls unlock
	if err := <-got; err != nil {
		t.Fatalf("second holder: %v", err)
	}
}
