package transport_test

import (
	"errors"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/transport"
)

func TestInterceptorMakesWireErrorsAuthwireErrors(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	c := newClient(t, platform(srv))
	for _, p := range protocols {
		tc := authtest.NewTestClient(c, srv.URL(), append(p.opts, connect.WithInterceptors(transport.Interceptor()))...)
		srv.FailNext(1, connect.CodeNotFound)
		_, err := tc.Unary.CallUnary(t.Context(), connect.NewRequest(wrapperspb.String("x")))
		if !errors.Is(err, errs.ErrNotFound) || connect.CodeOf(err) != connect.CodeNotFound || errs.KindOf(err) != errs.KindEntityNotExist {
			t.Errorf("%s unary: %v", p.name, err)
		}
		if _, ok := errors.AsType[*errs.Error](err); !ok {
			t.Errorf("%s unary: no *errs.Error in %v", p.name, err)
		}
		srv.FailNext(1, connect.CodeAlreadyExists)
		s, err := tc.ServerStream.CallServerStream(t.Context(), connect.NewRequest(wrapperspb.String("x")))
		if err == nil {
			for s.Receive() {
			}
			err = s.Err()
			s.Close()
		}
		if !errors.Is(err, errs.ErrAlreadyExists) || connect.CodeOf(err) != connect.CodeAlreadyExists {
			t.Errorf("%s server stream: %v", p.name, err)
		}
	}
}
