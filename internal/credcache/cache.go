// Package credcache holds the one caching decorator that every credential in
// authwire goes through: bearer tokens, external-command tokens and proxy
// tokens. It gives single-flight fetching, expiry with early refresh, and
// same-credential invalidation, so that N concurrent callers cause one fetch
// and N concurrent rejections of one credential cause one refetch.
//
// Two bounds keep a misbehaving server from costing more than it should:
//
//   - Every fetch (a "flight") runs under its own deadline,
//     [DefaultFlightTimeout] unless [WithFlightTimeout] says otherwise. The
//     flight is detached from the callers' cancellation, so that one caller
//     giving up does not fail the others, but it never outlives its bound:
//     when the bound passes, every waiter gets an [*errs.Error] with code
//     Unavailable, the flight is abandoned, and the next caller starts a
//     fresh one. The fetch's context is canceled at the bound, so a fetch
//     that honours its context ends there too.
//   - A fetched credential is used for at least [MinReuse], whatever expiry
//     the server gave it (an expires_in of a few seconds, or a negative
//     one), so a server cannot make every call fetch a new credential. A
//     credential the server rejects is still dropped at once by
//     [Cache.Invalidate].
package credcache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/authwire/authwire/errs"
)

// DefaultFlightTimeout bounds one fetch when [WithFlightTimeout] is not
// given. It covers a metadata round and a token request of one minute each.
const DefaultFlightTimeout = 2 * time.Minute

// MinReuse is the least time a fetched credential is used before the next
// fetch, unless it is invalidated. It equals the early-expiry margin, so a
// credential whose expires_in is at least that long is never sent after
// its expiry; a shorter or negative expires_in costs at most one fetch per
// MinReuse instead of one per call.
const MinReuse = expiryDelta

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

	useUntil  time.Time // fetch again from here on; zero: until invalidated
	refreshAt time.Time // start a background refresh from here on
}

// Cache caches one credential. The zero value is not usable; use [New].
// A Cache is safe for concurrent use.
type Cache[T any] struct {
	fetch   FetchFunc[T]
	window  time.Duration
	timeout time.Duration
	now     func() time.Time
	// bound derives a flight's context from the detached caller's one: it
	// ends at the flight timeout, with cause errFlightTimeout. Tests
	// replace it to end flights when they choose.
	bound func(context.Context) (context.Context, context.CancelFunc)

	cur   atomic.Pointer[Entry[T]]
	gen   atomic.Uint64
	group singleflight.Group

	mu        sync.Mutex
	nextRetry time.Time // after a failed background refresh
}

// Option configures a [Cache].
type Option interface{ apply(*options) }

