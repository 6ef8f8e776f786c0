package main

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/bench/benchserver"
	"github.com/authwire/authwire/bench/suite"
)

// report collects every measurement of one run.
type report struct {
	o       options
	started time.Time
	elapsed time.Duration

	layers    []string // the stack from transport.New, outside in
	errsLayer bool     // whether an errs layer is among them

	cells  []suite.Cell
	unary  map[string]*unaryRuns // by cell name
	stacks int                   // authwire stacks built in the unary matrix

	clientOnly     map[string]*unaryRuns // by protocol/client
	layerCosts     []layerCost
	stream         map[string]*streamRuns // by protocol/client
	storm          map[string]*stormRuns  // by client/protocol
	stormOrder     []string
	streamProtocol []suite.Protocol

	profiles []profiledCell
}

type unaryRuns struct {
	nsPerOp, callsPerSec, allocs, bytes series
	clientCPU, serverCPU                series // ns per call
	proxyRuns, serverCalls              int64
}

type layerCost struct {
	layer         string
	allocs, bytes float64 // this layer's own, over the next hop
}

type streamRuns struct {
	msgsPerSec                  series
	peakShort, peakLong, perMsg series
}

type stormRuns struct {
	recovered, tokens, validWall, revokedWall series
	firstError                                error
	validLoad, revokedLoad                    load // summed over the rounds
}

func newReport(o options) *report {
	return &report{
		o:          o,
		started:    time.Now(),
		unary:      map[string]*unaryRuns{},
		clientOnly: map[string]*unaryRuns{},
		stream:     map[string]*streamRuns{},
		storm:      map[string]*stormRuns{},
	}
}

// describeStack records the layers transport.New assembles.
func (r *report) describeStack(ctx context.Context, t *benchserver.Target) error {
	rt, err := suite.Stack(ctx, t, suite.H2C)
	if err != nil {
		return err
	}
	for _, l := range suite.Layers(rt) {
		r.layers = append(r.layers, fmt.Sprintf("%T", l))
		ty := reflect.TypeOf(l)
		if ty.Kind() == reflect.Pointer {
			ty = ty.Elem()
		}
		if ty.PkgPath() == "github.com/authwire/authwire/errs" {
			r.errsLayer = true
		}
	}
	return nil
}

// bench runs f as a benchmark and returns its result; failed reports a
// b.Fatal inside f.
func bench(f func(b *testing.B)) (res testing.BenchmarkResult, failed bool) {
	var bad atomic.Bool
	res = testing.Benchmark(func(b *testing.B) {
		defer func() {
			if b.Failed() {
				bad.Store(true)
			}
		}()
		f(b)
	})
	return res, bad.Load() || res.N == 0
}

// add records one slice: calls made in elapsed, and the process's
// allocation counters before and after it.
func (u *unaryRuns) add(calls int64, elapsed time.Duration, before, after *runtime.MemStats) {
	ns := float64(elapsed.Nanoseconds()) / float64(calls)
	u.nsPerOp = append(u.nsPerOp, ns)
	u.callsPerSec = append(u.callsPerSec, 1e9/ns)
	u.allocs = append(u.allocs, float64(after.Mallocs-before.Mallocs)/float64(calls))
	u.bytes = append(u.bytes, float64(after.TotalAlloc-before.TotalAlloc)/float64(calls))
}

func (r *report) matrix() []suite.Cell {
	transports := []suite.Transport{suite.H2C, suite.TLS}
	protocols := []suite.Protocol{suite.Connect, suite.GRPC, suite.GRPCWeb, suite.REST}
	sizes := []int{16, 64 << 10}
	if r.o.quick {
		transports, protocols, sizes = transports[:1], protocols[:2], sizes[:1]
	}
	return suite.Matrix(transports, protocols, sizes, []int{1, 64})
}

// rotate returns s turned left by k, so each slice starts with another
// client of the group.
func rotate[T any](s []T, k int) []T {
	k %= len(s)
	return append(append([]T(nil), s[k:]...), s[:k]...)
}

// slicer runs the clients of one group in interleaved slices.
type slicer struct {
	callers     []suite.Caller
	runs        []*unaryRuns
	concurrency int
	d           time.Duration
	// stats, when set, reads the server's counters around each slice, to
	// charge proxy command runs and calls to the client that caused them.
	stats func() (benchserver.Stats, error)
}

// charge runs f and adds the server's proxy-token hits and calls during it
// to u.
func charge(stats func() (benchserver.Stats, error), u *unaryRuns, f func() error) error {
	if stats == nil {
		return f()
	}
	before, err := stats()
	if err != nil {
		return err
	}
	if err := f(); err != nil {
		return err
	}
	after, err := stats()
	if err != nil {
		return err
	}
	u.proxyRuns += after.ProxyTokens - before.ProxyTokens
	u.serverCalls += after.Calls - before.Calls
	return nil
}

