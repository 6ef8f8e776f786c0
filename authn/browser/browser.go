// Package browser opens the PKCE login page in the system browser through
// github.com/pkg/browser. It is a package of its own so that only programs
// that log users in interactively link the browser launcher:
//
//	transport.New(ctx, cfg, transport.WithAuthnOptions(authn.WithBrowser(browser.Open)))
//
// Without it, [github.com/authwire/authwire/authn]'s PKCE flow writes the
// login URL to its prompt writer for the user to open.
package browser

import (
	"context"
	"os"
	"strings"
	"sync"

	"github.com/pkg/browser"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/errs"
)

// browserOutput points github.com/pkg/browser's Stdout at its Stderr, once,
// unless the program changed it: the launcher it runs (xdg-open, open,
// rundll32) inherits them, and a program such as "authwire token" keeps its
// stdout for the token alone.
var browserOutput sync.Once

// Open opens url in the system browser. It returns ctx's error when ctx is
// already done, an InvalidArgument error matching authn.ErrInsecureEndpoint
// for a URL that is not http(s) (never a file, a script or an option for the
// launcher), and the launcher's error when no browser can be started. It is
// the opener [github.com/authwire/authwire/authn.WithBrowser] takes.
func Open(ctx context.Context, url string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		return &errs.Error{Code: errs.InvalidArgument, Op: "authn", Message: "refusing to open a URL that is not http(s) in the browser", Err: authn.ErrInsecureEndpoint}
	}
	browserOutput.Do(func() {
		if browser.Stdout == os.Stdout {
			browser.Stdout = browser.Stderr
		}
	})
	return browser.OpenURL(url)
}
