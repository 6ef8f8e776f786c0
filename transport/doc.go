// Package transport builds authwire's stack: the base transport (TLS or h2c,
// HTTP proxy, timeouts, HTTP/2 health pings) and, through [New], the whole
// http.RoundTripper that connect-go clients and REST clients share:
//
//	caller (connect-go v1 or v2 client | REST client)
//	  └ connect bridge  for Connect, gRPC and gRPC-Web calls: the stack's errors as connect errors too
//	    └ retry layer   classify failures (errs), retry transient ones
//	      └ bearer layer attach the token; on rejection refresh once, replay once
//	        └ proxy layer attach proxy-authorization to the endpoint's host
//	          └ base     TLS (roots + CA file, mTLS, bootstrap+pin) | h2c; proxy; timeouts
//
// The retry layer (errs.Transport) is where every failure becomes an
// *errs.Error. The connect bridge above it exists for connect-go, which reads any error of its HTTP
// client that is not its own *connect.Error as Unavailable, and whose v1 and
// v2 each know only their own type: for a request a connect-go client sent
// (Connect, gRPC or gRPC-Web, see errs.ProtocolOf) it returns one error that
// unwraps to the *errs.Error, a v1 and a v2 *connect.Error, all with the
// same code. REST requests pass it untouched: a REST caller gets the
// *errs.Error inside net/http's *url.Error, and errors.As finds it.
// [Interceptor] (v1) and [InterceptorV2] (v2) do the same for the errors a
// server sends, which connect-go decodes above the stack.
//
// An error's Op names who raised it: "transport" (configuration, TLS, the
// connection), "authn" and "proxyauth" (credentials), "credcmd" (a
// credential command), "retry" (the retry layer's own: retries given up, a
// body that cannot be replayed), "server" (a failure the server reported:
// an error answer the stack read, or a wire error through the
// interceptors).
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
// [WithCredentialsFrom] builds a stack on another stack's credentials (a
// Flyte 2 data plane with the control plane's token); [ServerConfig] reports
// what the server published, including which AuthMetadataService generation
// answered.
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
//   - [Option] configures the bearer and retry layers (token source, config
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
