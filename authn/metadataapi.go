package authn

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"connectrpc.com/connect"

	"github.com/authwire/authwire/errs"
)

// API names a generation of Flyte's AuthMetadataService.
type API int

const (
	// APIAuto detects the generation: the first discovery asks both and
	// keeps the one whose GetPublicClientConfig answered.
	APIAuto API = iota
	// APIV1 is flyteadmin's flyteidl.service.AuthMetadataService (Flyte 1),
	// with its REST routes as fallback.
	APIV1
	// APIV2 is flyteidl2.auth.AuthMetadataService (Flyte 2).
	APIV2
)

// String returns "auto", "v1" or "v2", the values of the configuration key
// admin.authMetadataApi.
func (a API) String() string {
	switch a {
	case APIV1:
		return "v1"
	case APIV2:
		return "v2"
	}
	return "auto"
}

// ParseAPI parses "auto" (or ""), "v1" or "v2", case-insensitively. Any other
// value is an *errs.Error with code InvalidArgument.
func ParseAPI(s string) (API, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return APIAuto, nil
	case "v1":
		return APIV1, nil
	case "v2":
		return APIV2, nil
	}
	return APIAuto, &errs.Error{Code: errs.InvalidArgument, Op: "authn", Message: fmt.Sprintf("unknown AuthMetadataService API %q", s), Hint: "set authMetadataApi to auto, v1 or v2"}
}

// probe records what the server answered to one metadata call, below
// connect-go, so a missing path can be told from a handler's error.
type probe struct {
	status      int
	contentType string
}

type probeKey struct{}

// observingClient is the connect.HTTPClient of the metadata clients: it
// records the status and content type of each answer in the call's probe.
type observingClient struct{ c *http.Client }

func (o observingClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := o.c.Do(req)
	if p, ok := req.Context().Value(probeKey{}).(*probe); ok && resp != nil {
		p.status = resp.StatusCode
		p.contentType = resp.Header.Get("Content-Type")
	}
	return resp, err
}

// rpcContentTypes are the content types of every protocol the metadata RPCs
// may answer in.
var rpcContentTypes = []string{"application/grpc", "application/proto", "application/json", "application/connect+"}

// absent reports whether a failed call says that its path does not exist on
// the server: HTTP 404 or 405 without a handler's error, a 200 that is not
// an RPC answer (an ingress's HTML page), a non-wire Unimplemented or
// NotFound, or grpc-go's wire Unimplemented for an unknown service or
// method. Unauthenticated, PermissionDenied, Unavailable, deadlines and
// cancellations are never absent.
func absent(err error, p *probe) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	wire := connect.IsWireError(err)
	code := connect.CodeOf(err)
	switch code {
	case connect.CodeUnauthenticated, connect.CodePermissionDenied, connect.CodeUnavailable,
		connect.CodeDeadlineExceeded, connect.CodeCanceled:
		return false
	}
	switch {
	case p != nil && (p.status == http.StatusNotFound || p.status == http.StatusMethodNotAllowed) && !wire:
		return true
	case p != nil && p.status == http.StatusOK && !isRPCContentType(p.contentType):
		return true
	case (code == connect.CodeUnimplemented || code == connect.CodeNotFound) && !wire:
		return true
	case code == connect.CodeUnimplemented:
		var ce *connect.Error
		if errors.As(err, &ce) {
			m := strings.ToLower(ce.Message())
			return strings.Contains(m, "unknown service") || strings.Contains(m, "unknown method")
		}
	}
	return false
}

func isRPCContentType(ct string) bool {
	ct = strings.ToLower(strings.TrimSpace(ct))
	for _, p := range rpcContentTypes {
		if strings.HasPrefix(ct, p) {
			return true
		}
	}
	return false
}
