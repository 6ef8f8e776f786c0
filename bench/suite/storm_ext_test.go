package suite_test

import (
	"testing"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/bench/suite"
)

// TestRefreshStorm checks the storm goal on a smaller storm: every call
// recovers from the revocation with exactly one token request.
func TestRefreshStorm(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	for _, p := range []suite.Protocol{suite.Connect, suite.GRPC} {
		t.Run(string(p), func(t *testing.T) {
			s, err := suite.NewStormer(t.Context(), srv, suite.Authwire, p)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			r := s.Storm(t.Context(), 200, true)
			if r.Recovered != r.Calls || r.TokenRequests != 1 {
				t.Fatalf("recovered %d/%d with %d token requests (first error %v)", r.Recovered, r.Calls, r.TokenRequests, r.FirstError)
			}
		})
	}
}

// BenchmarkRefreshStorm is 1000 concurrent calls whose token is revoked at
// once (or not), per client; ns/op is the storm's wall time. Each client
// first makes an unmeasured storm, so the connection pool is in place.
func BenchmarkRefreshStorm(b *testing.B) {
	srv := authtest.New(b)
	for _, c := range []struct {
		client   suite.Client
		protocol suite.Protocol
	}{
		{suite.Authwire, suite.Connect},
		{suite.Authwire, suite.GRPC},
		{suite.OAuth2Reuse, suite.Connect},
		{suite.OAuth2Renew, suite.Connect},
	} {
		for _, revoke := range []bool{false, true} {
			name := string(c.client) + "/" + string(c.protocol) + "/valid"
			if revoke {
				name = string(c.client) + "/" + string(c.protocol) + "/revoked"
			}
			b.Run(name, func(b *testing.B) {
				var calls, recovered, tokens int
				for b.Loop() {
					b.StopTimer()
					s, err := suite.NewStormer(b.Context(), srv, c.client, c.protocol)
					if err != nil {
						b.Fatal(err)
					}
					s.Storm(b.Context(), 1000, false)
					b.StartTimer()
					r := s.Storm(b.Context(), 1000, revoke)
					b.StopTimer()
					s.Close()
					b.StartTimer()
					calls += r.Calls
					recovered += r.Recovered
					tokens += int(r.TokenRequests)
				}
				b.ReportMetric(float64(recovered)/float64(calls)*1000, "recovered/1000")
				b.ReportMetric(float64(tokens)/float64(b.N), "token-requests/storm")
			})
		}
	}
}
