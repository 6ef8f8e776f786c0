package main

import (
	"bytes"
	"fmt"
	"math"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/google/pprof/profile"

	"github.com/authwire/authwire/bench/benchserver"
)

// The code under test, as it appears in profiles.
const (
	libPrefix   = "github.com/authwire/authwire/"
	benchPrefix = "github.com/authwire/authwire/bench/"
	idealFrame  = benchPrefix + "suite.(*IdealTransport)."
	checkPrefix = benchPrefix + "benchserver."
	checkSuffix = "(*Server).check.func1" // inlined into routes, its name says so
)

// category is a share of a process's CPU time, recognised by the functions
// on a sample's stack (leaf first). A sample belongs to the first category
// that matches it.
type category struct {
	name  string
	match func(stack []string) bool
}

var categories = []category{
	{"GC: marking, assists, sweeping", anyFrame(isGC)},
	{"scheduler: parking, waking, finding work", anyFrame(isScheduler)},
	{"system calls: loopback reads and writes", anyFrame(func(f string) bool {
		return strings.HasPrefix(f, "syscall.") || strings.HasPrefix(f, "internal/runtime/syscall.") || strings.HasPrefix(f, "internal/poll.")
	})},
	{"client layers' own work (authwire, ideal)", layersOwn},
	{"server credential check", checkOwn},
	{"HTTP/2 headers: HPACK and header maps", anyFrame(func(f string) bool {
		return strings.Contains(f, "hpack.") || strings.Contains(f, "ncodeHeaders") || strings.Contains(f, "readMetaFrame") ||
			strings.Contains(f, "newWriterAndRequest") || strings.Contains(f, "CanonicalMIMEHeaderKey")
	})},
	{"allocation (mallocgc) elsewhere", anyFrame(func(f string) bool { return f == "runtime.mallocgc" })},
	{"everything else", func([]string) bool { return true }},
}

func anyFrame(pred func(string) bool) func([]string) bool {
	return func(stack []string) bool { return slices.ContainsFunc(stack, pred) }
}

func isGC(f string) bool {
	return strings.HasPrefix(f, "runtime.gc") || strings.HasPrefix(f, "runtime.bgs") ||
		strings.HasPrefix(f, "runtime.(*sweepLocked)") || f == "runtime.sweepone" || f == "runtime.markroot" || f == "runtime.scanobject"
}

var schedulerFrames = map[string]bool{
	"runtime.schedule": true, "runtime.findRunnable": true, "runtime.park_m": true, "runtime.goready": true,
	"runtime.ready": true, "runtime.wakep": true, "runtime.stealWork": true, "runtime.netpoll": true,
	"runtime.notesleep": true, "runtime.notewakeup": true, "runtime.futexsleep": true, "runtime.futexwakeup": true,
	"runtime.gopark": true, "runtime.newproc": true, "runtime.goexit0": true, "runtime.mPark": true,
	"runtime.stopm": true, "runtime.startm": true, "runtime.handoffp": true, "runtime.resetspinning": true,
}

func isScheduler(f string) bool { return schedulerFrames[f] }

// routerFrame is the base transport's own router, in bare's calls too.
const routerFrame = libPrefix + "transport.(*schemeRouter)."

func isLayer(f string) bool {
	return (strings.HasPrefix(f, libPrefix) && !strings.HasPrefix(f, benchPrefix) && !strings.HasPrefix(f, routerFrame)) ||
		strings.HasPrefix(f, idealFrame)
}

// isBaseEntry is a frame where a layer hands work to the base transport:
// the request, or a read or close of a response body it wraps (which the
// caller does through the wrapper, and bare callers do directly).
func isBaseEntry(f string) bool {
	if strings.HasPrefix(f, routerFrame) {
		return true
	}
	if !strings.HasPrefix(f, "net/http.") {
		return false
	}
	for _, s := range []string{"RoundTrip", "roundTrip", "Body.Read", "Body).Read", "Body.Close", "Body).Close"} {
		if strings.Contains(f, s) {
			return true
		}
	}
	return false
}

// layersOwn matches a sample in a layer's code, or in what a layer calls
// other than the base transport.
func layersOwn(stack []string) bool {
	i := slices.IndexFunc(stack, isLayer)
	return i >= 0 && !slices.ContainsFunc(stack[:i], isBaseEntry)
}

// checkOwn matches a sample in the server's credential check, not in the
// service it hands the request to.
func checkOwn(stack []string) bool {
	i := slices.IndexFunc(stack, func(f string) bool { return strings.HasPrefix(f, checkPrefix) && strings.HasSuffix(f, checkSuffix) })
	return i >= 0 && (i == 0 || !strings.HasPrefix(stack[i-1], "net/http.(*ServeMux)"))
}

// cpuSplit is a CPU profile summed by category.
type cpuSplit struct {
	nanos   map[string]float64
	samples map[string]int64
	period  float64 // nanoseconds one sample stands for
}

// scaleTo scales the split so that its total is cpu nanoseconds: the
// profile gives the shares, the process's measured CPU time the magnitude.
func (s *cpuSplit) scaleTo(cpu float64) {
	t := s.total()
	if t == 0 || cpu <= 0 {
		return
	}
	f := cpu / t
	for k := range s.nanos {
		s.nanos[k] *= f
	}
	s.period *= f
}

