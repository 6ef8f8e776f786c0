// Package proxyauth is the proxy layer of the authwire stack: it sends
// "Proxy-Authorization: Bearer <token>" to the endpoint's host (and hosts
// the user lists), for authenticating proxies such as IAP or oauth2-proxy in
// front of a Flyte cluster.
//
// It replaces flytekit's get_proxy_authenticator ([New]) and
// upgrade_channel_to_proxy_authenticated / upgrade_session_to_proxy_authenticated
// ([Wrap], one layer for RPCs and for the session's token and metadata calls
// alike — so the endpoint's own /oauth2/token gets the header too, flyte#6089).
//
// The proxy token is fetched once and cached until its JWT exp (or a TTL),
// attached from the first request, refreshed single-flight when the proxy
// answers 407 (or a 401 that is the proxy's), and never fetched per call: a
// proxy command runs once per credential lifetime whatever the call rate.
package proxyauth
