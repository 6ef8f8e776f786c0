package suite

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/bench/benchserver"
)

// Streamer opens server streams of the benchmark service through one client.
type Streamer struct {
	client *connect.Client[wrapperspb.UInt64Value, wrapperspb.BytesValue]
	http   *http.Client
}

// NewStreamer builds client c (bare, authwire or oauth2) for protocol p over
// tr and opens one short stream, so that tokens and connections are in
// place before anything is measured.
func NewStreamer(ctx context.Context, t *benchserver.Target, tr Transport, p Protocol, c Client) (*Streamer, error) {
	rt, opts, err := RoundTripper(ctx, t, tr, c)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Transport: rt}
	s := &Streamer{
		client: connect.NewClient[wrapperspb.UInt64Value, wrapperspb.BytesValue](hc, URL(t, tr)+benchserver.StreamProcedure, append(protocolOptions(p), opts...)...),
		http:   hc,
	}
	if _, err := s.Run(ctx, 10, nil); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close releases the client's connections.
func (s *Streamer) Close() { s.http.CloseIdleConnections() }

// StreamResult is what one stream cost the client.
type StreamResult struct {
	Messages int
	Wall     time.Duration
	// PeakHeap is the largest live heap (after a collection) seen while the
	// stream ran, over the live heap before it; sampled at every tenth of
	// the stream.
	PeakHeap uint64
	// Allocated is the bytes allocated while the stream ran (the client's
	// alone when the server is in another process).
	Allocated uint64
}

// Run receives one stream of n messages and checks each message's size.
// With memory set, it also samples the live heap (see StreamResult): ten
// forced collections, so its Wall is not a throughput figure.
func (s *Streamer) Run(ctx context.Context, n int, memory *StreamResult) (StreamResult, error) {
	var before, now runtime.MemStats
	if memory != nil {
		runtime.GC()
		runtime.ReadMemStats(&before)
	}
	every := max(n/10, 1)
	start := time.Now()
	stream, err := s.client.CallServerStream(ctx, connect.NewRequest(wrapperspb.UInt64(uint64(n))))
	if err != nil {
		return StreamResult{}, err
	}
	defer stream.Close()
	got := 0
	var peak uint64
	for stream.Receive() {
		if len(stream.Msg().GetValue()) != benchserver.StreamMessageSize {
			return StreamResult{}, errEcho
		}
		got++
		if memory != nil && got%every == 0 {
			runtime.GC()
			runtime.ReadMemStats(&now)
			peak = max(peak, now.HeapAlloc)
		}
	}
	if err := stream.Err(); err != nil {
		return StreamResult{}, err
	}
	r := StreamResult{Messages: got, Wall: time.Since(start)}
	if got != n {
		return r, fmt.Errorf("suite: stream ended after %d of %d messages", got, n)
	}
	if memory != nil {
		runtime.ReadMemStats(&now)
		r.Allocated = now.TotalAlloc - before.TotalAlloc
		if peak > before.HeapAlloc {
			r.PeakHeap = peak - before.HeapAlloc
		}
		*memory = r
	}
	return r, nil
}
