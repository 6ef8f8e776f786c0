package suite

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/bench/benchserver"
)

// Caller makes the unary calls of one cell. It is safe for concurrent use.
type Caller interface {
	// Call makes one call and checks that the payload came back.
	Call(ctx context.Context) error
	// Check makes one call and also returns which credentials the server
	// saw ("", "bearer", "proxy", "proxy+bearer").
	Check(ctx context.Context) (string, error)
	// Close releases the client's connections.
	Close()
}

// Credentials returns what the server should see from client c.
func Credentials(c Client) string {
	switch c {
	case Authwire, Ideal, CmdInterceptor:
		return "proxy+bearer"
	case OAuth2, GRPCGo:
		return "bearer"
	}
	return ""
}

var errEcho = errors.New("suite: the echo does not match the payload")

// NewCaller builds the client of cell against t and makes one checked call:
// the payload comes back and the server saw the credentials the client is
// meant to send.
func NewCaller(ctx context.Context, t *benchserver.Target, cell Cell) (Caller, error) {
	payload := make([]byte, cell.Size)
	rand.Read(payload)
	var c Caller
	switch {
	case cell.Client == GRPCGo:
		if cell.Protocol != GRPC {
			return nil, fmt.Errorf("suite: grpc-go speaks gRPC only, not %s", cell.Protocol)
		}
		conn, err := GRPCConn(ctx, t, cell.Transport)
		if err != nil {
			return nil, err
		}
		c = &grpcCaller{conn: conn, msg: wrapperspb.Bytes(payload)}
	case cell.Protocol == REST:
		rt, opts, err := RoundTripper(ctx, t, cell.Transport, cell.Client)
		if err != nil {
			return nil, err
		}
		if len(opts) > 0 {
			return nil, fmt.Errorf("suite: client %s has no REST form", cell.Client)
		}
		c = &restCaller{client: &http.Client{Transport: rt}, url: URL(t, cell.Transport) + benchserver.RESTPath, payload: payload}
	default:
		rt, opts, err := RoundTripper(ctx, t, cell.Transport, cell.Client)
		if err != nil {
			return nil, err
		}
		hc := &http.Client{Transport: rt}
		c = &connectCaller{
			client: connect.NewClient[wrapperspb.BytesValue, wrapperspb.BytesValue](hc, URL(t, cell.Transport)+benchserver.UnaryProcedure, append(protocolOptions(cell.Protocol), opts...)...),
			msg:    wrapperspb.Bytes(payload),
			http:   hc,
		}
	}
	seen, err := c.Check(ctx)
	if err == nil && seen != Credentials(cell.Client) {
		err = fmt.Errorf("suite: %s: server saw credentials %q, want %q", cell.Name(), seen, Credentials(cell.Client))
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func protocolOptions(p Protocol) []connect.ClientOption {
	switch p {
	case GRPC:
		return []connect.ClientOption{connect.WithGRPC()}
	case GRPCWeb:
		return []connect.ClientOption{connect.WithGRPCWeb()}
	}
	return nil
}

type connectCaller struct {
	client *connect.Client[wrapperspb.BytesValue, wrapperspb.BytesValue]
	msg    *wrapperspb.BytesValue
	http   *http.Client
}

func (c *connectCaller) Call(ctx context.Context) error {
	_, err := c.call(ctx, false)
	return err
}

func (c *connectCaller) Check(ctx context.Context) (string, error) { return c.call(ctx, true) }

func (c *connectCaller) call(ctx context.Context, check bool) (string, error) {
	req := connect.NewRequest(c.msg)
	if check {
		req.Header().Set("Bench-Check", "1")
	}
	resp, err := c.client.CallUnary(ctx, req)
	if err != nil {
		return "", err
	}
	if len(resp.Msg.GetValue()) != len(c.msg.GetValue()) {
		return "", errEcho
	}
	return resp.Header().Get("Bench-Auth"), nil
}

func (c *connectCaller) Close() { c.http.CloseIdleConnections() }

type restCaller struct {
	client  *http.Client
	url     string
	payload []byte
}

func (c *restCaller) Call(ctx context.Context) error {
	_, err := c.call(ctx, false)
	return err
}

func (c *restCaller) Check(ctx context.Context) (string, error) { return c.call(ctx, true) }

func (c *restCaller) call(ctx context.Context, check bool) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(c.payload))
	if err != nil {
		return "", err
	}
	req.Header["Content-Type"] = []string{"application/octet-stream"}
	if check {
		req.Header["Bench-Check"] = []string{"1"}
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return "", err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	switch {
	case err != nil:
		return "", err
	case resp.StatusCode != http.StatusOK:
		return "", fmt.Errorf("suite: REST answered %s", resp.Status)
	case n != int64(len(c.payload)):
		return "", errEcho
	}
	return resp.Header.Get("Bench-Auth"), nil
}

func (c *restCaller) Close() { c.client.CloseIdleConnections() }

type grpcCaller struct {
	conn *grpc.ClientConn
	msg  *wrapperspb.BytesValue
}

func (c *grpcCaller) Call(ctx context.Context) error {
	out := new(wrapperspb.BytesValue)
	if err := c.conn.Invoke(ctx, benchserver.UnaryProcedure, c.msg, out); err != nil {
		return err
	}
	if len(out.GetValue()) != len(c.msg.GetValue()) {
		return errEcho
	}
	return nil
}

func (c *grpcCaller) Check(ctx context.Context) (string, error) {
	var md metadata.MD
	out := new(wrapperspb.BytesValue)
	ctx = metadata.AppendToOutgoingContext(ctx, "bench-check", "1")
	if err := c.conn.Invoke(ctx, benchserver.UnaryProcedure, c.msg, out, grpc.Header(&md)); err != nil {
		return "", err
	}
	if len(out.GetValue()) != len(c.msg.GetValue()) {
		return "", errEcho
	}
	if v := md.Get("bench-auth"); len(v) > 0 {
		return v[0], nil
	}
	return "", nil
}

func (c *grpcCaller) Close() { c.conn.Close() }

// Unary runs b.N calls of c from concurrency goroutines and fails b on the
// first error.
func Unary(b *testing.B, c Caller, concurrency int) {
	ctx := b.Context()
	b.ReportAllocs()
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	n := int64(b.N)
	b.ResetTimer()
	for range max(concurrency, 1) {
		wg.Go(func() {
			for next.Add(1) <= n {
				if err := c.Call(ctx); err != nil {
					errOnce.Do(func() { firstErr = err })
					next.Store(n)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
}

// Slice makes calls of c from concurrency goroutines until d has passed,
// and returns how many it made and how long they took (the calls still in
// flight at d are finished and counted). The report interleaves short
// slices of each client, so that the ratios it pairs are measured moments
// apart, under the same load.
func Slice(ctx context.Context, c Caller, concurrency int, d time.Duration) (calls int64, elapsed time.Duration, err error) {
	var (
		n       atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
	)
	start := time.Now()
	deadline := start.Add(d)
	for range max(concurrency, 1) {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				if cerr := c.Call(ctx); cerr != nil {
					errOnce.Do(func() { err = cerr })
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return n.Load(), time.Since(start), err
}
