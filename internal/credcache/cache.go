// Package credcache holds the one caching decorator that every credential in
// authwire goes through: bearer tokens, external-command tokens and proxy
// tokens. It gives single-flight fetching, expiry with early refresh, and
// same-credential invalidation, so that N concurrent callers cause one fetch
// and N concurrent rejections of one credential cause one refetch.
package credcache

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// expiryDelta treats a credential as expired this long before its expiry, so
// that it does not expire on the wire.
const expiryDelta = 10 * time.Second

// retryAfterFailure is how long a failed background refresh waits before the
// next one is tried; the current credential is used meanwhile.
const retryAfterFailure = 5 * time.Second

// FetchFunc obtains a fresh credential and its expiry (zero: never expires;
// such a credential is replaced only after [Cache.Invalidate]).
type FetchFunc[T any] func(ctx context.Context) (T, time.Time, error)

// Entry is a cached credential. Gen identifies it for [Cache.Invalidate].
type Entry[T any] struct {
	Value  T
	Expiry time.Time
	Gen    uint64

	refreshAt time.Time // start a background refresh from here on
}

// Cache caches one credential. The zero value is not usable; use [New].
// A Cache is safe for concurrent use.
type Cache[T any] struct {
	fetch  FetchFunc[T]
	window time.Duration
	now    func() time.Time

	cur   atomic.Pointer[Entry[T]]
	gen   atomic.Uint64
	group singleflight.Group

	mu        sync.Mutex
	nextRetry time.Time // after a failed background refresh
}

// Option configures a [Cache].
type Option interface{ apply(*options) }

type options struct {
	window time.Duration
	now    func() time.Time
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithRefreshWindow refreshes a credential in the background once it is
// within d of its expiry (at most half its lifetime), while callers keep
// using the current one. Zero disables early refresh.
func WithRefreshWindow(d time.Duration) Option {
	return optionFunc(func(o *options) { o.window = d })
}

// WithClock replaces time.Now.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(o *options) {
		if now != nil {
			o.now = now
		}
	})
}

// New returns a cache that calls fetch when it has no usable credential.
func New[T any](fetch FetchFunc[T], opts ...Option) *Cache[T] {
	o := options{now: time.Now}
	for _, opt := range opts {
		opt.apply(&o)
	}
	return &Cache[T]{fetch: fetch, window: o.window, now: o.now}
}

// Get returns a usable credential. A cached one is returned without waiting;
// when it is inside the refresh window a background refresh starts. With no
// usable credential, Get joins the one fetch in flight (starting it if
// needed) and waits for it or for ctx. The fetch itself is detached from the
// cancellation of the caller that started it, so one caller giving up does
// not fail the others; the fetch function bounds its own duration.
// Failures are never cached: the next Get fetches again.
func (c *Cache[T]) Get(ctx context.Context) (Entry[T], error) {
	now := c.now()
	if e := c.cur.Load(); e != nil && c.usable(e, now) {
		if !e.refreshAt.IsZero() && !now.Before(e.refreshAt) {
			c.refreshInBackground(ctx, now)
		}
		return *e, nil
	}
	ch := c.group.DoChan("", func() (any, error) { return c.doFetch(context.WithoutCancel(ctx)) })
	select {
	case r := <-ch:
		if r.Err != nil {
			return Entry[T]{}, r.Err
		}
		return *r.Val.(*Entry[T]), nil
	case <-ctx.Done():
		return Entry[T]{}, ctx.Err()
	}
}

// Peek returns the current credential, if any, without fetching, even if it
// has expired.
func (c *Cache[T]) Peek() (Entry[T], bool) {
	if e := c.cur.Load(); e != nil {
		return *e, true
	}
	return Entry[T]{}, false
}

// Invalidate drops the cached credential if it is still the one with
// generation gen, so that a credential rejected by N concurrent calls is
// dropped once and a newer one is kept.
func (c *Cache[T]) Invalidate(gen uint64) {
	if e := c.cur.Load(); e != nil && e.Gen == gen {
		c.cur.CompareAndSwap(e, nil)
	}
}

// Set stores a credential obtained elsewhere (a login, a token cache) and
// returns its entry.
func (c *Cache[T]) Set(v T, expiry time.Time) Entry[T] {
	e := c.newEntry(v, expiry, c.now())
	c.cur.Store(e)
	return *e
}

func (c *Cache[T]) usable(e *Entry[T], now time.Time) bool {
	return e.Expiry.IsZero() || now.Before(e.Expiry.Add(-expiryDelta))
}

func (c *Cache[T]) doFetch(ctx context.Context) (*Entry[T], error) {
	// A caller may have waited for the previous flight to finish: reuse
	// its result rather than fetching twice in a row.
	now := c.now()
	if e := c.cur.Load(); e != nil && c.usable(e, now) && (e.refreshAt.IsZero() || now.Before(e.refreshAt)) {
		return e, nil
	}
	v, expiry, err := c.fetch(ctx)
	if err != nil {
		return nil, err
	}
	e := c.newEntry(v, expiry, c.now())
	c.cur.Store(e)
	return e, nil
}

func (c *Cache[T]) newEntry(v T, expiry time.Time, now time.Time) *Entry[T] {
	e := &Entry[T]{Value: v, Expiry: expiry, Gen: c.gen.Add(1)}
	if c.window > 0 && !expiry.IsZero() {
		w := min(c.window, expiry.Sub(now)/2)
		e.refreshAt = expiry.Add(-w)
	}
	return e
}

func (c *Cache[T]) refreshInBackground(ctx context.Context, now time.Time) {
	c.mu.Lock()
	if now.Before(c.nextRetry) {
		c.mu.Unlock()
		return
	}
	c.nextRetry = now.Add(retryAfterFailure) // at most one start per interval
	c.mu.Unlock()
	bg := context.WithValue(context.WithoutCancel(ctx), backgroundKey{}, true)
	ch := c.group.DoChan("", func() (any, error) { return c.doFetch(bg) })
	go func() { <-ch }()
}

type backgroundKey struct{}

// Background reports whether ctx belongs to a background refresh, started
// while callers still hold a valid credential. A fetch function that would
// need a person (a browser login, a device code) should fail instead and
// leave the login to a foreground fetch when the credential expires.
func Background(ctx context.Context) bool {
	b, _ := ctx.Value(backgroundKey{}).(bool)
	return b
}
