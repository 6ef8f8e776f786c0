package suite_test

import (
	"testing"

	"github.com/authwire/authwire/bench/suite"
)

var (
	transports    = []suite.Transport{suite.H2C, suite.TLS}
	protocols     = []suite.Protocol{suite.Connect, suite.GRPC, suite.GRPCWeb, suite.REST}
	sizes         = []int{16, 64 << 10}
	concurrencies = []int{1, 64}
)

// TestEveryCellCalls checks that each client of the matrix reaches the
// server with the credentials it is meant to send.
func TestEveryCellCalls(t *testing.T) {
	t.Parallel()
	srv := target(t)
	for _, cell := range suite.Matrix(transports, protocols, sizes[:1], concurrencies[:1]) {
		t.Run(cell.Name(), func(t *testing.T) {
			t.Parallel()
			c, err := suite.NewCaller(t.Context(), srv, cell)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.Call(t.Context()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// BenchmarkUnary is the unary matrix: every client, transport, protocol,
// payload size and concurrency.
func BenchmarkUnary(b *testing.B) {
	srv := target(b)
	for _, cell := range suite.Matrix(transports, protocols, sizes, concurrencies) {
		b.Run(cell.Name(), func(b *testing.B) {
			c, err := suite.NewCaller(b.Context(), srv, cell)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			suite.Unary(b, c, cell.Concurrency)
		})
	}
}

// BenchmarkClientOnly is a call's client-side cost on a stub next hop:
// connect-go (or net/http for REST) alone, through the authwire stack, and
// through x/oauth2's Transport.
func BenchmarkClientOnly(b *testing.B) {
	for _, p := range protocols {
		for _, c := range []suite.Client{suite.Bare, suite.Ideal, suite.Authwire, suite.OAuth2} {
			b.Run(string(p)+"/"+string(c), func(b *testing.B) {
				caller, err := suite.ClientOnly(b.Context(), c, p, 16)
				if err != nil {
					b.Fatal(err)
				}
				defer caller.Close()
				suite.Unary(b, caller, 1)
			})
		}
	}
}
