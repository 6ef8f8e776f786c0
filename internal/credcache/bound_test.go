package credcache

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authwire/authwire/errs"
)

// shortBound is the flight timeout of these tests. It only names the bound
// in errors: manualBound ends the flights, so no flight races a real timer.
const shortBound = 50 * time.Millisecond

// manualBound makes c's flights reach their bound only when expire is
// called, which ends every flight started so far as the flight timeout
// does. A flight that finishes first is never cut short.
func manualBound[T any](c *Cache[T]) (expire func()) {
	var mu sync.Mutex
	var pending []context.CancelCauseFunc
	c.bound = func(ctx context.Context) (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancelCause(ctx)
		mu.Lock()
		defer mu.Unlock()
		pending = append(pending, cancel)
		return ctx, func() { cancel(context.Canceled) }
	}
	return func() {
		mu.Lock()
		defer mu.Unlock()
		for _, cancel := range pending {
			cancel(errFlightTimeout)
		}
		pending = nil
	}
}

// expireWhen calls expire once started is closed.
func expireWhen(started <-chan struct{}, expire func()) {
	go func() {
		<-started
		expire()
	}()
}

// TestFlightTimeoutIsReal: the flight timeout is a real deadline: a hung
// fetch sees DeadlineExceeded at it and its waiter is failed. Nothing here
// has to finish within the bound.
func TestFlightTimeoutIsReal(t *testing.T) {
	t.Parallel()
	ended := make(chan error, 1)
	c := New(func(ctx context.Context) (int, time.Time, error) {
		<-ctx.Done()
		ended <- ctx.Err()
		return 0, time.Time{}, ctx.Err()
	}, WithFlightTimeout(shortBound))
	_, err := c.Get(t.Context())
	assertAbandoned(t, err)
	if err := <-ended; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hung fetch ended with %v", err)
	}
}

// TestHungFlightIsAbandoned: a fetch that hangs until its context ends must
// fail its waiters at the bound, and the next caller must start a fresh
// fetch that succeeds (the server recovered) — not join the dead one.
func TestHungFlightIsAbandoned(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	hung := make(chan struct{})
	c := New(func(ctx context.Context) (string, time.Time, error) {
		if calls.Add(1) == 1 {
			close(hung)
			<-ctx.Done() // hung until the flight's bound
			return "", time.Time{}, ctx.Err()
		}
		return "tok", time.Time{}, nil
	}, WithFlightTimeout(shortBound))
	expireWhen(hung, manualBound(c))

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second) // turns a wedge into a failure
	defer cancel()
	_, err := c.Get(ctx)
	assertAbandoned(t, err)
	e, err := c.Get(ctx)
	if err != nil || e.Value != "tok" {
		t.Fatalf("after recovery: %q, %v", e.Value, err)
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("fetches = %d, want 2", n)
	}
}

// TestStuckFetchIgnoringContext: a fetch that does not honour its context
// is still abandoned at the bound; the next caller starts a new flight while
// the stuck one is still running, and the stuck one's late answer is not
// stored over the new one.
func TestStuckFetchIgnoringContext(t *testing.T) {
	t.Parallel()
	release, stuck := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	c := New(func(ctx context.Context) (int32, time.Time, error) {
		n := calls.Add(1)
		if n == 1 {
			close(stuck)
			<-release // ignores ctx
		}
		return n, time.Time{}, nil
	}, WithFlightTimeout(shortBound))
	expireWhen(stuck, manualBound(c))

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	_, err := c.Get(ctx)
	assertAbandoned(t, err)
	e, err := c.Get(ctx)
	if err != nil || e.Value != 2 {
		t.Fatalf("second flight: %d, %v", e.Value, err)
	}
	close(release)
	waitFor(t, func() bool { return calls.Load() == 2 })
	if e, _ := c.Peek(); e.Value != 2 {
		t.Fatalf("late answer of the abandoned flight stored: %d", e.Value)
	}
}

// TestBackgroundRefreshIsBounded: a hung background refresh ends at the
// bound too, and leaves no goroutine (TestMain checks).
func TestBackgroundRefreshIsBounded(t *testing.T) {
	t.Parallel()
	clk := newClock()
	var calls atomic.Int32
	hung := make(chan struct{})
	ended := make(chan error, 1)
	c := New(func(ctx context.Context) (int32, time.Time, error) {
		if calls.Add(1) == 2 {
			close(hung)
			<-ctx.Done()
			ended <- context.Cause(ctx)
			return 0, time.Time{}, ctx.Err()
		}
		return calls.Load(), clk.Now().Add(time.Hour), nil
	}, WithFlightTimeout(shortBound), WithRefreshWindow(5*time.Minute), WithClock(clk.Now))
	expireWhen(hung, manualBound(c))
	if _, err := c.Get(t.Context()); err != nil {
		t.Fatal(err)
	}
	clk.Advance(58 * time.Minute)
	if e, err := c.Get(t.Context()); err != nil || e.Value != 1 {
		t.Fatalf("inside the window: %d, %v", e.Value, err)
	}
	if err := <-ended; !errors.Is(err, errFlightTimeout) {
		t.Fatalf("background fetch ended with %v, want the flight timeout", err)
	}
}

// TestMinimumReuse: an expiry in the past or a few seconds away must not
// mean a fetch per call; the credential is used for MinReuse.
func TestMinimumReuse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		life time.Duration
	}{
		{"negative expires_in", -time.Hour},
		{"expires_in 0s from now", 0},
		{"expires_in 5s", 5 * time.Second},
		{"expires_in 10s", 10 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			var calls atomic.Int32
			c := New(func(context.Context) (int32, time.Time, error) {
				return calls.Add(1), clk.Now().Add(tc.life), nil
			}, WithClock(clk.Now))
			for range 100 {
				if _, err := c.Get(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			clk.Advance(MinReuse - time.Millisecond)
			c.Get(t.Context())
			if n := calls.Load(); n != 1 {
				t.Fatalf("fetches within MinReuse = %d, want 1", n)
			}
			clk.Advance(time.Millisecond)
			c.Get(t.Context())
			if n := calls.Load(); n != 2 {
				t.Fatalf("fetches after MinReuse = %d, want 2", n)
			}
		})
	}
}

// TestMinimumReuseYieldsToInvalidate: a rejected credential is dropped at
// once, minimum reuse or not.
func TestMinimumReuseYieldsToInvalidate(t *testing.T) {
	t.Parallel()
	clk := newClock()
	var calls atomic.Int32
	c := New(func(context.Context) (int32, time.Time, error) {
		return calls.Add(1), clk.Now().Add(-time.Hour), nil
	}, WithClock(clk.Now))
	e, _ := c.Get(t.Context())
	c.Invalidate(e.Gen)
	if e, _ := c.Get(t.Context()); e.Value != 2 {
		t.Fatalf("after Invalidate got %d, want 2", e.Value)
	}
}

func assertAbandoned(t *testing.T, err error) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Code != errs.Unavailable {
		t.Fatalf("got %v, want an *errs.Error with code Unavailable", err)
	}
	for _, want := range []string{"took longer than 50ms", "abandoned", "token endpoint"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}
