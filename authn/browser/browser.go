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
	"sync"

	"github.com/pkg/browser"
)

// browserOutput points github.com/pkg/browser's Stdout at its Stderr, once,
// unless the program changed it: the launcher it runs (xdg-open, open,
// rundll32) inherits them, and a program such as "authwire token" keeps its
// stdout for the token alone.
var browserOutput sync.Once

// Open opens url in the system browser. It returns ctx's error when ctx is
// already done, and the launcher's error when no browser can be started. It
// is the opener [github.com/authwire/authwire/authn.WithBrowser] takes.
func Open(ctx context.Context, url string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	browserOutput.Do(func() {
		if browser.Stdout == os.Stdout {
			browser.Stdout = browser.Stderr
		}
	})
	return browser.OpenURL(url)
}
