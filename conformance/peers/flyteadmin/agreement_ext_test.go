package flyteadmin_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/flyteorg/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/conformance/peers/flyteadmin"
	"github.com/authwire/authwire/conformance/peers/peertest"
	"github.com/authwire/authwire/conformance/peers/pki"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/transport"
)

var certs *pki.Files

func TestMain(m *testing.M) { os.Exit(pki.Main(m, "authwire-flyteadmin-", &certs)) }

// A target is a server the scenarios run against: the real-IDL server or
// authtest in the matching shape.
type target interface {
	platform() *config.Platform
	call(ctx context.Context, c *http.Client, protocol string) error
	counts() counts
	reset()
	revokeAll()
	rejectAll()
	failNext(code connect.Code)
}

// counts is what a scenario observes.
type counts struct {
	Attempts      int64
	TokenRequests int64
	Metadata      int64
}

// admin is the real-IDL server.
type adminTarget struct{ s *flyteadmin.Server }

func (a adminTarget) platform() *config.Platform {
	return &config.Platform{Endpoint: a.s.Endpoint(), CACertFilePath: certs.CAFile, AuthType: config.AuthClientSecret, ClientID: a.s.ClientID(), ClientSecret: a.s.ClientSecret()}
}

func (a adminTarget) call(ctx context.Context, c *http.Client, protocol string) error {
	if protocol == "rest" {
		return rest(ctx, c, a.s.URL()+flyteadmin.ProjectsPath, `"flytesnacks"`)
	}
	client := connect.NewClient[admin.ProjectListRequest, admin.Projects](c, a.s.URL()+flyteadmin.ListProjectsProcedure, connect.WithGRPC(), connect.WithCodec(legacyProto{}))
	resp, err := client.CallUnary(ctx, connect.NewRequest(&admin.ProjectListRequest{}))
	if err != nil {
		return err
	}
	if p := resp.Msg.GetProjects(); len(p) != 1 || p[0].GetId() != "flytesnacks" {
		return fmt.Errorf("ListProjects answered %v", p)
	}
	return nil
}

func (a adminTarget) counts() counts {
	c := a.s.Counters()
	return counts{Attempts: c.Attempts, TokenRequests: c.TokenRequests, Metadata: c.Metadata}
}
func (a adminTarget) reset()                     { a.s.Reset() }
func (a adminTarget) revokeAll()                 { a.s.RevokeAll() }
func (a adminTarget) rejectAll()                 { a.s.RejectAll(true) }
func (a adminTarget) failNext(code connect.Code) { a.s.FailNext(codes.Code(code)) }

// authtestTarget is the fake server.
type authtestTarget struct{ s *authtest.Server }

func (a authtestTarget) platform() *config.Platform {
	return &config.Platform{Endpoint: a.s.Endpoint(), CACertFilePath: a.s.CAFile(), AuthType: config.AuthClientSecret, ClientID: a.s.ClientID(), ClientSecret: a.s.ClientSecret()}
}

func (a authtestTarget) call(ctx context.Context, c *http.Client, protocol string) error {
	if protocol == "rest" {
		return rest(ctx, c, a.s.URL()+"/api/v1/echo?msg=flytesnacks", `"flytesnacks"`)
	}
	resp, err := authtest.NewTestClient(c, a.s.URL(), connect.WithGRPC()).Unary.CallUnary(ctx, connect.NewRequest(wrapperspb.String("flytesnacks")))
	if err != nil {
		return err
	}
	if resp.Msg.GetValue() != "flytesnacks" {
		return fmt.Errorf("Unary answered %q", resp.Msg.GetValue())
	}
	return nil
}

func (a authtestTarget) counts() counts {
	c := a.s.Counters()
	return counts{Attempts: c.Attempts, TokenRequests: c.TokenRequests, Metadata: c.GetOAuth2Metadata + c.GetPublicClientConfig + c.WellKnown + c.FlyteClient}
}
func (a authtestTarget) reset()                     { a.s.Reset() }
func (a authtestTarget) revokeAll()                 { a.s.RevokeAll() }
func (a authtestTarget) rejectAll()                 { a.s.RejectAll(true) }
func (a authtestTarget) failNext(code connect.Code) { a.s.FailNext(1, code) }

// rest GETs url and checks the answer mentions want; failures become the
// error errs maps the response to.
func rest(ctx context.Context, c *http.Client, url, want string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	body, err := peertest.Do(c, req)
	if err != nil {
		return err
	}
	if !strings.Contains(string(body), want) {
		return fmt.Errorf("answer %.200s lacks %s", body, want)
	}
	return nil
}

// legacyProto lets a connect client carry the APIv1 messages that
// flyteidl v1.5.21 generates.
type legacyProto struct{}

