package suite

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/transport"
)

// Clients of the refresh storm besides Authwire.
const (
	// OAuth2Reuse is x/oauth2's Transport over a client-credentials
	// ReuseTokenSource, which has no way to drop a rejected token.
	OAuth2Reuse Client = "oauth2-reuse"
	// OAuth2Renew is the usual workaround: on a 401, build a new token
	// source and send the call once more (Connect protocol only: a gRPC
	// rejection is not visible to a RoundTripper that does not look for it).
	OAuth2Renew Client = "oauth2-new-source-per-401"
)

// Stormer makes the concurrent calls of a refresh storm against an
// authtest server, through one client.
type Stormer struct {
	srv  *authtest.Server
	tc   *authtest.TestClient
	http *http.Client
}

// StormPlatform is the configuration a user would write for srv.
func StormPlatform(srv *authtest.Server) *config.Platform {
	return &config.Platform{
		Endpoint:       srv.Endpoint(),
		Insecure:       strings.HasPrefix(srv.URL(), "http://"),
		CACertFilePath: srv.CAFile(),
		AuthType:       config.AuthClientSecret,
		ClientID:       srv.ClientID(),
		ClientSecret:   srv.ClientSecret(),
	}
}

// NewStormer builds client c (Authwire, OAuth2Reuse or OAuth2Renew) for
// protocol p against srv and makes one call, so the token is cached.
func NewStormer(ctx context.Context, srv *authtest.Server, c Client, p Protocol) (*Stormer, error) {
	var rt http.RoundTripper
	switch c {
	case Authwire:
		var err error
		if rt, err = transport.New(ctx, StormPlatform(srv)); err != nil {
			return nil, err
		}
	case OAuth2Reuse, OAuth2Renew:
		base, err := transport.Base(StormPlatform(srv))
		if err != nil {
			return nil, err
		}
		cc := &clientcredentials.Config{ClientID: srv.ClientID(), ClientSecret: srv.ClientSecret(), TokenURL: srv.TokenURL()}
		tokenCtx := context.WithValue(context.WithoutCancel(ctx), oauth2.HTTPClient, &http.Client{Transport: base})
		if c == OAuth2Reuse {
			rt = &oauth2.Transport{Source: cc.TokenSource(tokenCtx), Base: base}
		} else {
			if p != Connect {
				return nil, fmt.Errorf("suite: %s works with the Connect protocol only", c)
			}
			rt = newRenewing(tokenCtx, cc, base)
		}
	default:
		return nil, fmt.Errorf("suite: no storm client %s", c)
	}
	hc := &http.Client{Transport: rt}
	s := &Stormer{srv: srv, tc: authtest.NewTestClient(hc, srv.URL(), protocolOptions(p)...), http: hc}
	if err := s.call(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close releases the client's connections.
func (s *Stormer) Close() { s.http.CloseIdleConnections() }

func (s *Stormer) call(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	_, err := s.tc.Unary.CallUnary(ctx, connect.NewRequest(wrapperspb.String("storm")))
	return err
}

// StormResult is what one storm did.
type StormResult struct {
	Calls         int
	Recovered     int   // calls that succeeded
	TokenRequests int64 // token endpoint hits during the storm
	Wall          time.Duration
	FirstError    error
}

// Storm makes n calls at once. With revoke, every access token issued so
// far is revoked just before, so every call meets a rejection of the token
// the client holds.
func (s *Stormer) Storm(ctx context.Context, n int, revoke bool) StormResult {
	s.srv.Reset()
	if revoke {
		s.srv.RevokeAll()
	}
	var (
		ok       atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			if err := s.call(ctx); err != nil {
				errOnce.Do(func() { firstErr = err })
				return
			}
			ok.Add(1)
		})
	}
	began := time.Now()
	close(start)
	wg.Wait()
	return StormResult{
		Calls:         n,
		Recovered:     int(ok.Load()),
		TokenRequests: s.srv.Counters().TokenRequests,
		Wall:          time.Since(began),
		FirstError:    firstErr,
	}
}

// renewing is x/oauth2's Transport with the usual 401 workaround: a new
// token source, and the call sent once more.
type renewing struct {
	ctx  context.Context
	cc   *clientcredentials.Config
	base http.RoundTripper
	cur  atomic.Pointer[oauth2.Transport]
}

func newRenewing(ctx context.Context, cc *clientcredentials.Config, base http.RoundTripper) *renewing {
	r := &renewing{ctx: ctx, cc: cc, base: base}
	r.cur.Store(&oauth2.Transport{Source: cc.TokenSource(ctx), Base: base})
	return r
}

func (r *renewing) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.cur.Load().RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || req.GetBody == nil {
		return resp, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	next := &oauth2.Transport{Source: r.cc.TokenSource(r.ctx), Base: r.base}
	r.cur.Store(next)
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	again := req.Clone(req.Context())
	again.Body = body
	return next.RoundTrip(again)
}
