package idl_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/internal/idl"
)

// newMetadataServer serves both RPCs over TLS with HTTP/2; GetOAuth2Metadata
// fails with a detail when the request carries the header "x-fail".
func newMetadataServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(idl.GetOAuth2MetadataProcedure, connect.NewUnaryHandler(idl.GetOAuth2MetadataProcedure,
		func(_ context.Context, req *connect.Request[idl.Empty]) (*connect.Response[idl.OAuth2Metadata], error) {
			if req.Header().Get("x-fail") != "" {
				err := connect.NewError(connect.CodeUnavailable, errors.New("down"))
				detail, derr := connect.NewErrorDetail(wrapperspb.String("detail"))
				if derr != nil {
					return nil, derr
				}
				err.AddDetail(detail)
				return nil, err
			}
			m := metadataFixture()
			return connect.NewResponse(&m), nil
		}, idl.CodecOptions()))
	mux.Handle(idl.GetPublicClientConfigProcedure, connect.NewUnaryHandler(idl.GetPublicClientConfigProcedure,
		func(context.Context, *connect.Request[idl.Empty]) (*connect.Response[idl.PublicClientConfig], error) {
			c := clientFixture()
			return connect.NewResponse(&c), nil
		}, idl.CodecOptions()))
	srv := httptest.NewUnstartedServer(mux)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func TestCodecOverEveryProtocol(t *testing.T) {
	t.Parallel()
	srv := newMetadataServer(t)
	protocols := map[string]connect.ClientOption{
		"connect":  connect.WithClientOptions(),
		"grpc":     connect.WithGRPC(),
		"grpc-web": connect.WithGRPCWeb(),
	}
	codecs := map[string]connect.ClientOption{
		"proto": connect.WithClientOptions(),
		"json":  idl.WithJSON(),
	}
	for pname, protocol := range protocols {
		for cname, codec := range codecs {
			t.Run(pname+"/"+cname, func(t *testing.T) {
				t.Parallel()
				meta := connect.NewClient[idl.Empty, idl.OAuth2Metadata](srv.Client(), srv.URL+idl.GetOAuth2MetadataProcedure,
					idl.CodecOptions(), codec, protocol)
				res, err := meta.CallUnary(t.Context(), connect.NewRequest(&idl.Empty{}))
				if err != nil {
					t.Fatalf("GetOAuth2Metadata: %v", err)
				}
				if diff := cmp.Diff(metadataFixture(), *res.Msg); diff != "" {
					t.Errorf("metadata (-want +got):\n%s", diff)
				}
				if got := res.Header().Get("Content-Type"); strings.Contains(got, "json") != (cname == "json") {
					t.Errorf("Content-Type = %q for the %s codec", got, cname)
				}

				cfg := connect.NewClient[idl.Empty, idl.PublicClientConfig](srv.Client(), srv.URL+idl.GetPublicClientConfigProcedure,
					idl.CodecOptions(), codec, protocol)
				cres, err := cfg.CallUnary(t.Context(), connect.NewRequest(&idl.Empty{}))
				if err != nil {
					t.Fatalf("GetPublicClientConfig: %v", err)
				}
				if diff := cmp.Diff(clientFixture(), *cres.Msg); diff != "" {
					t.Errorf("client config (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestCodecCarriesErrorDetails(t *testing.T) {
	t.Parallel()
	srv := newMetadataServer(t)
	for name, protocol := range map[string]connect.ClientOption{
		"connect": connect.WithClientOptions(), "grpc": connect.WithGRPC(), "grpc-web": connect.WithGRPCWeb(),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			client := connect.NewClient[idl.Empty, idl.OAuth2Metadata](srv.Client(), srv.URL+idl.GetOAuth2MetadataProcedure,
				idl.CodecOptions(), protocol)
			req := connect.NewRequest(&idl.Empty{})
			req.Header().Set("x-fail", "1")
			_, err := client.CallUnary(t.Context(), req)
			var cerr *connect.Error
			if !errors.As(err, &cerr) {
				t.Fatalf("error %v is not a *connect.Error", err)
			}
			if cerr.Code() != connect.CodeUnavailable {
				t.Errorf("code = %v, want %v (error %v)", cerr.Code(), connect.CodeUnavailable, err)
			}
			details := cerr.Details()
			if len(details) != 1 {
				t.Fatalf("got %d details, want 1", len(details))
			}
			v, err := details[0].Value()
			if err != nil {
				t.Fatalf("detail value: %v", err)
			}
			if s, ok := v.(*wrapperspb.StringValue); !ok || s.GetValue() != "detail" {
				t.Errorf("detail = %v, want StringValue \"detail\"", v)
			}
		})
	}
}

func TestCodecRejectsOtherTypes(t *testing.T) {
	t.Parallel()
	// A handler whose request type the codecs do not know answers with a
	// clear error instead of decoding anything.
	type other struct{ X string }
	mux := http.NewServeMux()
	const procedure = "/x.Y/Z"
	mux.Handle(procedure, connect.NewUnaryHandler(procedure,
		func(context.Context, *connect.Request[other]) (*connect.Response[idl.Empty], error) {
			return connect.NewResponse(&idl.Empty{}), nil
		}, idl.CodecOptions()))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	client := connect.NewClient[idl.Empty, idl.Empty](srv.Client(), srv.URL+procedure, idl.CodecOptions())
	_, err := client.CallUnary(t.Context(), connect.NewRequest(&idl.Empty{}))
	if err == nil || !strings.Contains(err.Error(), "not an AuthMetadataService message") {
		t.Errorf("error = %v, want one naming the unsupported type", err)
	}

	badClient := connect.NewClient[other, idl.Empty](srv.Client(), srv.URL+procedure, idl.CodecOptions(), idl.WithJSON())
	_, err = badClient.CallUnary(t.Context(), connect.NewRequest(&other{X: "x"}))
	if err == nil || !strings.Contains(err.Error(), "not an AuthMetadataService message") {
		t.Errorf("error = %v, want one naming the unsupported type", err)
	}
}
