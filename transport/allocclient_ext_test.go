package transport_test

import (
	"context"
	"net/http"
	"testing"

	"connectrpc.com/connect"
	"connectrpc.com/connect/v2/connecthttp"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/authtest"
)

// TestClientAllocationBudget holds connect-go v1 and v2 clients to the
// stack's allocation budget: a successful call through the whole stack
// allocates at most allocBudget objects more than the same call through the
// bare next hop. Not parallel: allocation counters are process-wide. It
// does not run under the race detector, which empties connect-go's buffer
// pools (sync.Pool) at random and so makes a client's count vary by one or
// two from run to run; the stack's own count is checked under -race by
// TestStackAllocationBudget.
func TestClientAllocationBudget(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector empties connect-go's sync.Pool buffers at random")
	}
	const baseURL = "https://flyte.example.com"
	const msg = "sixteen bytes ok" // what the canned responses hold
	clients := []struct {
		name string
		call func(c *http.Client, grpc bool) func() error
	}{
		{"v1", func(c *http.Client, grpc bool) func() error {
			var opts []connect.ClientOption
			if grpc {
				opts = append(opts, connect.WithGRPC())
			}
			tc := authtest.NewTestClient(c, baseURL, opts...)
			return func() error {
				_, err := tc.Unary.CallUnary(context.Background(), connect.NewRequest(wrapperspb.String(msg)))
				return err
			}
		}},
		{"v2", func(c *http.Client, grpc bool) func() error {
			var opts []connecthttp.Option
			if grpc {
				opts = append(opts, connecthttp.WithGRPC())
			}
			tc := authtest.NewTestClientV2(c, baseURL, opts)
			return func() error {
				_, err := tc.Unary(context.Background(), msg)
				return err
			}
		}},
	}
	for _, cl := range clients {
		for _, ac := range allocCases() {
			grpc := ac.name == "grpc-unary"
			if !grpc && ac.name != "connect-unary" {
				continue
			}
			t.Run(cl.name+"/"+ac.name, func(t *testing.T) {
				bareAllocs, bareBytes := costOf(t, cl.call(&http.Client{Transport: ac.stub}, grpc))
				allocs, bytes := costOf(t, cl.call(&http.Client{Transport: fullStack(t, ac.stub)}, grpc))
				t.Logf("client over the stack: +%d allocs/op, +%d B/op (over the stub alone: %d allocs, %d B)", allocs-bareAllocs, bytes-bareBytes, bareAllocs, bareBytes)
				if allocs > bareAllocs+allocBudget {
					t.Errorf("the stack adds %d allocations per %s call, budget %d", allocs-bareAllocs, cl.name, allocBudget)
				}
			})
		}
	}
}
