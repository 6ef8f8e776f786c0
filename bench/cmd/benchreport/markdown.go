package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/authwire/authwire/bench/suite"
)

func (r *report) markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("Measured %s on %s, with\n\n```sh\n%s\n```\n\n", r.started.UTC().Format("2006-01-02 15:04 MST"), machine(), command())
	w("Unary and client-only figures come from %d rounds of %v slices per client, the clients of a cell taking turns (rotated each round); stream and storm figures from %d rounds. The whole run took %v", r.o.slices, r.o.slice, r.o.rounds, r.elapsed.Round(time.Second))
	if c := commit(); c != "" {
		w(" at commit %s", c)
	}
	w(". The loopback server (`benchserver`) ran in a child process, so allocation figures are the client's alone.")
	if r.o.steps != strings.Join(stepNames, ",") {
		w(" Steps run: %s (of %s); the sections of the others are left out.", r.o.steps, strings.Join(stepNames, ", "))
	}
	w("\n\n")
	w("The stack from `transport.New`, outside in: %s.", "`"+strings.Join(r.layers, "` → `")+"`")
	if !r.errsLayer {
		w(" `transport.New` does not include the errs retry layer (`errs.NewRetryTransport`) at this commit, so it is not in these figures; `transport/alloc_ext_test.go` requires it to allocate nothing on success once it is.")
	}
	w("\n\n")
	r.goals(w)
	if len(r.cells) > 0 {
		r.unaryTables(w)
	}
	if len(r.clientOnly) > 0 {
		r.clientOnlyTable(w)
	}
	r.profileTables(w)
	if len(r.stream) > 0 {
		r.streamTable(w)
	}
	if len(r.storm) > 0 {
		r.stormTable(w)
	}
	if len(r.cells) > 0 {
		r.proxyTable(w)
	}
	return b.String()
}

type writer func(format string, args ...any)

