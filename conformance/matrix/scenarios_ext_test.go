package matrix_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"connectrpc.com/connect"
	connectv2 "connectrpc.com/connect/v2"

	"github.com/authwire/authwire/errs"
)

// outcome is what a scenario observed: the server's counters over the
// measured part, and the code each measured call ended with ("ok" for
// success), in call order.
type outcome struct {
	Counts counts
	Codes  []string
}

// A scenario is one situation the stack must handle, with the outcome it
// predicts for each row.
type scenario struct {
	name string
	// applies reports whether the scenario makes sense for the row; nil
	// means every row.
	applies func(r row) bool
	// authRequired gives authNone rows a server that requires tokens instead
	// of a sandbox one.
	authRequired bool
	// versioned runs the scenario with connect-go v2 clients as well as v1:
	// where the client's version matters (the codes of the stack's own
	// errors and of wire errors, the interceptor, replays).
	versioned bool
	run       func(e *env) outcome
	want      func(r row) outcome
}

// mappedCodes are the failures the error-mapping scenario injects; each
// must reach the caller with its own code, unretried.
var mappedCodes = []connect.Code{
	connect.CodeNotFound,
	connect.CodeAlreadyExists,
	connect.CodeInvalidArgument,
	connect.CodePermissionDenied,
	connect.CodeUnimplemented,
}

var scenarios = []scenario{
	{
		// A fresh stack: concurrent first calls share one metadata round, one
		// token and one proxy token. A lazy stack sends its first call bare.
		name: "cold-start",
		run: func(e *env) outcome {
			e.connect()
			n := 4
			if e.row.auth == authLazy {
				n = 1
			}
			codes := make([]string, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { codes[i] = e.code(e.call()) })
			}
			wg.Wait()
			return e.observe(codes)
		},
		want: func(r row) outcome {
			c := fetched(r, 1)
			c.ProxyRuns = proxyRuns(r)
			c.Metadata = metadata(r)
			c.Logins = logins(r)
			if r.auth == authLazy {
				c.Attempts = 2 // the bare first try, then the replay with a token
				return outcome{Counts: c, Codes: []string{"ok"}}
			}
			c.Attempts = 4
			return outcome{Counts: c, Codes: repeat("ok", 4)}
		},
	},
	{
		// A warm stack makes calls and nothing else: no token request, no
		// command, no metadata.
		name: "steady-state",
		run: func(e *env) outcome {
			e.connect()
			e.mustCall()
			e.srv.Reset()
			var codes []string
			for range 10 {
				codes = append(codes, e.code(e.call()))
			}
			return e.observe(codes)
		},
		want: func(row) outcome {
			return outcome{Counts: counts{Attempts: 10}, Codes: repeat("ok", 10)}
		},
	},
	{
		// The server revokes every token: the next call is rejected once,
		// refreshes once and succeeds on the replay.
		name:      "revocation-recovery",
		versioned: true,
		run: func(e *env) outcome {
			e.connect()
			e.mustCall()
			e.srv.RevokeAll()
			e.srv.Reset()
			return e.observe([]string{e.code(e.call())})
		},
		want: func(r row) outcome {
			c := fetched(r, 1)
			c.Attempts = 2
			if r.auth == authNone {
				c.Attempts = 1
			}
			return outcome{Counts: c, Codes: []string{"ok"}}
		},
	},
	{
		// A server that rejects every token costs at most two calls and two
		// credential fetches per user call (flytekit: 16), and the caller
		// sees Unauthenticated.
		name:         "always-reject",
		versioned:    true,
		authRequired: true,
		run: func(e *env) outcome {
			e.srv.RejectAll(true)
			e.connect()
			return e.observe([]string{e.code(e.call())})
		},
		want: func(r row) outcome {
			var c counts
			switch r.auth {
			case authSecret, authCommand, authPKCE, authDevice:
				// The second fetch of a login flow is a refresh, not a login.
				c = fetched(r, 2)
				c.Attempts = 2
			case authLazy:
				c = fetched(r, 1)
				c.Attempts = 2
			case authNone:
				c.Attempts = 1
			}
			c.ProxyRuns = proxyRuns(r)
			c.Metadata = metadata(r)
			c.Logins = logins(r)
			return outcome{Counts: c, Codes: []string{"unauthenticated"}}
		},
	},
	{
		// The proxy stops accepting its token: the proxy command runs once
		// more, the call is replayed and succeeds; the bearer token is kept.
		name:    "proxy-rejection",
		applies: func(r row) bool { return r.proxy.on },
		run: func(e *env) outcome {
			e.connect()
			e.mustCall()
			e.srv.RevokeProxyTokens()
			e.srv.Reset()
			return e.observe([]string{e.code(e.call())})
		},
		want: func(row) outcome {
			return outcome{Counts: counts{Attempts: 1, ProxyRuns: 1, ProxyRejected: 1}, Codes: []string{"ok"}}
		},
	},
	{
		// Service errors reach the caller with their code, for every
		// protocol, once each: none is retried or taken for an auth failure.
		name:      "error-mapping",
		versioned: true,
		run: func(e *env) outcome {
			e.connect()
			e.mustCall()
			e.srv.Reset()
			var codes []string
			for _, code := range mappedCodes {
				e.srv.FailNext(1, code)
				codes = append(codes, e.code(e.call()))
			}
			return e.observe(codes)
		},
		want: func(row) outcome {
			var codes []string
			for _, c := range mappedCodes {
				codes = append(codes, c.String())
			}
			return outcome{Counts: counts{Attempts: int64(len(mappedCodes))}, Codes: codes}
		},
	},
	{
		// Unavailable is retried (up to maxRetries, 3) for idempotent calls
		// only: two failures then success costs three calls; a persistent
		// failure costs 1+3 calls. A non-idempotent call is tried once.
		name:      "retries",
		versioned: true,
		run: func(e *env) outcome {
			e.connect()
			e.mustCall()
			e.srv.Reset()
			e.srv.FailNext(2, connect.CodeUnavailable)
			codes := []string{e.code(e.call())}
			e.srv.FailNext(10, connect.CodeUnavailable)
			codes = append(codes, e.code(e.call()))
			e.srv.FailNext(0, connect.CodeUnavailable)
			return e.observe(codes)
		},
		want: func(r row) outcome {
			if r.call.idempotent {
				return outcome{Counts: counts{Attempts: 3 + 4}, Codes: []string{"ok", "unavailable"}}
			}
			return outcome{Counts: counts{Attempts: 2}, Codes: []string{"unavailable", "unavailable"}}
		},
	},
	{
		// The credential cannot be had (the token endpoint answers
		// invalid_client, the command fails): the call fails with
		// Unauthenticated after one try, without reaching the service with a
		// token, and the error does not leak the secret.
		name:      "credential-failure",
		versioned: true,
		applies:   func(r row) bool { return r.auth != authNone },
		run: func(e *env) outcome {
			switch e.row.auth {
			case authCommand:
				e.cfg.Command = failCommand("please log in")
			default:
				e.srv.FailTokenRequests(100, http.StatusUnauthorized, `{"error":"invalid_client","error_description":"unknown client"}`)
			}
			e.connect()
			err := e.call()
			if err != nil && e.cfg.ClientSecret != "" && strings.Contains(err.Error(), e.cfg.ClientSecret) {
				e.t.Errorf("the error leaks the client secret: %v", err)
			}
			if err != nil && e.row.auth == authCommand && !strings.Contains(err.Error(), "please log in") {
				e.t.Errorf("the error does not carry the command's stderr: %v", err)
			}
			return e.observe([]string{e.code(err)})
		},
		want: func(r row) outcome {
			c := counts{ProxyRuns: proxyRuns(r), Metadata: metadata(r), Logins: logins(r)}
			switch r.auth {
			case authSecret, authPKCE, authDevice:
				c.TokenRequests = 1
			case authLazy:
				c.TokenRequests, c.Attempts = 1, 1
			}
			return outcome{Counts: c, Codes: []string{"unauthenticated"}}
		},
	},
}

