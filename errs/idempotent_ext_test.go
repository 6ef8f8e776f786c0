package errs_test

import (
	"cmp"
	"context"
	"net/http"
	"testing"

	"github.com/authwire/authwire/errs"
)

// TestRetryWhatIsSafeToRepeat pins which POST calls are resent after an
// Unavailable answer: Flyte's read-only procedures by default, calls whose
// context is marked idempotent, and every call under RetryNonIdempotent.
func TestRetryWhatIsSafeToRepeat(t *testing.T) {
	t.Parallel()
	grpc := []string{"Content-Type", "application/grpc"}
	tests := []struct {
		name     string
		url      string
		mark     bool
		policy   errs.Policy
		status   string // grpc-status of the first answer; "" is 14, Unavailable
		attempts int
	}{
		{"Flyte 1 read", "http://flyte.test/flyteidl.service.AdminService/ListExecutions", false, errs.Policy{}, "", 2},
		{"Flyte 1 metadata", "http://flyte.test/flyteidl.service.AuthMetadataService/GetPublicClientConfig", false, errs.Policy{}, "", 2},
		{"Flyte 2 NO_SIDE_EFFECTS", "http://flyte.test/flyteidl2.workflow.RunService/ListRuns", false, errs.Policy{}, "", 2},
		{"Flyte 2 read stream", "http://flyte.test/flyteidl2.workflow.RunService/WatchRuns", false, errs.Policy{}, "", 2},
		{"Flyte 2 read under a path prefix", "http://flyte.test/api/flyteidl2.task.TaskService/GetTaskDetails", false, errs.Policy{}, "", 2},
		{"Flyte 1 write", writeURL, false, errs.Policy{}, "", 1},
		{"Flyte 2 write", "http://flyte.test/flyteidl2.workflow.RunService/CreateRun", false, errs.Policy{}, "", 1},
		{"GetOrCreate is a write", "http://flyte.test/flyteidl.service.SignalService/GetOrCreateSignal", false, errs.Policy{}, "", 1},
		{"a name from another package", "http://flyte.test/other.AdminService/GetTask", false, errs.Policy{}, "", 1},
		{"write marked idempotent by the caller", writeURL, true, errs.Policy{}, "", 2},
		{"any service marked idempotent", "http://flyte.test/acme.v1.Store/Lookup", true, errs.Policy{}, "", 2},
		{"write under RetryNonIdempotent", writeURL, false, errs.Policy{RetryNonIdempotent: true}, "", 2},
		{"RetryNonIdempotent retries only transient failures", writeURL, false, errs.Policy{RetryNonIdempotent: true}, "3", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			first := respond(200, "", "Content-Type", "application/grpc", "Grpc-Status", cmp.Or(tc.status, "14"))
			s := newScript(first, respond(200, "ok"))
			req, bodies := newRequest(t, http.MethodPost, tc.url, "payload", true, grpc...)
			if tc.mark {
				req = req.WithContext(errs.WithIdempotent(req.Context()))
			}
			tc.policy.Clock, tc.policy.Rand = newFakeClock(true), zeroRand
			resp, err := errs.NewRetryTransport(s, tc.policy).RoundTrip(req)
			if err != nil {
				t.Fatalf("RoundTrip: %v", err)
			}
			readAll(t, resp)
			if s.calls() != tc.attempts {
				t.Errorf("%d attempts, want %d", s.calls(), tc.attempts)
			}
			bodies.check(t)
		})
	}
}

func TestWithIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if errs.IsMarkedIdempotent(ctx) {
		t.Fatal("a fresh context is marked idempotent")
	}
	marked := errs.WithIdempotent(ctx)
	if !errs.IsMarkedIdempotent(marked) {
		t.Fatal("WithIdempotent did not mark the context")
	}
	if errs.WithIdempotent(marked) != marked {
		t.Error("marking a marked context made a new one")
	}
	child, cancel := context.WithCancel(marked)
	defer cancel()
	if !errs.IsMarkedIdempotent(child) {
		t.Error("a child context lost the mark")
	}
}
