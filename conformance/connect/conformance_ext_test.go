package connect_test

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// serverConfigs are server configurations the run must include, so that a
// narrowed config.yaml cannot pass unnoticed: every protocol on HTTP/1.1 and
// HTTP/2, over TLS and in cleartext (h2c for HTTP/2), client certificates,
// and the grpc-go reference server.
var serverConfigs = []string{
	"{HTTP_VERSION_1, PROTOCOL_CONNECT, TLS:false}",
	"{HTTP_VERSION_1, PROTOCOL_CONNECT, TLS:true}",
	"{HTTP_VERSION_1, PROTOCOL_GRPC_WEB, TLS:false}",
	"{HTTP_VERSION_1, PROTOCOL_GRPC_WEB, TLS:true}",
	"{HTTP_VERSION_2, PROTOCOL_CONNECT, TLS:false}",
	"{HTTP_VERSION_2, PROTOCOL_CONNECT, TLS:true}",
	"{HTTP_VERSION_2, PROTOCOL_GRPC, TLS:false}",
	"{HTTP_VERSION_2, PROTOCOL_GRPC, TLS:true}",
	"{HTTP_VERSION_2, PROTOCOL_GRPC_WEB, TLS:false}",
	"{HTTP_VERSION_2, PROTOCOL_GRPC_WEB, TLS:true}",
	"{HTTP_VERSION_2, PROTOCOL_GRPC, TLS:true (with client certs)}",
	"with grpc-reference-server",
}

// TestConformance runs every case that config.yaml selects through
// authwire's full stack, once with a connect-go v1 client and once with a
// v2 client (the same features: see config.yaml), and requires all of them
// to pass: there is no known-failing list.
//
// It is not parallel, nor are its two runs: the suite has timing cases
// (timeouts, delayed cancellations) that other CPU-heavy tests on a small
// machine would skew.
func TestConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the conformance tools and runs ≈4600 calls per connect-go version")
	}
	e := setup(t)
	for _, version := range []string{"v1", "v2"} {
		t.Run(version, func(t *testing.T) {
			r := e.run(t, "config.yaml", "-connect", version)
			summarize(t, "connect-conformance-"+version, r)
			t.Logf("%d cases, %d passed, %d failed, %d not run, in %.1fs (log: %s)", r.total, r.passed, r.failed, r.notRun, r.seconds, r.log)
			if r.total == 0 || r.total != r.computed {
				t.Errorf("the runner reported %d cases of the %d it computed", r.total, r.computed)
			}
			if r.failed > 0 || r.notRun > 0 || r.passed != r.total {
				t.Errorf("%d of %d cases failed and %d could not run; by reason:\n%s", r.failed, r.total, r.notRun, r.reasons())
			}
			if r.races > 0 {
				t.Errorf("the client under test reported %d data races; see %s", r.races, r.log)
			}
			if r.exitErr != nil {
				t.Errorf("connectconformance: %v", r.exitErr)
			}
			for _, want := range serverConfigs {
				if !strings.Contains(r.output, want) {
					t.Errorf("no server config %s in the run", want)
				}
			}
		})
	}
}

// TestConformanceCanFail proves that the suite notices a broken stack. The
// client's -break modes put a deliberately wrong layer over the stack:
// shallow-response returns shallow copies of responses, which never see the
// HTTP trailers net/http fills in later, so gRPC calls lose their status;
// detach-context sends requests with a context that has lost the caller's
// cancellation, which the suite alone would not notice but the client's own
// probe does.
func TestConformanceCanFail(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the conformance tools")
	}
	e := setup(t)
	for _, mode := range []string{"shallow-response", "detach-context"} {
		t.Run(mode, func(t *testing.T) {
			r := e.run(t, filepath.Join("testdata", "broken.yaml"), "-break", mode)
			t.Logf("%s: %d cases, %d passed, %d failed, in %.1fs", mode, r.total, r.passed, r.failed, r.seconds)
			if r.exitErr == nil {
				t.Error("connectconformance succeeded with a broken stack")
			}
			if r.total == 0 || r.failed == 0 {
				t.Errorf("the runner reported %d failures in %d cases with a broken stack", r.failed, r.total)
			}
			if r.passed+r.failed+r.notRun != r.total {
				t.Errorf("%d passed + %d failed + %d not run != %d cases", r.passed, r.failed, r.notRun, r.total)
			}
		})
	}
}

