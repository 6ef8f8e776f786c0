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
	w(". The loopback server (`benchserver`) ran in a child process, so allocation figures are the client's alone.\n\n")
	w("The stack from `transport.New`, outside in: %s.", "`"+strings.Join(r.layers, "` → `")+"`")
	if !r.errsLayer {
		w(" `transport.New` does not include the errs retry layer (`errs.NewRetryTransport`) at this commit, so it is not in these figures; `transport/alloc_ext_test.go` requires it to allocate nothing on success once it is.")
	}
	w("\n\n")
	r.goals(w)
	r.unaryTables(w)
	r.clientOnlyTable(w)
	r.streamTable(w)
	r.stormTable(w)
	r.proxyTable(w)
	return b.String()
}

type writer func(format string, args ...any)

func mark(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

// pair returns the runs of client c and of bare in cell g, or nils.
func (r *report) pair(g suite.Cell, c suite.Client) (u, bare *unaryRuns) {
	g.Client = c
	u = r.unary[g.Name()]
	g.Client = suite.Bare
	bare = r.unary[g.Name()]
	if u == nil || bare == nil {
		return nil, nil
	}
	return u, bare
}

// ratios returns the paired throughput ratios of client c in cell g.
func (r *report) ratios(g suite.Cell, c suite.Client) series {
	u, bare := r.pair(g, c)
	if u == nil {
		return nil
	}
	return pairRatios(u.callsPerSec, bare.callsPerSec)
}

// cpuRatios returns, round by round, bare's CPU per call (client and server)
// over client c's: the throughput ratio a CPU-bound run would show.
func (r *report) cpuRatios(g suite.Cell, c suite.Client) series {
	u, bare := r.pair(g, c)
	if u == nil {
		return nil
	}
	return pairRatios(total(bare), total(u))
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

func (r *report) goals(w writer) {
	w("### Goals\n\n| goal | measured | |\n|---|---|---|\n")
	for _, g := range []struct {
		what  string
		match func(suite.Cell) bool
		min   float64
	}{
		{"whole stack ≥ 0.97× bare, 16 B, 64 callers", func(c suite.Cell) bool { return c.Size == 16 && c.Concurrency == 64 }, 0.97},
		{"whole stack ≥ 0.95× bare, 16 B, 1 caller", func(c suite.Cell) bool { return c.Size == 16 && c.Concurrency == 1 }, 0.95},
		{"whole stack ≥ 0.99× bare, 64 KiB", func(c suite.Cell) bool { return c.Size == 64<<10 }, 0.99},
	} {
		for _, m := range []struct {
			how    string
			ratios func(suite.Cell, suite.Client) series
		}{
			{"calls/s, paired by round", r.ratios},
			{"CPU per call, client + server", r.cpuRatios},
		} {
			var met, total int
			var notMet []string
			for _, grp := range r.groups() {
				if !g.match(grp) {
					continue
				}
				med := m.ratios(grp, suite.Authwire).median()
				total++
				if med >= g.min {
					met++
				} else {
					notMet = append(notMet, fmt.Sprintf("%s/%s/c%d %.2f", grp.Transport, grp.Protocol, grp.Concurrency, med))
				}
			}
			if total == 0 {
				continue
			}
			detail := fmt.Sprintf("%s: median ratio ≥ %.2f in %d of %d cells", m.how, g.min, met, total)
			if len(notMet) > 0 {
				detail += "; below: " + strings.Join(notMet, ", ")
			}
			w("| %s | %s | %s |\n", g.what, detail, mark(met == total))
		}
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
	if errsDetail == "" {
		w("| errs layer allocates nothing on success | not in `transport.New` yet (the budget test covers it once it is) | — |\n")
	} else {
		w("| errs layer allocates nothing on success | %s | %s |\n", errsDetail, mark(errsOK))
	}
	for _, key := range r.stormOrder {
		if !strings.HasPrefix(key, string(suite.Authwire)+"/") {
			continue
		}
		s := r.storm[key]
		ratio := pairRatios(s.revokedWall, s.validWall)
		oneToken := s.tokens.min() == 1 && s.tokens.max() == 1
		all := s.recovered.min() == float64(r.o.stormCalls)
		w("| refresh storm (%s): 1 token request, %d/%d recovered, wall ≤ 1.5× | token requests %.0f–%.0f; recovered %.0f–%.0f; wall ratio %s | %s |\n",
			strings.TrimPrefix(key, "authwire/"), r.o.stormCalls, r.o.stormCalls, s.tokens.min(), s.tokens.max(), s.recovered.min(), s.recovered.max(), ratio.ratio(),
			mark(oneToken && all && ratio.median() <= 1.5))
	}
	var runs, calls int64
	for _, c := range r.cells {
		if c.Client == suite.Authwire {
			u := r.unary[c.Name()]
			runs += u.proxyRuns
			calls += u.serverCalls
		}
	}
	w("| proxy command: at most one run per credential lifetime | %d runs for %d stacks and %d calls | %s |\n", runs, r.stacks, calls, mark(runs <= int64(r.stacks)))
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

// unaryClients are the columns of the unary tables besides bare.
var unaryClients = []suite.Client{suite.Authwire, suite.OAuth2, suite.CmdInterceptor, suite.GRPCGo}

// groupTable writes one unary table: a row per cell, bare's figure, then
// one figure per other client.
func (r *report) groupTable(w writer, title, intro, bareColumn string, bareCell func(*unaryRuns) string, cell func(g suite.Cell, bare *unaryRuns) string) {
	w("### %s\n\n%s\n\n", title, intro)
	w("| transport/protocol/size/callers | %s | authwire | oauth2 | cmd-interceptor | grpc-go |\n|---|---|---|---|---|---|\n", bareColumn)
	for _, g := range r.groups() {
		g.Client = suite.Bare
		bare := r.unary[g.Name()]
		w("| %s | %s |", g.GroupName(), bareCell(bare))
		for _, c := range unaryClients {
			g.Client = c
			if r.unary[g.Name()] == nil {
				w(" — |")
				continue
			}
			w(" %s |", cell(g, bare))
		}
		w("\n")
	}
	w("\n")
}

func (r *report) unaryTables(w writer) {
	r.groupTable(w, "Unary calls over loopback: throughput vs bare",
		fmt.Sprintf("Calls per second of each client divided by those of the bare transport (same transport, protocol, size and callers) in the same round (slices moments apart): median (min–max) over %d rounds. *authwire* is the whole stack with a proxy command and the client-credentials flow, tokens cached; *oauth2* is x/oauth2's Transport (bearer only); *cmd-interceptor* runs the proxy command on every call; *grpc-go* uses per-RPC OAuth credentials.", r.o.slices),
		"bare calls/s",
		func(bare *unaryRuns) string { return bare.callsPerSec.rate() },
		func(g suite.Cell, _ *unaryRuns) string { return r.ratios(g, g.Client).ratio() })
	r.groupTable(w, "Unary calls over loopback: client allocations per call",
		"Bare: allocations and bytes per call (medians); others: the difference from bare in the same cell.",
		"bare",
		func(bare *unaryRuns) string {
			return fmt.Sprintf("%.0f, %s B", bare.allocs.median(), sig(bare.bytes.median()))
		},
		func(g suite.Cell, bare *unaryRuns) string {
			u := r.unary[g.Name()]
			return signed(u.allocs.median()-bare.allocs.median(), "") + ", " + signed(u.bytes.median()-bare.bytes.median(), " B")
		})
	r.groupTable(w, "Unary calls over loopback: CPU per call",
		"CPU time per call of the client process (with the commands it ran) plus the server process, read around each slice. Bare: microseconds per call, client + server (medians); others: bare's total divided by the client's, paired by round — the throughput ratio a CPU-bound run would show.",
		"bare µs/call",
		func(bare *unaryRuns) string {
			return fmt.Sprintf("%.0f + %.0f", bare.clientCPU.median()/1e3, bare.serverCPU.median()/1e3)
		},
		func(g suite.Cell, _ *unaryRuns) string { return r.cpuRatios(g, g.Client).ratio() })
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
	w("%d concurrent unary calls against `authtest` over TLS, after one unmeasured storm that fills the connection pool; then the same with every access token revoked just before. In a revoked storm the server answers %d requests: every call was sent with the dead token, is rejected, and is sent again. Medians (min–max) over %d rounds; the wall ratio is paired by round.\n\n", r.o.stormCalls, 2*r.o.stormCalls, r.o.rounds)
	w("| client/protocol | recovered | token requests | wall, token valid | wall, token revoked | revoked ÷ valid |\n|---|---|---|---|---|---|\n")
	for _, key := range r.stormOrder {
		s := r.storm[key]
		w("| %s | %.0f (%.0f–%.0f) | %.0f (%.0f–%.0f) | %s | %s | %s |\n", key,
			s.recovered.median(), s.recovered.min(), s.recovered.max(),
			s.tokens.median(), s.tokens.min(), s.tokens.max(),
			ms(s.validWall.median()), ms(s.revokedWall.median()),
			pairRatios(s.revokedWall, s.validWall).ratio())
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