type options struct {
	window  time.Duration
	timeout time.Duration
	now     func() time.Time
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithRefreshWindow refreshes a credential in the background once it is
// within d of its expiry (at most half its lifetime), while callers keep
// using the current one. Zero disables early refresh.
func WithRefreshWindow(d time.Duration) Option {
	return optionFunc(func(o *options) { o.window = d })
}

// WithFlightTimeout bounds one fetch (default [DefaultFlightTimeout]; zero
// or less means the default). Set it above the sum of the bounds of what
// the fetch does (metadata, token request, command, interactive login).
func WithFlightTimeout(d time.Duration) Option {
	return optionFunc(func(o *options) {
		if d > 0 {
			o.timeout = d
		}
	})
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
	o := options{now: time.Now, timeout: DefaultFlightTimeout}
	for _, opt := range opts {
		opt.apply(&o)
	}
	c := &Cache[T]{fetch: fetch, window: o.window, timeout: o.timeout, now: o.now}
	c.bound = func(ctx context.Context) (context.Context, context.CancelFunc) {
		return context.WithTimeoutCause(ctx, c.timeout, errFlightTimeout)
	}
	return c
}

// Get returns a usable credential. A cached one is returned without waiting;
// when it is inside the refresh window a background refresh starts. With no
// usable credential, Get joins the one fetch in flight (starting it if
// needed) and waits for it or for ctx. The fetch itself is detached from the
// cancellation of the caller that started it, so one caller giving up does
// not fail the others, and bounded by the flight timeout: a flight that
// outlives it is abandoned and fails its waiters with an [*errs.Error] of
// code Unavailable. Failures are never cached: the next Get fetches again.
func (c *Cache[T]) Get(ctx context.Context) (Entry[T], error) {
	now := c.now()
	if e := c.cur.Load(); e != nil && c.usable(e, now) {
		if !e.refreshAt.IsZero() && !now.Before(e.refreshAt) {
			c.refreshInBackground(ctx, now)
		}
		return *e, nil
	}
	ch := c.group.DoChan("", c.flight(ctx))
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

func (c *Cache[T]) usable(e *Entry[T], now time.Time) bool {
	return e.useUntil.IsZero() || now.Before(e.useUntil)
}

// errFlightTimeout is the cause of a flight's context canceled at its bound.
var errFlightTimeout = errors.New("credcache: flight timeout")

// flight returns the function of one flight, started by a caller with ctx:
// detached from ctx's cancellation (keeping its values) and bounded by the
// flight timeout.
func (c *Cache[T]) flight(ctx context.Context) func() (any, error) {
	return func() (any, error) {
		fctx, cancel := c.bound(context.WithoutCancel(ctx))
		defer cancel()
		return c.doFetch(fctx)
	}
}

// fetched is what one call of the fetch function returned.
type fetched[T any] struct {
	v      T
	expiry time.Time
	err    error
}

// doFetch runs the fetch function unless the previous flight left a fresh
// credential, and stores its result. It returns when the fetch does or when
// ctx (bounded by the flight timeout) ends, whichever comes first: a fetch
// that ignores its context is abandoned, and its late result dropped.
func (c *Cache[T]) doFetch(ctx context.Context) (*Entry[T], error) {
	// A caller may have waited for the previous flight to finish: reuse
	// its result rather than fetching twice in a row.
	now := c.now()
	if e := c.cur.Load(); e != nil && c.usable(e, now) && (e.refreshAt.IsZero() || now.Before(e.refreshAt)) {
		return e, nil
	}
	done := make(chan fetched[T], 1)
	go func() {
		v, expiry, err := c.fetch(ctx)
		done <- fetched[T]{v, expiry, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			if errors.Is(context.Cause(ctx), errFlightTimeout) {
				return nil, c.abandoned(r.err)
			}
			return nil, r.err
		}
		e := c.newEntry(r.v, r.expiry, c.now())
		c.cur.Store(e)
		return e, nil
	case <-ctx.Done(): // detached: only the bound ends it
		return nil, c.abandoned(nil)
	}
}

// abandoned is the error of a flight that reached its bound; cause is the
// fetch's own error if it returned one in time.
func (c *Cache[T]) abandoned(cause error) error {
	return &errs.Error{
		Code:    errs.Unavailable,
		Op:      "credcache",
		Message: fmt.Sprintf("fetching a credential took longer than %s and was abandoned; the next call starts a new fetch", c.timeout),
		Hint:    "check that the token endpoint, the metadata endpoint or the credential command answers in time",
		Err:     cause,
	}
}

// newEntry makes the entry of a credential fetched at now: used until
// expiryDelta before its expiry, and for at least MinReuse; refreshed in the
// background inside the window (at most half its lifetime, and not before
// half of MinReuse has passed).
func (c *Cache[T]) newEntry(v T, expiry time.Time, now time.Time) *Entry[T] {
	e := &Entry[T]{Value: v, Expiry: expiry, Gen: c.gen.Add(1)}
	if expiry.IsZero() {
		return e
	}
	e.useUntil = expiry.Add(-expiryDelta)
	if floor := now.Add(MinReuse); e.useUntil.Before(floor) {
		e.useUntil = floor
	}
	if c.window > 0 {
		w := min(c.window, expiry.Sub(now)/2)
		e.refreshAt = expiry.Add(-w)
		if floor := now.Add(MinReuse / 2); e.refreshAt.Before(floor) {
			e.refreshAt = floor
		}
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
	bg := context.WithValue(ctx, backgroundKey{}, true)
	ch := c.group.DoChan("", c.flight(bg))
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
