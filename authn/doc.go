// Package authn is the bearer layer of the authwire stack and everything it
// needs: token sources for each flow, the client configuration the server
// publishes (AuthMetadataService), and the [Authenticator] that caches one
// token per stack and refreshes it once when the server rejects it.
//
// It replaces flytekit's get_authenticator ([New]),
// AuthenticationHTTPAdapter and upgrade_channel_to_authenticated ([Wrap]),
// and RemoteClientConfigStore ([NewRemoteConfigStore]).
//
// # How a call is authenticated
//
// [Transport.RoundTrip] attaches "<header>: Bearer <token>" to requests for
// the endpoint's host (never to other hosts, never over cleartext to a
// non-loopback host unless insecure is configured, never over a caller-set
// header). When the server rejects the token — HTTP 401, grpc-status 16 in
// the headers, or, for a gRPC, gRPC-Web or Connect streaming response to a
// replayable request, an error status before the first message — the token
// that failed is invalidated (only that one: N concurrent rejections cause one
// refresh) and the request is replayed once with a fresh token, using
// Request.GetBody. Requests without GetBody (client and bidi streams) are
// never buffered or replayed: the rejection is returned and the next call
// uses a fresh token.
//
// # Server metadata, Flyte 1 and Flyte 2
//
// [RemoteConfigStore] speaks both generations of the AuthMetadataService:
// flyteidl.service (flyteadmin, with its REST routes) and flyteidl2.auth
// (Flyte 2). It detects the generation once ([APIAuto], or pinned with
// [WithAPI]) and reports it in [ClientConfig.API]; the answer is bounded,
// validated, cached per stack and, with [WithPublicConfigCache], kept in
// flyte-sdk's cache file. [Authenticator.ForEndpoint] shares one
// Authenticator's credentials with another endpoint, such as a Flyte 2 data
// plane ([ClientConfig.DataplaneDomain]).
//
// # Flows
//
// Client secret (the client-credentials grant), external command, PKCE in a
// browser and the device flow (RFC 8628), plus [StaticToken] or any
// [TokenSource] through [WithTokenSource]. With authType Passthrough the
// token is each request's own, put in its context with
// [WithPassthroughToken], never fetched, cached or refreshed. Interactive flows refresh with the
// refresh token before they ask a person again, never start a login from a
// background refresh, and keep tokens in a [TokenStore] (files by default;
// the OS keyring with a file fallback when the program passes [WithKeyring];
// see docs/login.md). Client-secret and command tokens stay in memory.
//
// The OS keyring and the browser launcher live in packages of their own,
// [github.com/authwire/authwire/authn/oskeyring] and
// [github.com/authwire/authwire/authn/browser], so that a program that
// only uses a client secret or a command does not link them (nor D-Bus).
// A program that logs users in passes them:
//
//	authn.WithKeyring(oskeyring.Keyring{}), authn.WithBrowser(browser.Open)
//
// # Bounds
//
// One token fetch, shared by every caller that waits for it, is bounded by
// [WithFetchTimeout]; a fetch still running at the bound is abandoned and
// the next call starts a new one. Each token, refresh, code exchange, device
// authorization and device poll request is bounded by one minute; a device login by
// deviceFlowConfig.timeout and the code's expires_in, with at most one
// minute between polls; answers read during a device login by 1 MiB. The
// process-wide lock that keeps two stacks from logging in to one endpoint
// at once is held no longer than the login's own bound. A non-positive
// expires_in means an unknown expiry (the JWT exp decides, else the token
// is used until the server rejects it), and a token is reused for at least
// ten seconds, so a server cannot make every call fetch a token.
package authn
