package authn

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/authwire/authwire/errs"
)

// defaultPKCETimeout bounds the wait for the browser when pkceConfig.timeout
// is not set.
const defaultPKCETimeout = 2 * time.Minute

// pkceLogin is the authorization-code grant with PKCE (RFC 7636) in the
// user's browser and a loopback callback (RFC 8252): flytekit's
// PKCEAuthenticator.
type pkceLogin struct {
	session *http.Client
	prompt  io.Writer
	open    func(ctx context.Context, url string) error
	timeout time.Duration
	now     func() time.Time
	log     *slog.Logger
}

// login sends the browser to the authorization endpoint with a fresh
// verifier and state, waits for the callback (at most p.timeout), and
// exchanges the code through the session.
func (p *pkceLogin) login(ctx context.Context, ls *loginSettings) (*oauth2.Token, error) {
	if ls.conf.Endpoint.AuthURL == "" {
		return nil, &errs.Error{Code: errs.InvalidArgument, Op: "authn", Message: "no authorization endpoint for the browser login", Hint: "the server publishes none; use authType DeviceFlow or ClientSecret"}
	}
	if err := checkEndpoint(ls.conf.Endpoint.AuthURL, authzEndpoint, ls.insecure); err != nil {
		return nil, err // never hand the opener a "file:", "javascript:" or "--help"
	}
	verifier := oauth2.GenerateVerifier()
	state := rand.Text()
	wait, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	cb, err := startCallback(wait, cmp.Or(ls.conf.RedirectURL, defaultRedirectURI), state, p.log)
	if err != nil {
		return nil, err
	}
	defer cb.close()
	conf := ls.conf
	conf.RedirectURL = cb.redirectURI
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	if ls.audience != "" {
		opts = append(opts, oauth2.SetAuthURLParam("audience", ls.audience))
	}
	authURL := conf.AuthCodeURL(state, opts...)

	opened := make(chan error, 1)
	go func() { opened <- p.open(wait, authURL) }()
	var res callbackResult
	for done := false; !done; {
		select {
		case err := <-opened:
			opened = nil
			if err != nil {
				p.log.LogAttrs(ctx, slog.LevelDebug, "authn: cannot open a browser", slog.String("error", err.Error()))
				writePrompt(p.prompt, fmt.Sprintf("Could not open a browser (%s).\nTo log in to %s, open this URL in a browser on this machine:\n\n    %s\n\n", printable(truncate(err.Error(), 200)), printable(ls.key.Endpoint), printable(authURL)))
			}
		case res = <-cb.results:
			done = true
		case <-wait.Done():
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			e := &errs.Error{
				Code: errs.DeadlineExceeded, Op: "authn",
				Message: fmt.Sprintf("no answer from the browser login within %s", p.timeout),
				Hint:    "finish the login in the browser in time, or raise pkceConfig.timeout",
			}
			if n := cb.foreign.Load(); n > 0 {
				e.Message += fmt.Sprintf(" (%d answers with another login's state were ignored)", n)
				e.Err = ErrStateMismatch
			}
			return nil, e
		}
	}
	if res.err != nil {
		return nil, res.err
	}
	xctx, xcancel := context.WithTimeout(withSession(ctx, p.session), tokenRequestTimeout)
	defer xcancel()
	tok, err := conf.Exchange(xctx, res.code, oauth2.VerifierOption(verifier))
	if err != nil {
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, tokenError(err, ls.conf.ClientID)
	}
	return withExpiry(tok, p.now), nil
}
