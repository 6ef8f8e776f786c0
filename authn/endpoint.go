package authn

import (
	"errors"
	"net/url"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
)

// ErrInsecureEndpoint is matched (errors.Is) by the error of a flow whose
// token, device authorization or authorization endpoint would take a
// credential — the client secret, a refresh token, a device code, an
// authorization code, or the user to a login page — somewhere it must not
// go: a URL that is not absolute http(s) ("file:", "javascript:", "--help"),
// or cleartext http to a host other than this machine while the
// configuration's insecure is false.
var ErrInsecureEndpoint = errors.New("endpoint not allowed for credentials")

// endpointUse names an OAuth endpoint for errors: where the URL came from
// and what to change.
type endpointUse struct {
	field string // "tokenUrl", "token_endpoint", ...
	hint  string
}

var (
	tokenURLSetting = endpointUse{"tokenUrl", "set tokenUrl to the token endpoint's https URL"}
	tokenEndpoint   = endpointUse{"the server's token_endpoint", "set tokenUrl to the token endpoint's https URL, or have the server publish one"}
	deviceEndpoint  = endpointUse{"the server's device_authorization_endpoint", "have the server publish an https device_authorization_endpoint, or use another authType"}
	authzEndpoint   = endpointUse{"the server's authorization_endpoint", "have the server publish an https authorization_endpoint, or use authType DeviceFlow"}
)

// tokenURLUse names where a token URL came from: the configuration's
// tokenUrl, else the server.
func tokenURLUse(configured string) endpointUse {
	if configured != "" {
		return tokenURLSetting
	}
	return tokenEndpoint
}

// checkEndpoint returns nil when credentials may go to raw: an absolute https
// URL, or http to a loopback host, or http anywhere when allowCleartext (the
// configuration's insecure: true). Otherwise it returns an *errs.Error that
// names the endpoint and what to change, matching [ErrInsecureEndpoint].
func checkEndpoint(raw string, use endpointUse, allowCleartext bool) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return &errs.Error{
			Code: errs.InvalidArgument, Op: "authn", Err: ErrInsecureEndpoint,
			Message: use.field + " " + printable(truncate(raw, 100)) + " is not an absolute https URL",
			Hint:    use.hint,
		}
	case u.Scheme == "http" && !allowCleartext && !config.IsLoopback(u.Hostname()):
		return &errs.Error{
			Code: errs.FailedPrecondition, Op: "authn", Err: ErrInsecureEndpoint,
			Message: "refusing to send credentials over cleartext http to " + use.field + " " + u.Scheme + "://" + u.Host + u.EscapedPath(),
			Hint:    use.hint + "; or set insecure: true if the network is trusted",
		}
	}
	return nil
}
