package suite

import "fmt"

// Client names a client being compared.
type Client string

// The clients compared.
const (
	Bare Client = "bare"
	// BareAgain is a second bare client, measured like any other: its
	// ratio to bare (an A/A comparison) shows the noise of the run.
	BareAgain      Client = "bare-again"
	Ideal          Client = "ideal"
	Authwire       Client = "authwire"
	OAuth2         Client = "oauth2"
	CmdInterceptor Client = "cmd-interceptor"
	GRPCGo         Client = "grpc-go"
)

// Transport names the wire under the protocol.
type Transport string

// The transports.
const (
	H2C Transport = "h2c"
	TLS Transport = "tls"
)

// Protocol names the RPC protocol, or REST.
type Protocol string

// The protocols.
const (
	Connect Protocol = "connect"
	GRPC    Protocol = "grpc"
	GRPCWeb Protocol = "grpcweb"
	REST    Protocol = "rest"
)

// Cell is one unary benchmark: a client, a transport, a protocol, a payload
// size and a number of concurrent callers.
type Cell struct {
	Client      Client
	Transport   Transport
	Protocol    Protocol
	Size        int // payload bytes, each way
	Concurrency int
}

// Group is the cell with its client cleared: the cells of one group are
// compared with each other.
func (c Cell) Group() Cell {
	c.Client = ""
	return c
}

// Name is a benchmark name: transport/protocol/size/concurrency/client.
func (c Cell) Name() string {
	return fmt.Sprintf("%s/%s", c.GroupName(), c.Client)
}

// GroupName is the name of the cell's group.
func (c Cell) GroupName() string {
	return fmt.Sprintf("%s/%s/%s/c%d", c.Transport, c.Protocol, SizeName(c.Size), c.Concurrency)
}

// SizeName is 16B, 64KiB and the like.
func SizeName(n int) string {
	if n >= 1024 && n%1024 == 0 {
		return fmt.Sprintf("%dKiB", n/1024)
	}
	return fmt.Sprintf("%dB", n)
}

// Clients returns the clients that speak protocol p.
func Clients(p Protocol) []Client {
	switch p {
	case REST:
		return []Client{Bare, BareAgain, Ideal, Authwire, OAuth2}
	case GRPC:
		return []Client{Bare, BareAgain, Ideal, Authwire, OAuth2, CmdInterceptor, GRPCGo}
	}
	return []Client{Bare, BareAgain, Ideal, Authwire, OAuth2, CmdInterceptor}
}

// Matrix returns every cell of the given dimensions, grouped: the cells of
// one group are adjacent, bare first.
func Matrix(transports []Transport, protocols []Protocol, sizes, concurrencies []int) []Cell {
	var cells []Cell
	for _, tr := range transports {
		for _, p := range protocols {
			for _, size := range sizes {
				for _, conc := range concurrencies {
					for _, cl := range Clients(p) {
						cells = append(cells, Cell{Client: cl, Transport: tr, Protocol: p, Size: size, Concurrency: conc})
					}
				}
			}
		}
	}
	return cells
}
