package authn

import (
	"context"
	"os"
	"strings"
	"sync"

	"github.com/pkg/browser"

	"github.com/authwire/authwire/errs"
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
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		// Never hand the launcher a file, a script or an option.
		return &errs.Error{Code: errs.InvalidArgument, Op: "authn", Message: "refusing to open a URL that is not http(s) in the browser", Err: ErrInsecureEndpoint}
	}
	browserOutput.Do(func() {
		if browser.Stdout == os.Stdout {
			browser.Stdout = browser.Stderr
		}
	})
	return browser.OpenURL(url)
}
