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
// Options are typed by the constructor that reads them, as connect-go's
// ClientOption and HandlerOption are, so that an option a constructor does
// not use does not compile there:
//
//   - [BaseOption] configures the base transport (dialing, TLS, timeouts,
//     pings): [Base], [Session], [New] and [NewClient] take it.
//   - [SessionOption] configures the proxy layer, the hosts credentials may
//     go to, the clock and the session's bound, or replaces the base
//     ([WithBaseTransport]): [Session], [New] and [NewClient] take it.
//   - [Option] configures the bearer and errs layers (token source, config
//     store, logger, flow options, retry): [New] and [NewClient] take it.
//
// Every BaseOption is a SessionOption and every SessionOption an Option.
// One setting has one option: what the stack shares across its layers (the
// clock, logger, hosts and token source) is set here once and passed down;
// [WithAuthnOptions] takes only authn's flow options ([authn.FlowOption]:
// prompt, browser, keyring, token store, client-secret style, refresh
// window, timeouts), and a BaseOption given with [WithBaseTransport] is an
// error, since that transport replaces the one the option configures.
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
