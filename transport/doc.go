// Package transport builds authwire's stack: the base transport (TLS or h2c,
// HTTP proxy, timeouts, HTTP/2 health pings) and, through [New], the whole
// http.RoundTripper that connect-go clients and REST clients share:
//
//	caller (connect client | REST client)
//	  └ errs layer     classify failures, retry transient ones
//	    └ bearer layer attach the token; on rejection refresh once, replay once
//	      └ proxy layer attach proxy-authorization to the endpoint's host
//	        └ base     TLS (roots + CA file, mTLS, bootstrap+pin) | h2c; proxy; timeouts
//
// The session ([Session]) is the proxy layer over the base: every token,
// device, refresh and metadata call goes through it, so the same TLS, proxy
// and timeout policy applies to them as to RPCs; each of its requests is
// also bounded as a whole ([WithSessionTimeout], default one minute), so a
// hung metadata or token endpoint cannot hold the stack. It follows a
// redirect only to the same origin or an http→https upgrade
// ([ErrRedirectRefused]). Credentials go only to the origins (scheme and
// host:port) they are meant for; docs/security.md lists where each may go
// and the test that proves it.
//
// [New] validates the configuration once and parses its endpoint once; the
// layers it builds receive the parsed values.
//
// It replaces flytekit's get_channel ([Base]), bootstrap_creds_from_server
// ([BootstrapTLS]), get_session ([Session]) and get_authenticated_channel
// ([New], [NewClient]).
//
// Programs that look at a stack rather than only use it — the authwire
// command is one — get its Authenticator back with [AuthenticatorOf] (the
// current token and the header it goes in), the proxy the base transport
// picks for a request with [ProxyFor], and can observe the base transport's
// connections with net/http/httptrace (and [WithDialer]).
//
// The stack links no OS keyring and no browser launcher: a program that
// logs people in (Pkce, DeviceFlow) passes them with [WithAuthnOptions] and
// authn.WithKeyring(oskeyring.Keyring{}), authn.WithBrowser(browser.Open).
package transport
