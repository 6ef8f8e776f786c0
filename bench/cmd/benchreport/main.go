// Command benchreport runs authwire's benchmarks interleaved over several
// rounds and prints a Markdown report: medians, ranges, ratios paired
// round by round against the bare transport, and allocation deltas. The
// loopback server runs in a child process, so allocation counts are the
// client's alone.
//
//	cd bench && go run ./cmd/benchreport -readme README.md
//
// With -readme, the report replaces the part of that file between the
// lines "<!-- benchreport:begin -->" and "<!-- benchreport:end -->". The
// defaults finish in about ten minutes on two cores; -quick runs a small
// subset in about one.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authwire/authwire/bench/benchserver"
	"github.com/authwire/authwire/internal/fakecmd"
)

type options struct {
	slices     int
	slice      time.Duration
	rounds     int
	stormCalls int
	streamMsgs int
	quick      bool
	readme     string
	steps      string

	profileDir    string
	profileCells  string
	profileRounds int
	profileSlice  time.Duration
	profileHz     int
}

func main() {
	fakecmd.Main()
	benchserver.ServeIfChild()
	testing.Init()
	var o options
	flag.IntVar(&o.slices, "slices", 30, "interleaved slices of each unary and client-only benchmark")
	flag.DurationVar(&o.slice, "slice", 50*time.Millisecond, "length of one slice")
	flag.IntVar(&o.rounds, "rounds", 7, "interleaved rounds of the stream and storm benchmarks")
	flag.IntVar(&o.stormCalls, "storm", 1000, "concurrent calls of a refresh storm")
	flag.IntVar(&o.streamMsgs, "stream", 100000, "messages of the long server stream")
	flag.BoolVar(&o.quick, "quick", false, "a small subset: 16 B, h2c, Connect and gRPC; fewer slices, rounds, messages and calls unless set")
	flag.StringVar(&o.readme, "readme", "", "update the report section of this Markdown file")
	flag.StringVar(&o.steps, "steps", strings.Join(stepNames, ","), "the steps to run, comma-separated")
	flag.StringVar(&o.profileDir, "profiles", filepath.Join(os.TempDir(), "authwire-bench-profiles"), "where the profiles step writes its CPU profiles")
	flag.StringVar(&o.profileCells, "profile-cells", "h2c/connect/16B/c64,h2c/grpc/16B/c64", "the cells the profiles step runs, comma-separated")
	flag.IntVar(&o.profileRounds, "profile-rounds", 10, "slices of each client in the profiles step")
	flag.DurationVar(&o.profileSlice, "profile-slice", 3*time.Second, "length of one slice of the profiles step")
	flag.IntVar(&o.profileHz, "profile-hz", 500, "CPU profile samples per second in the profiles step (above 100, the runtime warns once per profile that it keeps the rate)")
	flag.Parse()
	if o.quick { // smaller defaults, for the flags not given
		set := map[string]bool{}
		flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
		for _, d := range []struct {
			name  string
			v     *int
			quick int
		}{{"slices", &o.slices, 10}, {"rounds", &o.rounds, 2}, {"stream", &o.streamMsgs, 20000}, {"storm", &o.stormCalls, 300}, {"profile-rounds", &o.profileRounds, 2}} {
			if !set[d.name] {
				*d.v = d.quick
			}
		}
	}
	if err := run(o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func run(o options, stdout, progress io.Writer) error {
	if o.slices < 1 || o.slice <= 0 || o.rounds < 1 || o.stormCalls < 1 || o.streamMsgs < 10 || o.profileRounds < 1 || o.profileSlice <= 0 {
		return fmt.Errorf("bad flags")
	}
	want := map[string]bool{}
	for _, s := range strings.Split(o.steps, ",") {
		if !slices.Contains(stepNames, s) {
			return fmt.Errorf("no step %q (steps: %s)", s, strings.Join(stepNames, ","))
		}
		want[s] = true
	}
	if err := flag.Set("test.benchtime", "200ms"); err != nil { // the per-layer benchmarks
		return err
	}
	ctx := context.Background()
	rep := newReport(o)
	target, err := benchserver.Spawn()
	if err != nil {
		return err
	}
	defer target.Close()
	if err := rep.describeStack(ctx, target); err != nil {
		return err
	}
	steps := []struct {
		name string
		run  func(context.Context, *benchserver.Target, io.Writer) error
	}{
		{"unary", rep.runUnary},
		{"clientonly", rep.runClientOnly},
		{"layers", rep.runLayers},
		{"profiles", rep.runProfiles},
		{"stream", rep.runStream},
		{"storm", rep.runStorm},
	}
	for _, s := range steps {
		if !want[s.name] {
			continue
		}
		began := time.Now()
		fmt.Fprintf(progress, "== %s\n", s.name)
		if err := s.run(ctx, target, progress); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Fprintf(progress, "   %s done in %v\n", s.name, time.Since(began).Round(time.Second))
	}
	rep.elapsed = time.Since(rep.started)
	md := rep.markdown()
	if _, err := io.WriteString(stdout, md); err != nil {
		return err
	}
	if o.readme != "" {
		return updateReadme(o.readme, md)
	}
	return nil
}

// stepNames are the steps of a run, in order.
var stepNames = []string{"unary", "clientonly", "layers", "profiles", "stream", "storm"}

const (
	beginMarker = "<!-- benchreport:begin -->"
	endMarker   = "<!-- benchreport:end -->"
)

// updateReadme replaces the text between the markers of path with md.
func updateReadme(path, md string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(b)
	i, j := strings.Index(s, beginMarker), strings.Index(s, endMarker)
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %s … %s section", path, beginMarker, endMarker)
	}
	s = s[:i+len(beginMarker)] + "\n" + md + s[j:]
	return os.WriteFile(path, []byte(s), 0o644)
}