func mark(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

// pair returns the runs of client c and of client ref in cell g, or nils.
func (r *report) pair(g suite.Cell, c, ref suite.Client) (u, base *unaryRuns) {
	g.Client = c
	u = r.unary[g.Name()]
	g.Client = ref
	base = r.unary[g.Name()]
	if u == nil || base == nil {
		return nil, nil
	}
	return u, base
}

// ratios returns the paired throughput ratios of client c to client ref in
// cell g.
func (r *report) ratios(g suite.Cell, c, ref suite.Client) series {
	u, base := r.pair(g, c, ref)
	if u == nil {
		return nil
	}
	return pairRatios(u.callsPerSec, base.callsPerSec)
}

// cpuRatios returns, round by round, ref's CPU per call (client and server)
// over client c's: the throughput ratio a CPU-bound run would show.
func (r *report) cpuRatios(g suite.Cell, c, ref suite.Client) series {
	u, base := r.pair(g, c, ref)
	if u == nil {
		return nil
	}
	return pairRatios(total(base), total(u))
}

func total(u *unaryRuns) series {
	var t series
	for i := range min(len(u.clientCPU), len(u.serverCPU)) {
		t = append(t, u.clientCPU[i]+u.serverCPU[i])
	}
	return t
}

func (r *report) groups() []suite.Cell {
	var gs []suite.Cell
	for i, c := range r.cells {
		if i == 0 || c.GroupName() != r.cells[i-1].GroupName() {
			gs = append(gs, c.Group())
		}
	}
	return gs
}

// goalRatio is the lowest authwire ÷ ideal ratio the goals accept.
const goalRatio = 0.98

// measure is one way of comparing two clients of a cell, paired by round.
type measure struct {
	how    string
	ratios func(suite.Cell, suite.Client, suite.Client) series
}

func (r *report) measures() []measure {
	return []measure{{"calls/s", r.ratios}, {"CPU per call, client + server", r.cpuRatios}}
}

// verdict compares the 95 % confidence interval of a median ratio with the
// goal: met when all of it is at or above, not met when all of it is below,
// unresolved otherwise.
func verdict(s series, goal float64) string {
	lo, hi := s.ci()
	switch {
	case lo >= goal:
		return "met"
	case hi < goal:
		return "not met"
	}
	return "unresolved"
}

func (r *report) goals(w writer) {
	w("### Goals\n\n| goal | measured | |\n|---|---|---|\n")
	for _, g := range []struct {
		what  string
		match func(suite.Cell) bool
	}{
		{"16 B, 1 caller", func(c suite.Cell) bool { return c.Size == 16 && c.Concurrency == 1 }},
		{"16 B, 64 callers", func(c suite.Cell) bool { return c.Size == 16 && c.Concurrency == 64 }},
		{"64 KiB, 1 caller", func(c suite.Cell) bool { return c.Size == 64<<10 && c.Concurrency == 1 }},
		{"64 KiB, 64 callers", func(c suite.Cell) bool { return c.Size == 64<<10 && c.Concurrency == 64 }},
	} {
		for _, m := range r.measures() {
			by := map[string][]string{}
			total := 0
			for _, grp := range r.groups() {
				if !g.match(grp) {
					continue
				}
				s := m.ratios(grp, suite.Authwire, suite.Ideal)
				if len(s) == 0 {
					continue
				}
				total++
				v := verdict(s, goalRatio)
				by[v] = append(by[v], fmt.Sprintf("%s/%s %s", grp.Transport, grp.Protocol, s.ratioCI()))
			}
			if total == 0 {
				continue
			}
			var parts []string
			for _, v := range []string{"met", "unresolved", "not met"} {
				if len(by[v]) > 0 {
					parts = append(parts, fmt.Sprintf("%s in %d: %s", v, len(by[v]), strings.Join(by[v], ", ")))
				}
			}
			overall := "met"
			switch {
			case len(by["not met"]) > 0:
				overall = "**not met**"
			case len(by["unresolved"]) > 0:
				overall = "unresolved"
			}
			w("| authwire ≥ %.2f× ideal, %s (%s) | %d cells; %s | %s |\n", goalRatio, g.what, m.how, total, strings.Join(parts, "; "), overall)
		}
	}
	r.aaGoalRows(w)
	r.clientOnlyGoalRows(w)
	for _, key := range r.stormOrder {
		if !strings.HasPrefix(key, string(suite.Authwire)+"/") {
			continue
		}
		s := r.storm[key]
		ratio := pairRatios(s.revokedWall, s.validWall)
		oneToken := s.tokens.min() == 1 && s.tokens.max() == 1
		all := s.recovered.min() == float64(r.o.stormCalls)
		w("| refresh storm (%s): 1 token request, %d/%d recovered, wall ≤ 2.0× (the server answers every call twice) | token requests %.0f–%.0f; recovered %.0f–%.0f; wall ratio %s; revoked storms bound by %s | %s |\n",
			strings.TrimPrefix(key, "authwire/"), r.o.stormCalls, r.o.stormCalls, s.tokens.min(), s.tokens.max(), s.recovered.min(), s.recovered.max(), ratio.ratioCI(),
			s.revokedLoad.bound(runtime.NumCPU()), mark(oneToken && all && ratio.median() <= 2.0))
	}
	var runs, calls int64
	for _, c := range r.cells {
		if c.Client == suite.Authwire {
			u := r.unary[c.Name()]
			runs += u.proxyRuns
			calls += u.serverCalls
		}
	}
	if len(r.cells) > 0 {
		w("| proxy command: at most one run per credential lifetime | %d runs for %d stacks and %d calls | %s |\n", runs, r.stacks, calls, mark(runs <= int64(r.stacks)))
	}
	for _, p := range r.streamProtocol {
		a, bare := r.stream[string(p)+"/authwire"], r.stream[string(p)+"/bare"]
		short, long := a.peakShort.median(), a.peakLong.median()
		w("| stream memory independent of length (%s) | peak live heap %s at %d messages, %s at %d (bare: %s, %s) | %s |\n",
			p, kib(short), r.o.streamMsgs/10, kib(long), r.o.streamMsgs, kib(bare.peakShort.median()), kib(bare.peakLong.median()), mark(long <= short+1<<20))
	}
	w("\n")
}

func ms(ns float64) string { return time.Duration(ns).Round(time.Millisecond).String() }

func kib(v float64) string { return fmt.Sprintf("%.0f KiB", v/1024) }

// column is one figure per cell of a unary table: client c against ref,
// titled as a ratio or as a difference.
type column struct {
	ratio, diff string
	c, ref      suite.Client
}

// columns are the columns of the unary tables after bare's own figure.
var columns = []column{
	{"A/A: bare-again ÷ bare", "bare-again", suite.BareAgain, suite.Bare},
	{"ideal ÷ bare", "ideal", suite.Ideal, suite.Bare},
	{"authwire ÷ bare", "authwire", suite.Authwire, suite.Bare},
	{"**authwire ÷ ideal**", "authwire − ideal", suite.Authwire, suite.Ideal},
	{"oauth2 ÷ bare", "oauth2", suite.OAuth2, suite.Bare},
	{"cmd-interceptor ÷ bare", "cmd-interceptor", suite.CmdInterceptor, suite.Bare},
	{"grpc-go ÷ bare", "grpc-go", suite.GRPCGo, suite.Bare},
}

// groupTable writes one unary table: a row per cell, bare's figure, then
// one figure per column.
func (r *report) groupTable(w writer, title, intro, bareColumn string, diff bool, bareCell func(*unaryRuns) string, cell func(g suite.Cell, col column) string) {
	w("### %s\n\n%s\n\n", title, intro)
	w("| transport/protocol/size/callers | %s |", bareColumn)
	for _, col := range columns {
		if diff {
			w(" %s |", col.diff)
		} else {
			w(" %s |", col.ratio)
		}
	}
	w("\n|---|---|%s\n", strings.Repeat("---|", len(columns)))
	for _, g := range r.groups() {
		g.Client = suite.Bare
		w("| %s | %s |", g.GroupName(), bareCell(r.unary[g.Name()]))
		for _, col := range columns {
			if u, _ := r.pair(g, col.c, col.ref); u == nil {
				w(" — |")
				continue
			}
			w(" %s |", cell(g, col))
		}
		w("\n")
	}
	w("\n")
}

func (r *report) unaryTables(w writer) {
	r.groupTable(w, "Unary calls over loopback: throughput",
		fmt.Sprintf("Calls per second of one client divided by those of another (same transport, protocol, size and callers) in the same round, slices moments apart: the median over %d rounds and, in parentheses, the 95 %% confidence interval of that median. *bare-again* is a second bare client: its column is the noise of the run. *ideal* sets the two header values the authwire stack sends and does nothing else; *authwire* is the whole stack with a proxy command and the client-credentials flow, tokens cached; *oauth2* is x/oauth2's Transport (bearer only); *cmd-interceptor* runs the proxy command on every call; *grpc-go* uses per-RPC OAuth credentials.", r.o.slices),
		"bare calls/s", false,
		func(bare *unaryRuns) string { return bare.callsPerSec.rate() },
		func(g suite.Cell, col column) string { return r.ratios(g, col.c, col.ref).ratioCI() })
	r.groupTable(w, "Unary calls over loopback: client allocations per call",
		"Bare: allocations and bytes per call (medians); others: the difference of the medians from bare's in the same cell (from ideal's in the *authwire − ideal* column).",
		"bare", true,
		func(bare *unaryRuns) string {
			return fmt.Sprintf("%.0f, %s B", bare.allocs.median(), sig(bare.bytes.median()))
		},
		func(g suite.Cell, col column) string {
			u, base := r.pair(g, col.c, col.ref)
			return signed(u.allocs.median()-base.allocs.median(), "") + ", " + signed(u.bytes.median()-base.bytes.median(), " B")
		})
	r.groupTable(w, "Unary calls over loopback: CPU per call",
		"CPU time per call of the client process (with the commands it ran) plus the server process, read around each slice. Bare: microseconds per call, client + server (medians); others: the reference client's total divided by this client's, paired by round (the throughput ratio a CPU-bound run would show), median and 95 % confidence interval of the median.",
		"bare µs/call", false,
		func(bare *unaryRuns) string {
			return fmt.Sprintf("%.0f + %.0f", bare.clientCPU.median()/1e3, bare.serverCPU.median()/1e3)
		},
		func(g suite.Cell, col column) string { return r.cpuRatios(g, col.c, col.ref).ratioCI() })
}

func (r *report) clientOnlyTable(w writer) {
	w("### Client only: one call on a stub next hop\n\n")
	w("connect-go (net/http for REST) over a RoundTripper that answers a canned 16 B success at once, one caller: the client's own CPU and allocations per call, medians (min–max) over %d rounds.\n\n", r.o.slices)
	w("| protocol | client | ns/call | over bare | allocs | over bare | B | over bare |\n|---|---|---|---|---|---|---|---|\n")
	for _, p := range r.clientOnlyProtocols() {
		bare := r.clientOnly[string(p)+"/bare"]
		for _, c := range clientOnlyClients {
			u := r.clientOnly[string(p)+"/"+string(c)]
			w("| %s | %s | %s | %s | %.0f | %s | %.0f | %s |\n", p, c, u.nsPerOp.rate(),
				signed(u.nsPerOp.median()-bare.nsPerOp.median(), " ns"),
				u.allocs.median(), signed(u.allocs.median()-bare.allocs.median(), ""),
				u.bytes.median(), signed(u.bytes.median()-bare.bytes.median(), " B"))
		}
	}
	w("\nEach layer's own cost on a successful gRPC call (its chain minus the chain beneath it):\n\n| layer | allocs | B |\n|---|---|---|\n")
	for _, l := range r.layerCosts {
		w("| `%s` | %s | %s |\n", l.layer, signed(l.allocs, ""), signed(l.bytes, ""))
	}
	w("\n")
}

func (r *report) streamTable(w writer) {
	w("### Long server stream\n\n")
	w("One server stream of %d messages of %d B over h2c: messages per second (median, min–max), the ratio to bare paired by round, the peak live heap while a stream of %d and of %d messages ran (over the heap before it, medians), and the bytes allocated per message.\n\n", r.o.streamMsgs, 64, r.o.streamMsgs/10, r.o.streamMsgs)
	w("| protocol | client | messages/s | vs bare | peak heap, %d msgs | peak heap, %d msgs | B allocated per msg |\n|---|---|---|---|---|---|---|\n", r.o.streamMsgs/10, r.o.streamMsgs)
	for _, p := range r.streamProtocol {
		bare := r.stream[string(p)+"/bare"]
		for _, c := range streamClients {
			s := r.stream[string(p)+"/"+string(c)]
			w("| %s | %s | %s | %s | %s | %s | %.0f |\n", p, c, s.msgsPerSec.rate(), pairRatios(s.msgsPerSec, bare.msgsPerSec).ratio(),
				kib(s.peakShort.median()), kib(s.peakLong.median()), s.perMsg.median())
		}
	}
	w("\n")
}

func (r *report) stormTable(w writer) {
	w("### Refresh storm\n\n")
	w("%d concurrent unary calls against `authtest` over TLS, after one unmeasured storm that fills the connection pool; then the same with every access token revoked just before. In a revoked storm the server answers %d requests: every call was sent with the dead token, is rejected, and is sent again. So the limit of the revoked storm's wall time is twice the valid storm's when the run is bound by the server. Medians (min–max) over %d rounds; the wall ratio is paired by round, with the 95 %% interval of its median. The server (`authtest`) runs in the client's process, so *bound by* reads that process's CPU time against wall time during the storms (summed over the rounds) and splits a CPU profile of them by stack: the HTTP server's goroutines and `authtest`, the client's, and the runtime's own (GC, scheduler), which serves both.\n\n", r.o.stormCalls, 2*r.o.stormCalls, r.o.rounds)
	w("| client/protocol | recovered | token requests | wall, token valid | wall, token revoked | revoked ÷ valid | bound by, token valid | bound by, token revoked |\n|---|---|---|---|---|---|---|---|\n")
	for _, key := range r.stormOrder {
		s := r.storm[key]
		w("| %s | %.0f (%.0f–%.0f) | %.0f (%.0f–%.0f) | %s | %s | %s | %s | %s |\n", key,
			s.recovered.median(), s.recovered.min(), s.recovered.max(),
			s.tokens.median(), s.tokens.min(), s.tokens.max(),
			ms(s.validWall.median()), ms(s.revokedWall.median()),
			pairRatios(s.revokedWall, s.validWall).ratioCI(),
			s.validLoad.bound(runtime.NumCPU()), s.revokedLoad.bound(runtime.NumCPU()))
	}
	w("\n")
}

func (r *report) proxyTable(w writer) {
	w("### Proxy command runs\n\n")
	w("Runs of the proxy command during the unary matrix (counted by the server's proxy-token route, charged to the client whose slice was running) against the calls the server saw from the same clients.\n\n")
	w("| client | clients built | calls | command runs | runs per 1000 calls |\n|---|---|---|---|---|\n")
	for _, c := range []suite.Client{suite.Authwire, suite.CmdInterceptor} {
		var runs, calls, built int64
		for _, cell := range r.cells {
			if cell.Client == c {
				u := r.unary[cell.Name()]
				runs += u.proxyRuns
				calls += u.serverCalls
				built++
			}
		}
		if calls == 0 {
			continue
		}
		w("| %s | %d | %d | %d | %.2f |\n", c, built, calls, runs, float64(runs)/float64(calls)*1000)
	}
	w("\n")
}

// machine describes the host: CPU model, cores, memory, OS, Go.
func machine() string {
	model := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf(", %d GiB", (kb+1<<19)>>20)
		}
	}
	kernel := ""
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = " " + strings.TrimSpace(string(b))
	}
	return fmt.Sprintf("%s, %d cores%s, %s/%s%s, %s", model, runtime.NumCPU(), mem, runtime.GOOS, runtime.GOARCH, kernel, runtime.Version())
}

