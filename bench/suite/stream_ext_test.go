package suite_test

import (
	"testing"

	"github.com/authwire/authwire/bench/suite"
)

// BenchmarkStream receives one server stream of b.N messages through the
// bare transport and through the authwire stack: ns/op is per message.
func BenchmarkStream(b *testing.B) {
	srv := target(b)
	for _, p := range []suite.Protocol{suite.Connect, suite.GRPC} {
		for _, c := range []suite.Client{suite.Bare, suite.Authwire} {
			b.Run(string(p)+"/"+string(c), func(b *testing.B) {
				s, err := suite.NewStreamer(b.Context(), srv, suite.H2C, p, c)
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				b.ReportAllocs()
				b.ResetTimer()
				if _, err := s.Run(b.Context(), b.N, nil); err != nil {
					b.Fatal(err)
				}
			})
		}
	}
}

// TestStreamMemoryIsFlat checks that a stream through the stack holds no
// more memory for 50000 messages than for 5000: nothing is buffered. It
// does not run in parallel: it reads process-wide heap figures.
func TestStreamMemoryIsFlat(t *testing.T) {
	srv := target(t)
	s, err := suite.NewStreamer(t.Context(), srv, suite.H2C, suite.GRPC, suite.Authwire)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var short, long suite.StreamResult
	if _, err := s.Run(t.Context(), 5000, &short); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(t.Context(), 50000, &long); err != nil {
		t.Fatal(err)
	}
	// 50000 framed messages are 3.5 MB: a buffering stack would hold most
	// of it at the end. HTTP/2 flow control lets the server run ahead by
	// one window whatever the client stack, hence the slack.
	t.Logf("peak live heap: %d B for 5000 messages, %d B for 50000", short.PeakHeap, long.PeakHeap)
	if long.PeakHeap > short.PeakHeap+1<<20 {
		t.Fatalf("peak heap %d B for 50000 messages, %d B for 5000", long.PeakHeap, short.PeakHeap)
	}
}