// count is the number of samples.
func (s cpuSplit) count() int64 {
	var n int64
	for _, v := range s.samples {
		n += v
	}
	return n
}

func (s cpuSplit) total() float64 {
	var t float64
	for _, v := range s.nanos {
		t += v
	}
	return t
}

// split sums p by category.
func split(p *profile.Profile) (cpuSplit, error) {
	idx := slices.IndexFunc(p.SampleType, func(t *profile.ValueType) bool { return t.Type == "cpu" && t.Unit == "nanoseconds" })
	if idx < 0 {
		return cpuSplit{}, fmt.Errorf("not a CPU profile")
	}
	s := cpuSplit{nanos: map[string]float64{}, samples: map[string]int64{}, period: float64(p.Period)}
	for _, smp := range p.Sample {
		stack := functions(smp)
		for _, c := range categories {
			if c.match(stack) {
				s.nanos[c.name] += float64(smp.Value[idx])
				s.samples[c.name] += smp.Value[0]
				break
			}
		}
	}
	return s, nil
}

// functions returns the functions on a sample's stack, leaf first, inlined
// calls included.
func functions(smp *profile.Sample) []string {
	var stack []string
	for _, loc := range smp.Location {
		for _, ln := range loc.Line {
			if ln.Function != nil {
				stack = append(stack, ln.Function.Name)
			}
		}
	}
	return stack
}

// cpuProfile runs f under this process's CPU profiler, sampling hz times a
// second, and returns the profile.
func cpuProfile(hz int, f func() error) (*profile.Profile, error) {
	var buf bytes.Buffer
	benchserver.SetProfileRate(hz)
	if err := pprof.StartCPUProfile(&buf); err != nil {
		return nil, err
	}
	err := f()
	pprof.StopCPUProfile()
	if err != nil {
		return nil, err
	}
	return profile.Parse(&buf)
}

// twoSigma is twice the standard deviation of a difference of two sample
// counts per call (Poisson counts of period-long samples), in nanoseconds.
func twoSigma(nA int64, callsA float64, nB int64, callsB float64, period float64) float64 {
	a := period * math.Sqrt(float64(nA)) / callsA
	b := period * math.Sqrt(float64(nB)) / callsB
	return 2 * math.Sqrt(a*a+b*b)
}

// load is how a run that serves and calls in one process used the CPU:
// process CPU time over wall time, and its profile's samples split into
// the server's goroutines, the client's, and the runtime's own.
type load struct {
	cpu, wall                float64 // nanoseconds
	server, client, runtime_ int64   // samples
}

// add sums l and m.
func (l load) add(m load) load {
	return load{l.cpu + m.cpu, l.wall + m.wall, l.server + m.server, l.client + m.client, l.runtime_ + m.runtime_}
}

// serverSide matches a stack of the HTTP server: its connections, its
// HTTP/2 serving and its handlers.
func serverSide(stack []string) bool {
	return slices.ContainsFunc(stack, func(f string) bool {
		return strings.HasPrefix(f, "net/http.(*conn).") || strings.HasPrefix(f, "net/http.(*http2serverConn).") ||
			strings.HasPrefix(f, "net/http.(*http2Server).") || strings.HasPrefix(f, "net/http.(*Server).") ||
			strings.HasPrefix(f, libPrefix+"authtest.")
	})
}

// runtimeOnly matches a stack with nothing but the runtime on it (GC
// workers, the scheduler), which serves both sides.
func runtimeOnly(stack []string) bool {
	return !slices.ContainsFunc(stack, func(f string) bool { return !strings.HasPrefix(f, "runtime.") })
}

// measureLoad runs f under the CPU profiler and returns its load.
func measureLoad(f func()) (load, error) {
	var l load
	began := time.Now()
	self0, _ := benchserver.CPUTime()
	p, err := cpuProfile(100, func() error { f(); return nil })
	self1, _ := benchserver.CPUTime()
	l.wall = float64(time.Since(began))
	l.cpu = float64(self1 - self0)
	if err != nil {
		return l, err
	}
	for _, smp := range p.Sample {
		stack := functions(smp)
		switch {
		case serverSide(stack):
			l.server += smp.Value[0]
		case runtimeOnly(stack):
			l.runtime_ += smp.Value[0]
		default:
			l.client += smp.Value[0]
		}
	}
	return l, nil
}

// bound says which side bound a run: with the CPU busy (at least 85 % of
// the cores), the side that used more of it; otherwise neither side's CPU
// (the run waited on something else).
func (l load) bound(cores int) string {
	n := float64(l.server + l.client + l.runtime_)
	if n == 0 || l.wall == 0 {
		return "—"
	}
	busy := l.cpu / l.wall
	side := "the server"
	if l.client > l.server {
		side = "the client"
	}
	if busy < 0.85*float64(cores) {
		side = "neither side's CPU"
	}
	return fmt.Sprintf("%s (%.1f of %d cores busy; samples: server %.0f %%, client %.0f %%, runtime %.0f %%)",
		side, busy, cores, 100*float64(l.server)/n, 100*float64(l.client)/n, 100*float64(l.runtime_)/n)
}