// command is how to run this report again with the same flags.
func command() string {
	return strings.TrimSpace("cd bench && go run ./cmd/benchreport " + strings.Join(os.Args[1:], " "))
}

func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// aaGoalRows writes what the A/A comparison (bare-again ÷ bare) says about
// the run's noise: the spread of its medians and the width of their
// confidence intervals, which is the smallest difference a cell resolves.
func (r *report) aaGoalRows(w writer) {
	for _, m := range r.measures() {
		var meds, halves series
		excl, total := 0, 0
		for _, grp := range r.groups() {
			s := m.ratios(grp, suite.BareAgain, suite.Bare)
			if len(s) == 0 {
				continue
			}
			total++
			lo, hi := s.ci()
			meds = append(meds, s.median())
			halves = append(halves, (hi-lo)/2)
			if lo > 1 || hi < 1 {
				excl++
			}
		}
		if total == 0 {
			continue
		}
		w("| A/A, bare-again ÷ bare (%s): the noise floor | medians %.2f–%.2f over %d cells; 95 %% interval of a median ±%.3f typical (±%.3f widest); interval excludes 1.00 in %d of %d cells (≈5 %% expected by chance) | — |\n",
			m.how, meds.min(), meds.max(), total, halves.median(), halves.max(), excl, total)
	}
}

