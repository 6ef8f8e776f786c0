package transport

import (
	"errors"
	"net/http"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
)

// maxRedirects is how many redirects a session request follows, as
// net/http's default policy.
const maxRedirects = 10

// ErrRedirectRefused is matched (errors.Is) by the error of a session
// request (token, device, refresh, metadata) whose server redirected it to
// another host or from https to http: the request carries the client secret,
// a code, a refresh token or the proxy token, which go only where they were
// meant to.
var ErrRedirectRefused = errors.New("redirect refused")

// checkRedirect is the session's redirect policy: follow a redirect to the
// same scheme and host:port, or an upgrade from http to https on the same
// host; refuse everything else before anything is sent there.
func checkRedirect(req *http.Request, via []*http.Request) error {
	from := via[len(via)-1].URL
	if !config.SameHost(from, req.URL) {
		why := "another host"
		if from.Scheme == "https" && req.URL.Scheme != "https" {
			why = "cleartext " + req.URL.Scheme
		}
		return &errs.Error{
			Code: errs.FailedPrecondition, Op: "transport", Err: ErrRedirectRefused,
			Message: "refusing to follow the redirect of " + errs.RedactURL(from) + " to " + errs.RedactURL(req.URL) + " (" + why + ")",
			Hint:    "the server moved a call that carries credentials; if the new address is trusted and uses https, configure it directly (tokenUrl, or endpoint)",
		}
	}
	if len(via) >= maxRedirects {
		return &errs.Error{Code: errs.FailedPrecondition, Op: "transport", Err: ErrRedirectRefused, Message: "stopped after 10 redirects at " + errs.RedactURL(req.URL)}
	}
	return nil
}
