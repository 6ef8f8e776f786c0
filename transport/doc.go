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
// and timeout policy applies to them as to RPCs.
//
// [WithCredentialsFrom] builds a stack on another stack's credentials (a
// Flyte 2 data plane with the control plane's token); [ServerConfig] reports
// what the server published, including which AuthMetadataService generation
// answered.
//
// It replaces flytekit's get_channel ([Base]), bootstrap_creds_from_server
// ([BootstrapTLS]), get_session ([Session]) and get_authenticated_channel
// ([New], [NewClient]).
package transport