// clientOnlyGoalRows writes the goals measured on the stub next hop.
func (r *report) clientOnlyGoalRows(w writer) {
	if len(r.clientOnly) == 0 {
		return
	}
	var worstA, worstB float64
	for _, p := range r.clientOnlyProtocols() {
		a, bare := r.clientOnly[string(p)+"/authwire"], r.clientOnly[string(p)+"/bare"]
		worstA = max(worstA, a.allocs.median()-bare.allocs.median())
		worstB = max(worstB, a.bytes.median()-bare.bytes.median())
	}
	w("| ≤ +4 allocations per call (client only, stub next hop) | at most %s over bare, every protocol | %s |\n", signed(worstA, ""), mark(worstA <= 4.5))
	w("| ≤ +512 B per call | at most %s over bare: one shallow request copy (320 B) and its header map (400 B) are the floor for any stack that copies the request before adding headers | %s |\n", signed(worstB, " B"), mark(worstB <= 512))
	var errsDetail string
	errsOK := true
	for _, l := range r.layerCosts {
		if strings.HasPrefix(l.layer, "*errs.") {
			errsDetail = fmt.Sprintf("`%s`: %s allocations, %s on success", l.layer, signed(l.allocs, ""), signed(l.bytes, " B"))
			errsOK = l.allocs < 0.5
		}
	}
	switch {
	case len(r.layerCosts) == 0:
	case errsDetail == "":
		w("| errs layer allocates nothing on success | not in `transport.New` yet (the budget test covers it once it is) | — |\n")
	default:
		w("| errs layer allocates nothing on success | %s | %s |\n", errsDetail, mark(errsOK))
	}
}
