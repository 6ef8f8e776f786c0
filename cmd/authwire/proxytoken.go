package main

import (
	"context"
	"sync"
	"time"

	"github.com/authwire/authwire/proxyauth"
)

// reusedProxyToken runs the proxy command for the doctor's proxy check and
// hands the same token to the proxy layers of the doctor's session and of
// the stack, once each, so that one doctor run costs one command run (a
// proxy command may open a browser). Every later fetch, after the proxy
// rejected a token or it expired, runs the command again.
type reusedProxyToken struct {
	src proxyauth.TokenSource

	mu   sync.Mutex
	tok  string
	exp  time.Time
	left int // callers that still get tok before the command runs again
}

var _ proxyauth.TokenSource = (*reusedProxyToken)(nil)

func (r *reusedProxyToken) Token(ctx context.Context) (string, time.Time, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.left > 0 {
		r.left--
		return r.tok, r.exp, nil
	}
	tok, exp, err := r.src.Token(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	r.tok, r.exp, r.left = tok, exp, 2
	return tok, exp, nil
}
