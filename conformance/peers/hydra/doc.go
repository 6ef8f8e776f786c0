// Package hydra runs authwire against Ory Hydra, a strict OAuth 2.0
// authorization server: it enforces the client authentication method each
// client is registered with, requires form-encoded HTTP Basic credentials,
// rotates refresh tokens and requires PKCE from public clients.
//
// Hydra is built from the module in build/ (its own go.mod, so its large
// module graph never reaches the conformance module) with -tags sqlite and
// cached, keyed by version, under the user cache directory
// ($XDG_CACHE_HOME or ~/.cache)/authwire-conformance/hydra-VERSION/hydra,
// or at $AUTHWIRE_HYDRA_BIN. When the binary is missing the tests build it
// if AUTHWIRE_HYDRA_BUILD=1 (run.sh sets it; a cold build takes minutes)
// and are skipped otherwise, saying so.
//
// The tests run Hydra with DSN=memory on two free loopback ports (public and
// admin API, TLS with a throwaway CA), accept logins and consents through
// its admin API from a small login app, and stop it by PID.
package hydra
