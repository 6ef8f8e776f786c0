package authn

import (
	"context"
	"io"
	"log/slog"
	"time"

	"golang.org/x/oauth2"

	"github.com/authwire/authwire/config"
)

// Option configures [New]. WithTokenSource, WithClock, WithLogger and
// WithHosts configure what a stack shares across its layers; a program that
// builds its stack with transport.New sets them there (transport.WithTokenSource,
// WithClock, WithLogger, WithHosts), and transport.WithAuthnOptions does not
// accept them. The other options are [FlowOption] values.
type Option interface{ apply(*options) }

// FlowOption is an [Option] that configures how the Authenticator obtains
// and keeps tokens (the prompt, browser, keyring, token store, client
// secret style, refresh window and timeouts): the options
// transport.WithAuthnOptions accepts.
type FlowOption interface {
	Option
	flowOption()
}

type flowOptionFunc func(*options)

func (f flowOptionFunc) apply(o *options) { f(o) }
func (flowOptionFunc) flowOption()        {}

type options struct {
	source         TokenSource
	now            func() time.Time
	log            *slog.Logger
	hosts          []string
	authStyle      oauth2.AuthStyle
	commandTimeout time.Duration
	fetchTimeout   time.Duration
	refreshWindow  time.Duration
	prompt         io.Writer
	browser        func(ctx context.Context, url string) error
	tokenStore     TokenStore
	keyring        Keyring
	endpoint       *config.Endpoint                                 // parsed by transport.New, which validated the configuration
	sleep          func(ctx context.Context, d time.Duration) error // device-flow polling; tests inject it
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// DefaultRefreshWindow is how long before expiry a token is refreshed in the
// background when the configuration sets no window. It is capped at half the
// token's lifetime.
const DefaultRefreshWindow = 5 * time.Minute

// WithTokenSource replaces the configured flow with src (a static token, a
// workload identity, a test double). The Authenticator still caches it and
// refreshes it once per rejection.
//
// Through transport.New, use transport.WithTokenSource instead.
func WithTokenSource(src TokenSource) Option {
	return optionFunc(func(o *options) { o.source = src })
}

// WithClock replaces time.Now for expiry decisions.
//
// Through transport.New, use transport.WithClock instead.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(o *options) {
		if now != nil {
			o.now = now
		}
	})
}

// WithLogger sets the logger for token events (never tokens themselves).
// The default discards.
//
// Through transport.New, use transport.WithLogger instead.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(o *options) {
		if l != nil {
			o.log = l
		}
	})
}

// WithHosts adds hosts that receive the bearer token besides the endpoint's
// own, e.g. a dataplane host: "host", "host:port" (the endpoint's scheme) or
// "https://host:port". A token goes only to a request whose scheme and host
// match one of them; [New] rejects an entry it cannot parse. By default only
// the endpoint receives it.
//
// Through transport.New, use transport.WithHosts instead.
func WithHosts(hosts ...string) Option {
	return optionFunc(func(o *options) { o.hosts = append(o.hosts, hosts...) })
}

// WithAuthStyle selects how the client secret reaches the token endpoint:
// oauth2.AuthStyleInHeader (the default: HTTP Basic with form-encoded id and
// secret, RFC 6749 section 2.3.1) or oauth2.AuthStyleInParams (in the body).
func WithAuthStyle(style oauth2.AuthStyle) FlowOption {
	return flowOptionFunc(func(o *options) { o.authStyle = style })
}

// WithCommandTimeout bounds one run of the external token command (default
// two minutes).
func WithCommandTimeout(d time.Duration) FlowOption {
	return flowOptionFunc(func(o *options) { o.commandTimeout = d })
}

// WithFetchTimeout bounds one token fetch, shared by every caller waiting
// for it: the metadata round, the token request or command, and for Pkce
// and DeviceFlow the login. A fetch still running at the bound is abandoned
// (its waiters get an *errs.Error with code Unavailable) and the next call
// starts a new one. The default is two minutes, plus the command timeout
// for ExternalCommand, plus the login timeout and four minutes for Pkce and
// DeviceFlow. Zero or less keeps the default.
func WithFetchTimeout(d time.Duration) FlowOption {
	return flowOptionFunc(func(o *options) { o.fetchTimeout = d })
}

// WithRefreshWindow overrides the configured refresh window (tokenRefreshWindow).
func WithRefreshWindow(d time.Duration) FlowOption {
	return flowOptionFunc(func(o *options) { o.refreshWindow = d })
}

// WithPrompt sets where interactive logins talk to the user: the device
// flow's code and verification URL, and the login URL when no browser can be
// opened. The default is os.Stderr; nothing is ever written to stdout.
func WithPrompt(w io.Writer) FlowOption {
	return flowOptionFunc(func(o *options) { o.prompt = w })
}

// WithBrowser sets the function that opens the login page of the PKCE flow,
// such as [github.com/authwire/authwire/authn/browser.Open] (the system
// browser). Without it, or when it fails, the URL is written to the prompt
// writer for the user to open. It
// runs concurrently with the wait for the login callback and should return
// once the page is opened (or ctx is done).
func WithBrowser(open func(ctx context.Context, url string) error) FlowOption {
	return flowOptionFunc(func(o *options) { o.browser = open })
}

// WithTokenStore sets where interactive logins keep their tokens, overriding
// the token-cache setting. Client-secret and command tokens are never stored.
func WithTokenStore(s TokenStore) FlowOption {
	return flowOptionFunc(func(o *options) { o.tokenStore = s })
}

// WithKeyring gives the token-cache setting a keyring, such as
// [github.com/authwire/authwire/authn/oskeyring.Keyring]: "auto" (the
// default) then keeps interactive logins' tokens in kr, falling back to
// files, and "keyring" in kr alone. Without it "auto" uses files and
// "keyring" is a configuration error. It reads flytekit's keyring items too.
func WithKeyring(kr Keyring) FlowOption {
	return flowOptionFunc(func(o *options) { o.keyring = kr })
}
