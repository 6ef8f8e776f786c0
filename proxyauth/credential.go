package proxyauth

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/internal/credcache"
	"github.com/authwire/authwire/internal/credcmd"
)

// TokenSource obtains a proxy token and its expiry (zero: unknown). Any
// source works: a command, a static token, a cloud identity library.
type TokenSource interface {
	Token(ctx context.Context) (token string, expiry time.Time, err error)
}

// TokenSourceFunc adapts a function to [TokenSource].
type TokenSourceFunc func(ctx context.Context) (string, time.Time, error)

// Token calls f.
func (f TokenSourceFunc) Token(ctx context.Context) (string, time.Time, error) { return f(ctx) }

// Static returns a source that always yields token.
func Static(token string) TokenSource {
	return TokenSourceFunc(func(context.Context) (string, time.Time, error) { return token, time.Time{}, nil })
}

// Command returns a source that runs argv (no shell) and reads the token
// from its stdout: the token alone, or JSON {"access_token", "expires_in"}.
// timeout bounds one run (zero: two minutes).
func Command(argv []string, timeout time.Duration) TokenSource {
	cmd := &credcmd.Command{Argv: argv, Key: "proxyCommand", Timeout: timeout}
	return TokenSourceFunc(func(ctx context.Context) (string, time.Time, error) {
		r, err := cmd.Run(ctx)
		if err != nil {
			return "", time.Time{}, &errs.Error{Code: errs.CodeOf(err), Op: "proxyauth", Message: "proxy command failed", Err: err}
		}
		return r.Token, r.Expiry, nil
	})
}

// Credential is a cached proxy credential for a set of hosts. It is safe for
// concurrent use; share one per stack.
type Credential struct {
	cache   *credcache.Cache[string] // the header value, "Bearer <token>"
	origins config.Origins           // where the token may go
}

// Option configures [New] and [NewCredential].
type Option interface{ apply(*options) }

type options struct {
	hosts   []string
	ttl     time.Duration
	timeout time.Duration
	now     func() time.Time
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithHosts adds hosts that receive the proxy token, besides the
// endpoint's: "host", "host:port" (https) or "scheme://host:port". The token
// goes only to a request whose scheme and host both match one of them, so an
// https host's token never goes over cleartext, not even on a redirect to
// the same host. An entry [config.ParseEndpoint] rejects matches nothing.
func WithHosts(hosts ...string) Option {
	return optionFunc(func(o *options) { o.hosts = append(o.hosts, hosts...) })
}

// WithTTL refetches a proxy token whose expiry is unknown (an opaque token)
// after ttl. By default such a token is kept until the proxy rejects it.
func WithTTL(ttl time.Duration) Option { return optionFunc(func(o *options) { o.ttl = ttl }) }

// WithCommandTimeout bounds one run of the proxy command (default two minutes).
func WithCommandTimeout(d time.Duration) Option {
	return optionFunc(func(o *options) { o.timeout = d })
}

// WithClock replaces time.Now.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(o *options) {
		if now != nil {
			o.now = now
		}
	})
}

// New returns the proxy credential of cfg (flytekit's
// get_proxy_authenticator): cfg.ProxyCommand's token for cfg.Endpoint's
// host. It returns nil and no error when no proxy command is configured.
func New(cfg *config.Platform, opts ...Option) (*Credential, error) {
	if len(cfg.ProxyCommand) == 0 {
		return nil, nil
	}
	if strings.TrimSpace(cfg.ProxyCommand[0]) == "" {
		return nil, &errs.Error{Code: errs.InvalidArgument, Op: "proxyauth", Message: "proxyCommand has an empty program name"}
	}
	ep, err := config.ParseEndpoint(cfg.Endpoint, cfg.Insecure)
	if err != nil {
		return nil, &errs.Error{Code: errs.InvalidArgument, Op: "proxyauth", Message: "invalid configuration", Err: err}
	}
	o := collect(opts)
	return NewCredential(Command(cfg.ProxyCommand, o.timeout), append([]Option{WithHosts(ep.URL())}, opts...)...), nil
}

// NewCredential caches src's token for the hosts given with [WithHosts].
func NewCredential(src TokenSource, opts ...Option) *Credential {
	o := collect(opts)
	c := new(Credential)
	for _, h := range o.hosts {
		_ = c.origins.Add(h, "https") // an unparsable entry matches nothing: fail closed
	}
	fetch := func(ctx context.Context) (string, time.Time, error) {
		tok, exp, err := src.Token(ctx)
		if err != nil {
			return "", time.Time{}, err
		}
		if tok == "" {
			return "", time.Time{}, &errs.Error{Code: errs.Unauthenticated, Op: "proxyauth", Message: "proxy token source returned an empty token"}
		}
		if exp.IsZero() {
			if jwtExp, ok := credcache.JWTExpiry(tok); ok {
				exp = jwtExp
			} else if o.ttl > 0 {
				exp = o.now().Add(o.ttl)
			}
		}
		return "Bearer " + tok, exp, nil
	}
	// A fetch may run the proxy command: bound it above the command's own
	// timeout.
	bound := credcmd.FlightTimeout(o.timeout)
	c.cache = credcache.New(fetch, credcache.WithClock(o.now), credcache.WithRefreshWindow(time.Minute), credcache.WithFlightTimeout(bound))
	return c
}

// appliesTo reports whether a request to u gets the token.
func (c *Credential) appliesTo(u *url.URL) bool {
	return c.origins.Contains(u)
}

func collect(opts []Option) options {
	o := options{now: time.Now}
	for _, opt := range opts {
		opt.apply(&o)
	}
	return o
}