// observe returns the outcome of the measured part: the counters since the
// last reset and the codes.
func (e *env) observe(codes []string) outcome {
	return outcome{Counts: countsOf(e.srv.Counters()), Codes: codes}
}

// fetched is the credential fetches of n logins for r's authentication.
func fetched(r row, n int64) counts {
	switch r.auth {
	case authSecret, authLazy, authPKCE, authDevice:
		return counts{TokenRequests: n}
	case authCommand:
		return counts{CommandRuns: n}
	}
	return counts{}
}

// logins is how many logins a fresh stack starts: one for login flows.
func logins(r row) int64 {
	if r.auth.interactive() {
		return 1
	}
	return 0
}

// proxyRuns is how often a fresh stack runs the proxy command: once.
func proxyRuns(r row) int64 {
	if r.proxy.on {
		return 1
	}
	return 0
}

// metadata is how many AuthMetadataService calls a fresh stack makes: one
// GetOAuth2Metadata and one GetPublicClientConfig, unless it never needs a
// token.
func metadata(r row) int64 {
	if r.auth == authNone {
		return 0
	}
	return 2
}

// code returns codeOf(err) and keeps err for the case's failure report.
func (e *env) code(err error) string {
	if err != nil {
		e.mu.Lock()
		e.errors = append(e.errors, err.Error())
		e.mu.Unlock()
	}
	return codeOf(err)
}

// codeOf names the code err carries ("ok" for nil). errs.CodeOf and, for
// connect clients, v1's and v2's connect.CodeOf must agree; when they do
// not, all are named so the case fails visibly.
func codeOf(err error) string {
	if err == nil {
		return "ok"
	}
	ec := errs.CodeOf(err)
	ce1, ok1 := errors.AsType[*connect.Error](err)
	ce2, ok2 := errors.AsType[*connectv2.Error](err)
	if ok1 && connect.Code(ec) != ce1.Code() || ok2 && connectv2.Code(ec) != ce2.Code() {
		return fmt.Sprintf("errs:%v/connect-v1:%v(%t)/connect-v2:%v(%t)", ec, ce1.Code(), ok1, ce2.Code(), ok2)
	}
	return ec.String()
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}
