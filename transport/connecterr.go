package transport

import (
	"errors"
	"net/http"

	"connectrpc.com/connect"

	"github.com/authwire/authwire/errs"
)

// connectErrors is the outermost layer. connect-go turns any error returned
// by RoundTrip that is not a *connect.Error into Unavailable; this layer
// wraps authwire's own errors so that connect.CodeOf reports their code,
// while errs.CodeOf and errors.As(*errs.Error) keep working through Unwrap.
type connectErrors struct{ next http.RoundTripper }

func (c *connectErrors) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil {
		return nil, asConnectError(err)
	}
	return resp, nil
}

func (c *connectErrors) CloseIdleConnections() {
	if ci, ok := c.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// Unwrap returns the next layer.
func (c *connectErrors) Unwrap() http.RoundTripper { return c.next }

func asConnectError(err error) error {
	var ce *connect.Error
	if errors.As(err, &ce) {
		return err
	}
	var e *errs.Error
	if !errors.As(err, &e) || e.Code == errs.OK {
		return err
	}
	return connect.NewError(connect.Code(e.Code), err)
}
