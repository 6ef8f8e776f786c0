// Package coldstart measures the time to the first authenticated call of a
// new process, in round trips: every byte between client and server crosses
// a loopback relay that delays each direction by a fixed latency, so the
// wall time divided by the round-trip time counts the round trips the
// client waited for (TCP, TLS, metadata, token, call).
package coldstart

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// Relay forwards TCP connections to a target, delaying the bytes of each
// direction by Latency. It listens on 127.0.0.1 at a free port.
type Relay struct {
	ln      net.Listener
	target  string
	latency time.Duration
	wg      sync.WaitGroup
}

// NewRelay starts a relay to target ("host:port").
func NewRelay(target string, latency time.Duration) (*Relay, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &Relay{ln: ln, target: target, latency: latency}
	r.wg.Go(r.accept)
	return r, nil
}

// Addr is the relay's address.
func (r *Relay) Addr() string { return r.ln.Addr().String() }

// Dial connects to the relay whatever address is asked for: the client
// reaches the server, and every endpoint the server names on it, through
// the relay. The relay delays the TCP handshake's answer by one round trip.
func (r *Relay) Dial(ctx context.Context, network, _ string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, r.Addr())
	if err != nil {
		return nil, err
	}
	select { // the SYN and SYN-ACK a real network would delay
	case <-time.After(2 * r.latency):
	case <-ctx.Done():
		c.Close()
		return nil, ctx.Err()
	}
	return c, nil
}

// Close stops accepting and waits for the relay's goroutines.
func (r *Relay) Close() {
	r.ln.Close()
	r.wg.Wait()
}

func (r *Relay) accept() {
	for {
		client, err := r.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", r.target)
		if err != nil {
			client.Close()
			continue
		}
		r.wg.Go(func() { r.pipe(server, client) })
		r.wg.Go(func() { r.pipe(client, server) })
	}
}

// chunk is bytes read at a time, to be written latency later.
type chunk struct {
	data []byte
	at   time.Time
}

// pipe copies src to dst, each chunk latency after it was read, in order.
func (r *Relay) pipe(dst, src net.Conn) {
	chunks := make(chan chunk, 1024)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for c := range chunks {
			time.Sleep(time.Until(c.at.Add(r.latency)))
			if _, err := dst.Write(c.data); err != nil {
				return
			}
		}
		if tc, ok := dst.(*net.TCPConn); ok {
			tc.CloseWrite() //nolint:errcheck // the peer may be gone
		}
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			chunks <- chunk{data: append([]byte(nil), buf[:n]...), at: time.Now()}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				dst.Close()
			}
			break
		}
	}
	close(chunks)
	<-done
	src.Close()
}