func (legacyProto) Name() string { return "proto" }
func (legacyProto) Marshal(m any) ([]byte, error) {
	return proto.Marshal(protoadapt.MessageV2Of(m.(protoadapt.MessageV1)))
}
func (legacyProto) Unmarshal(b []byte, m any) error {
	return proto.Unmarshal(b, protoadapt.MessageV2Of(m.(protoadapt.MessageV1)))
}

// outcome is what a scenario observed.
type outcome struct {
	Counts counts
	Codes  []string
}

// A scenario runs against a target through a stack it builds, and states
// the outcome authwire must have against any Flyte server.
type scenario struct {
	name string
	run  func(t *testing.T, tg target, protocol string) outcome
	want outcome
}

func newStack(t *testing.T, tg target) *http.Client {
	t.Helper()
	c, err := transport.NewClient(t.Context(), tg.platform())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func code(err error) string {
	if err == nil {
		return "ok"
	}
	var ce *connect.Error
	if errors.As(err, &ce) && errs.CodeOf(err) != errs.Code(ce.Code()) {
		return "errs:" + errs.CodeOf(err).String() + "/connect:" + ce.Code().String()
	}
	return errs.CodeOf(err).String()
}

var mapped = []connect.Code{connect.CodeNotFound, connect.CodeAlreadyExists, connect.CodeInvalidArgument, connect.CodePermissionDenied}

var scenarios = []scenario{
	{
		// The token comes from the endpoint the server's metadata names.
		name: "cold-start",
		run: func(t *testing.T, tg target, p string) outcome {
			c := newStack(t, tg)
			result := code(tg.call(t.Context(), c, p))
			return outcome{tg.counts(), []string{result}}
		},
		want: outcome{counts{Attempts: 1, TokenRequests: 1, Metadata: 2}, []string{"ok"}},
	},
	{
		// A revoked token is recovered in two attempts and one token request.
		name: "revocation-recovery",
		run: func(t *testing.T, tg target, p string) outcome {
			c := newStack(t, tg)
			if err := tg.call(t.Context(), c, p); err != nil {
				t.Fatal(err)
			}
			tg.revokeAll()
			tg.reset()
			result := code(tg.call(t.Context(), c, p))
			return outcome{tg.counts(), []string{result}}
		},
		want: outcome{counts{Attempts: 2, TokenRequests: 1}, []string{"ok"}},
	},
	{
		// A server that rejects every token costs two attempts.
		name: "always-reject",
		run: func(t *testing.T, tg target, p string) outcome {
			tg.rejectAll()
			c := newStack(t, tg)
			result := code(tg.call(t.Context(), c, p))
			return outcome{tg.counts(), []string{result}}
		},
		want: outcome{counts{Attempts: 2, TokenRequests: 2, Metadata: 2}, []string{"unauthenticated"}},
	},
	{
		// Service errors keep their codes and are not retried.
		name: "error-mapping",
		run: func(t *testing.T, tg target, p string) outcome {
			c := newStack(t, tg)
			if err := tg.call(t.Context(), c, p); err != nil {
				t.Fatal(err)
			}
			tg.reset()
			var codes []string
			for _, cd := range mapped {
				tg.failNext(cd)
				codes = append(codes, code(tg.call(t.Context(), c, p)))
			}
			return outcome{tg.counts(), codes}
		},
		want: outcome{counts{Attempts: 4}, []string{"not_found", "already_exists", "invalid_argument", "permission_denied"}},
	},
}

// TestAgreesWithAuthtest runs each scenario against the real-IDL server in
// both of flyteadmin's shapes, and against authtest in the same wire shape
// (Trailers-Only for grpc-go's own transport, status in trailers for the
// single-port mode): authwire must behave the same against both, and as
// the scenario states.
func TestAgreesWithAuthtest(t *testing.T) {
	t.Parallel()
	for _, mode := range []flyteadmin.Mode{flyteadmin.Native, flyteadmin.SinglePort} {
		protocols := []string{"grpc"}
		var shape []authtest.Option
		if mode == flyteadmin.Native {
			shape = append(shape, authtest.WithTrailersOnly())
		} else {
			protocols = append(protocols, "rest")
		}
		for _, p := range protocols {
			for _, sc := range scenarios {
				t.Run(fmt.Sprintf("%s/%s/%s", mode, p, sc.name), func(t *testing.T) {
					t.Parallel()
					srv, err := flyteadmin.Start(mode, certs.CertFile, certs.KeyFile)
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(srv.Close)
					real := sc.run(t, adminTarget{srv}, p)
					fake := sc.run(t, authtestTarget{authtest.New(t, shape...)}, p)
					if diff := cmp.Diff(sc.want, real); diff != "" {
						t.Errorf("against the real-IDL server (-want +got):\n%s", diff)
					}
					if diff := cmp.Diff(fake, real); diff != "" {
						t.Errorf("real-IDL server differs from authtest (-authtest +real):\n%s", diff)
					}
				})
			}
		}
	}
}
