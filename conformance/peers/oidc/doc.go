// Package oidc runs authwire against panva oidc-provider (the npm package
// pinned in conformance/npm), an independent OAuth 2.0 authorization
// server: client_credentials with client_secret_basic and
// client_secret_post, refresh tokens, the authorization code grant with
// PKCE S256 (login and consent forms completed by a scripted browser), the
// device authorization grant (approval completed the same way), and RFC
// 8414 discovery through a Flyte-like resource server.
//
// The tests start the provider (node conformance/npm/oidc-provider.mjs) on
// a free loopback port, over TLS with a throwaway CA, and stop it by PID
// when they end. They need node on PATH and run "npm ci" in conformance/npm
// when its node_modules folder is missing.
package oidc