// run makes one unmeasured slice per client, then n rounds of one slice
// per client, rotating the order.
func (s *slicer) run(ctx context.Context, n int, name func(i int) string) error {
	for i := range s.callers {
		if err := s.slice(ctx, i, s.d/2, false); err != nil {
			return fmt.Errorf("%s: %w", name(i), err)
		}
	}
	order := make([]int, len(s.callers))
	for i := range order {
		order[i] = i
	}
	for round := range n {
		for _, i := range rotate(order, round) {
			if err := s.slice(ctx, i, s.d, true); err != nil {
				return fmt.Errorf("%s: %w", name(i), err)
			}
		}
	}
	return nil
}

// slice runs client i for d and, with record, adds the slice's figures:
// rate, allocations, and the CPU time the client process (with the
// commands it ran) and the server process spent per call.
func (s *slicer) slice(ctx context.Context, i int, d time.Duration, record bool) error {
	var (
		before, after runtime.MemStats
		sBefore       benchserver.Stats
		err           error
	)
	if s.stats != nil {
		if sBefore, err = s.stats(); err != nil {
			return err
		}
	}
	runtime.ReadMemStats(&before)
	self0, children0 := benchserver.CPUTime()
	calls, elapsed, err := suite.Slice(ctx, s.callers[i], s.concurrency, d)
	self1, children1 := benchserver.CPUTime()
	runtime.ReadMemStats(&after)
	if err != nil {
		return err
	}
	u := s.runs[i]
	if s.stats != nil {
		sAfter, err := s.stats()
		if err != nil {
			return err
		}
		u.proxyRuns += sAfter.ProxyTokens - sBefore.ProxyTokens
		u.serverCalls += sAfter.Calls - sBefore.Calls
		if record {
			u.serverCPU = append(u.serverCPU, float64(sAfter.CPUNanos-sBefore.CPUNanos)/float64(calls))
		}
	}
	if record {
		u.add(calls, elapsed, &before, &after)
		u.clientCPU = append(u.clientCPU, float64(self1-self0+children1-children0)/float64(calls))
	}
	return nil
}

func (r *report) runUnary(ctx context.Context, t *benchserver.Target, progress io.Writer) error {
	r.cells = r.matrix()
	var groups [][]suite.Cell
	for i, c := range r.cells {
		if i == 0 || c.GroupName() != r.cells[i-1].GroupName() {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], c)
	}
	for gi, g := range groups {
		if err := r.measureGroup(ctx, t, g); err != nil {
			return err
		}
		if (gi+1)%8 == 0 || gi == len(groups)-1 {
			fmt.Fprintf(progress, "   %d/%d cells\n", gi+1, len(groups))
		}
	}
	return nil
}

func (r *report) measureGroup(ctx context.Context, t *benchserver.Target, g []suite.Cell) error {
	s := &slicer{concurrency: g[0].Concurrency, d: r.o.slice, stats: t.Stats}
	defer func() {
		for _, c := range s.callers {
			c.Close()
		}
	}()
	for _, cell := range g {
		u := &unaryRuns{}
		err := charge(s.stats, u, func() error {
			caller, err := suite.NewCaller(ctx, t, cell)
			if err == nil {
				s.callers = append(s.callers, caller)
			}
			return err
		})
		if err != nil {
			return err
		}
		s.runs = append(s.runs, u)
		r.unary[cell.Name()] = u
		if cell.Client == suite.Authwire {
			r.stacks++
		}
	}
	return s.run(ctx, r.o.slices, func(i int) string { return g[i].Name() })
}

var clientOnlyClients = []suite.Client{suite.Bare, suite.Ideal, suite.Authwire, suite.OAuth2}

func (r *report) clientOnlyProtocols() []suite.Protocol {
	return []suite.Protocol{suite.Connect, suite.GRPC, suite.GRPCWeb, suite.REST}
}

