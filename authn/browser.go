package authn

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

// openBrowser is the default opener of the PKCE login page: the system
// browser through github.com/pkg/browser.
func openBrowser(ctx context.Context, url string) error {
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
