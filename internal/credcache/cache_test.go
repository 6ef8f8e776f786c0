package credcache

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestConcurrentGetFetchesOnce(t *testing.T) {
	t.Parallel()
	var fetches atomic.Int32
	release := make(chan struct{})
	c := New(func(context.Context) (string, time.Time, error) {
		fetches.Add(1)
		<-release
		return "tok", time.Time{}, nil
	})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Go(func() {
			e, err := c.Get(t.Context())
			if err == nil && e.Value != "tok" {
				err = errors.New("wrong value " + e.Value)
			}
			errs <- err
		})
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Fatalf("fetches = %d, want 1", n)
	}
}

func TestInvalidateOnlySameGeneration(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	c := New(func(context.Context) (int32, time.Time, error) { return n.Add(1), time.Time{}, nil })
	first, _ := c.Get(t.Context())
	c.Invalidate(first.Gen)
	second, _ := c.Get(t.Context())
	if second.Value != 2 {
		t.Fatalf("after invalidate got %d, want 2", second.Value)
	}
	c.Invalidate(first.Gen) // stale rejection: must keep the newer credential
	third, _ := c.Get(t.Context())
	if third.Value != 2 || n.Load() != 2 {
		t.Fatalf("stale invalidate refetched: value %d, fetches %d", third.Value, n.Load())
	}
}

func TestFailureIsNotCached(t *testing.T) {
	t.Parallel()
	var calls int
	c := New(func(context.Context) (string, time.Time, error) {
		calls++
		if calls == 1 {
			return "", time.Time{}, errors.New("boom")
		}
		return "ok", time.Time{}, nil
	})
	if _, err := c.Get(t.Context()); err == nil {
		t.Fatal("want error from first fetch")
	}
	e, err := c.Get(t.Context())
	if err != nil || e.Value != "ok" {
		t.Fatalf("second Get = %q, %v", e.Value, err)
	}
}

func TestWaiterCancelDoesNotCancelFetch(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	release := make(chan struct{})
	var fetchErr atomic.Value
	c := New(func(ctx context.Context) (string, time.Time, error) {
		close(started)
		<-release
		if ctx.Err() != nil {
			fetchErr.Store(ctx.Err())
		}
		return "tok", time.Time{}, nil
	})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { _, err := c.Get(ctx); done <- err }()
	<-started
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled waiter got %v", err)
	}
	other := make(chan string)
	go func() { e, _ := c.Get(t.Context()); other <- e.Value }()
	close(release)
	if v := <-other; v != "tok" {
		t.Fatalf("other waiter got %q", v)
	}
	if v := fetchErr.Load(); v != nil {
		t.Fatalf("fetch saw cancellation: %v", v)
	}
}

func TestExpiryAndBackgroundRefresh(t *testing.T) {
	t.Parallel()
	clk := newClock()
	var n atomic.Int32
	fetched := make(chan struct{}, 10)
	var background []bool
	c := New(func(ctx context.Context) (int32, time.Time, error) {
		defer func() { fetched <- struct{}{} }()
		background = append(background, Background(ctx))
		return n.Add(1), clk.Now().Add(time.Hour), nil
	}, WithRefreshWindow(5*time.Minute), WithClock(clk.Now))

	if e, _ := c.Get(t.Context()); e.Value != 1 {
		t.Fatalf("first = %d", e.Value)
	}
	<-fetched
	clk.Advance(54 * time.Minute) // outside the window: cached
	if e, _ := c.Get(t.Context()); e.Value != 1 || n.Load() != 1 {
		t.Fatalf("before window: value %d fetches %d", e.Value, n.Load())
	}
	clk.Advance(2 * time.Minute) // inside the window: old value now, refresh behind
	if e, _ := c.Get(t.Context()); e.Value != 1 {
		t.Fatalf("inside window should return current, got %d", e.Value)
	}
	<-fetched
	// The refresh has fetched; wait until its flight has ended too, or the
	// caller below would join it and get its (by then expired) result.
	waitFlights(c)
	if e, _ := c.Peek(); e.Value != 2 {
		t.Fatalf("after the background refresh = %d, want 2", e.Value)
	}
	clk.Advance(2 * time.Hour) // expired: blocking fetch
	if e, _ := c.Get(t.Context()); e.Value != 3 {
		t.Fatalf("after expiry = %d, want 3", e.Value)
	}
	<-fetched
	if want := []bool{false, true, false}; fmt.Sprint(background) != fmt.Sprint(want) {
		t.Fatalf("background flags = %v, want %v", background, want)
	}
}

func TestShortLivedTokenRefreshesAtHalfLife(t *testing.T) {
	t.Parallel()
	clk := newClock()
	c := New(func(context.Context) (int, time.Time, error) { return 1, clk.Now().Add(time.Minute), nil },
		WithRefreshWindow(10*time.Minute), WithClock(clk.Now))
	e, _ := c.Get(t.Context())
	if want := clk.Now().Add(30 * time.Second); !e.refreshAt.Equal(want) {
		t.Fatalf("refreshAt = %v, want %v", e.refreshAt, want)
	}
}

func TestExpiredWithinDelta(t *testing.T) {
	t.Parallel()
	clk := newClock()
	var n atomic.Int32
	c := New(func(context.Context) (int32, time.Time, error) { return n.Add(1), clk.Now().Add(time.Minute), nil },
		WithClock(clk.Now))
	c.Get(t.Context())
	clk.Advance(time.Minute - expiryDelta)
	if e, _ := c.Get(t.Context()); e.Value != 2 {
		t.Fatalf("token inside expiry delta reused: %d", e.Value)
	}
}

func TestJWTExpiry(t *testing.T) {
	t.Parallel()
	enc := base64.RawURLEncoding.EncodeToString
	for _, tc := range []struct {
		token string
		want  int64
		ok    bool
	}{
		{"h." + enc([]byte(`{"exp":1800000000}`)) + ".s", 1800000000, true},
		{"h." + enc([]byte(`{"exp":1.8e9}`)) + ".s", 1800000000, true},
		{"h." + enc([]byte(`{"sub":"x"}`)) + ".s", 0, false},
		{"opaque-token", 0, false},
		{"a.!!!.c", 0, false},
		{"h." + enc([]byte(`{"exp":"soon"}`)) + ".s", 0, false},
		{"h." + enc([]byte(`{"exp":-5}`)) + ".s", 0, false},
	} {
		got, ok := JWTExpiry(tc.token)
		if ok != tc.ok || (ok && got.Unix() != tc.want) {
			t.Errorf("JWTExpiry(%q) = %v, %v; want %d, %v", tc.token, got, ok, tc.want, tc.ok)
		}
	}
}

// waitFor polls cond, yielding to other goroutines, with no wall-clock sleep.
// waitFlights returns once no flight of c is in progress: it joins the one
// in progress, if any, and singleflight forgets a flight before it answers
// the flight's waiters.
func waitFlights[T any](c *Cache[T]) {
	<-c.group.DoChan("", func() (any, error) { return nil, nil })
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 1_000_000 {
		if cond() {
			return
		}
		runtime.Gosched()
	}
	t.Fatal("condition never became true")
}