func (r *report) runClientOnly(ctx context.Context, _ *benchserver.Target, _ io.Writer) error {
	for _, p := range r.clientOnlyProtocols() {
		s := &slicer{concurrency: 1, d: r.o.slice}
		for _, c := range clientOnlyClients {
			caller, err := suite.ClientOnly(ctx, c, p, 16)
			if err != nil {
				return err
			}
			s.callers = append(s.callers, caller)
			u := &unaryRuns{}
			s.runs = append(s.runs, u)
			r.clientOnly[string(p)+"/"+string(c)] = u
		}
		err := s.run(ctx, r.o.slices, func(i int) string { return string(p) + "/" + string(clientOnlyClients[i]) })
		for _, c := range s.callers {
			c.Close()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// runLayers measures each layer of the stack on its own: the chain from it
// down to the stub, minus the chain below it, for a gRPC call (the one
// whose answer the bearer layer peeks at).
func (r *report) runLayers(ctx context.Context, _ *benchserver.Target, _ io.Writer) error {
	stub := suite.NewStub(suite.GRPC, 16)
	stack, err := suite.StubStack(ctx, stub)
	if err != nil {
		return err
	}
	req, err := stub.Request(ctx)
	if err != nil {
		return err
	}
	layers := suite.Layers(stack)
	costs := make([][2]float64, len(layers))
	for i, l := range layers {
		if err := suite.RoundTrip(l, req); err != nil {
			return err
		}
		res, failed := bench(func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := suite.RoundTrip(l, req); err != nil {
					b.Fatal(err)
				}
			}
		})
		if failed {
			return fmt.Errorf("layer %T failed", l)
		}
		costs[i] = [2]float64{float64(res.MemAllocs) / float64(res.N), float64(res.MemBytes) / float64(res.N)}
	}
	for i := range len(layers) - 1 {
		r.layerCosts = append(r.layerCosts, layerCost{
			layer:  fmt.Sprintf("%T", layers[i]),
			allocs: costs[i][0] - costs[i+1][0],
			bytes:  costs[i][1] - costs[i+1][1],
		})
	}
	return nil
}

var streamClients = []suite.Client{suite.Bare, suite.Authwire}

func (r *report) runStream(ctx context.Context, t *benchserver.Target, progress io.Writer) error {
	r.streamProtocol = []suite.Protocol{suite.Connect, suite.GRPC}
	for round := range r.o.rounds {
		for _, p := range r.streamProtocol {
			for _, c := range rotate(streamClients, round) {
				s, err := suite.NewStreamer(ctx, t, suite.H2C, p, c)
				if err != nil {
					return err
				}
				key := string(p) + "/" + string(c)
				sr := r.stream[key]
				if sr == nil {
					sr = &streamRuns{}
					r.stream[key] = sr
				}
				res, err := s.Run(ctx, r.o.streamMsgs, nil)
				var short, long suite.StreamResult
				if err == nil {
					_, err = s.Run(ctx, r.o.streamMsgs/10, &short)
				}
				if err == nil {
					_, err = s.Run(ctx, r.o.streamMsgs, &long)
				}
				s.Close()
				if err != nil {
					return fmt.Errorf("%s: %w", key, err)
				}
				sr.msgsPerSec = append(sr.msgsPerSec, float64(res.Messages)/res.Wall.Seconds())
				sr.peakShort = append(sr.peakShort, float64(short.PeakHeap))
				sr.peakLong = append(sr.peakLong, float64(long.PeakHeap))
				sr.perMsg = append(sr.perMsg, float64(long.Allocated)/float64(long.Messages))
			}
		}
		fmt.Fprintf(progress, "   round %d/%d\n", round+1, r.o.rounds)
	}
	return nil
}

type stormCase struct {
	client   suite.Client
	protocol suite.Protocol
}

var stormCases = []stormCase{
	{suite.Authwire, suite.Connect},
	{suite.Authwire, suite.GRPC},
	{suite.OAuth2Reuse, suite.Connect},
	{suite.OAuth2Renew, suite.Connect},
}

func (c stormCase) key() string { return string(c.client) + "/" + string(c.protocol) }

func (r *report) runStorm(ctx context.Context, _ *benchserver.Target, progress io.Writer) error {
	srv, err := authtest.Start()
	if err != nil {
		return err
	}
	defer srv.Close()
	for _, c := range stormCases {
		r.stormOrder = append(r.stormOrder, c.key())
		r.storm[c.key()] = &stormRuns{}
	}
	for round := range r.o.rounds {
		for _, c := range rotate(stormCases, round) {
			s, err := suite.NewStormer(ctx, srv, c.client, c.protocol)
			if err != nil {
				return fmt.Errorf("%s: %w", c.key(), err)
			}
			s.Storm(ctx, r.o.stormCalls, false) // fills the connection pool
			var valid, revoked suite.StormResult
			vl, err := measureLoad(func() { valid = s.Storm(ctx, r.o.stormCalls, false) })
			if err != nil {
				s.Close()
				return err
			}
			rl, err := measureLoad(func() { revoked = s.Storm(ctx, r.o.stormCalls, true) })
			s.Close()
			if err != nil {
				return err
			}
			sr := r.storm[c.key()]
			sr.validLoad = sr.validLoad.add(vl)
			sr.revokedLoad = sr.revokedLoad.add(rl)
			sr.recovered = append(sr.recovered, float64(revoked.Recovered))
			sr.tokens = append(sr.tokens, float64(revoked.TokenRequests))
			sr.validWall = append(sr.validWall, float64(valid.Wall))
			sr.revokedWall = append(sr.revokedWall, float64(revoked.Wall))
			if sr.firstError == nil {
				sr.firstError = revoked.FirstError
			}
		}
		fmt.Fprintf(progress, "   round %d/%d\n", round+1, r.o.rounds)
	}
	return nil
}