// result is what one run of connectconformance reported.
type result struct {
	output   string
	log      string // where output was saved
	exitErr  error
	seconds  float64
	computed int // cases the runner computed from the config
	total    int
	passed   int
	failed   int
	notRun   int // cases lost to a client that hung or exited
	races    int
}

var (
	computedRE = regexp.MustCompile(`(?m)^Computed (\d+) test case permutation`)
	totalRE    = regexp.MustCompile(`(?m)^Total cases: (\d+)\n(\d+) passed, (\d+) failed`)
	notRunRE   = regexp.MustCompile(`(?m)^Another (\d+) could not be run`)
	failedRE   = regexp.MustCompile(`(?m)^FAILED: .*:\n\t(.*)`)
)

// run starts connectconformance in client mode with conf (relative to this
// package) and the client under test with clientArgs, and parses its report.
// The runner, the client and the reference servers share a process group
// that is killed if the test's deadline comes first.
func (e *env) run(t *testing.T, conf string, clientArgs ...string) *result {
	t.Helper()
	ctx := t.Context()
	if d, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-30*time.Second))
		defer cancel()
	}
	args := append([]string{"--mode", "client", "--conf", conf, "-v", "--", e.client}, clientArgs...)
	cmd := exec.CommandContext(ctx, e.bin["connectconformance"], args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	r := &result{output: out.String(), exitErr: err, seconds: time.Since(start).Seconds()}
	r.log = filepath.Join(e.cacheDir, "logs", strings.ReplaceAll(t.Name(), "/", "_")+".log")
	if err := os.MkdirAll(filepath.Dir(r.log), 0o755); err == nil {
		if err := os.WriteFile(r.log, out.Bytes(), 0o644); err != nil {
			t.Logf("saving the runner's output: %v", err)
		}
	}
	if m := computedRE.FindStringSubmatch(r.output); m != nil {
		r.computed = atoi(m[1])
	}
	m := totalRE.FindStringSubmatch(r.output)
	if m == nil {
		t.Fatalf("connectconformance printed no summary (%v); output:\n%s", err, tail(r.output, 4000))
	}
	r.total, r.passed, r.failed = atoi(m[1]), atoi(m[2]), atoi(m[3])
	if m := notRunRE.FindStringSubmatch(r.output); m != nil {
		r.notRun = atoi(m[1])
	}
	r.races = strings.Count(r.output, "WARNING: DATA RACE")
	return r
}

// reasons counts the failures by their first line of explanation.
func (r *result) reasons() string {
	counts := map[string]int{}
	for _, m := range failedRE.FindAllStringSubmatch(r.output, -1) {
		counts[m[1]]++
	}
	keys := slices.SortedFunc(maps.Keys(counts), func(a, b string) int {
		return cmp.Or(counts[b]-counts[a], strings.Compare(a, b))
	})
	var b strings.Builder
	for i, k := range keys {
		if i == 10 {
			fmt.Fprintf(&b, "  … and %d other reasons; see %s\n", len(keys)-i, r.log)
			break
		}
		fmt.Fprintf(&b, "  %5d × %s\n", counts[k], k)
	}
	return b.String()
}

// summarize appends the run's row to the file named by
// AUTHWIRE_CONFORMANCE_SUMMARY (run.sh's summary table), if set: suite,
// cases, passed, failed (including cases that could not run), seconds,
// tab-separated.
func summarize(t *testing.T, suite string, r *result) {
	t.Helper()
	path := os.Getenv("AUTHWIRE_CONFORMANCE_SUMMARY")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Errorf("summary: %v", err)
		return
	}
	defer f.Close()
	if _, err := fmt.Fprintf(f, "%s\t%d\t%d\t%d\t%.1f\n", suite, r.total, r.passed, r.failed+r.notRun, r.seconds); err != nil {
		t.Errorf("summary: %v", err)
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
