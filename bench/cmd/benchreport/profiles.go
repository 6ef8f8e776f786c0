package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/pprof/profile"

	"github.com/authwire/authwire/bench/benchserver"
	"github.com/authwire/authwire/bench/suite"
)

// profileClients are profiled, in this order, in the profiled cell.
var profileClients = []suite.Client{suite.Bare, suite.Ideal, suite.Authwire}

// profiled is what the profiles of one client say.
type profiled struct {
	calls          int64
	wall           time.Duration
	cpu            [2]float64 // CPU time of the client and the server process, measured
	client, server cpuSplit   // scaled to cpu
}

// parseCell parses "h2c/connect/16B/c64".
func parseCell(s string) (suite.Cell, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 4 || !strings.HasPrefix(parts[3], "c") {
		return suite.Cell{}, fmt.Errorf("cell %q is not transport/protocol/size/cN", s)
	}
	size, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSuffix(parts[2], "KiB"), "B"))
	if err != nil {
		return suite.Cell{}, fmt.Errorf("cell %q: size: %w", s, err)
	}
	if strings.HasSuffix(parts[2], "KiB") {
		size <<= 10
	}
	conc, err := strconv.Atoi(parts[3][1:])
	if err != nil || conc < 1 {
		return suite.Cell{}, fmt.Errorf("cell %q: callers", s)
	}
	return suite.Cell{Transport: suite.Transport(parts[0]), Protocol: suite.Protocol(parts[1]), Size: size, Concurrency: conc}, nil
}

// profiledCell is what the profiles of one cell say, by profileClients.
type profiledCell struct {
	cell    suite.Cell
	clients []profiled
}

// runProfiles profiles every cell of -profile-cells in turn.
func (r *report) runProfiles(ctx context.Context, t *benchserver.Target, progress io.Writer) error {
	for _, name := range strings.Split(r.o.profileCells, ",") {
		cell, err := parseCell(name)
		if err != nil {
			return err
		}
		res, err := r.profileCell(ctx, t, cell, progress)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		r.profiles = append(r.profiles, profiledCell{cell: cell, clients: res})
	}
	return nil
}

// profileCell profiles the client process and the server process while
// each profiled client runs cell: rounds of one slice per client, rotated,
// the profiles of a client merged and written to the profile directory.
func (r *report) profileCell(ctx context.Context, t *benchserver.Target, cell suite.Cell, progress io.Writer) ([]profiled, error) {
	var err error
	callers := make([]suite.Caller, len(profileClients))
	for i, c := range profileClients {
		cell.Client = c
		if callers[i], err = suite.NewCaller(ctx, t, cell); err != nil {
			return nil, err
		}
		defer callers[i].Close()
		if _, _, err := suite.Slice(ctx, callers[i], cell.Concurrency, r.o.slice); err != nil { // warm up
			return nil, err
		}
	}
	profs := make([][2][]*profile.Profile, len(profileClients))
	res := make([]profiled, len(profileClients))
	order := []int{0, 1, 2}
	for round := range r.o.profileRounds {
		for _, i := range rotate(order, round) {
			if err := serverProfile(ctx, t, fmt.Sprintf("%s?hz=%d", benchserver.ProfileStartPath, r.o.profileHz), nil); err != nil {
				return nil, err
			}
			var calls int64
			var wall time.Duration
			before, err := t.Stats()
			if err != nil {
				return nil, err
			}
			self0, _ := benchserver.CPUTime()
			cp, err := cpuProfile(r.o.profileHz, func() (err error) {
				calls, wall, err = suite.Slice(ctx, callers[i], cell.Concurrency, r.o.profileSlice)
				return err
			})
			self1, _ := benchserver.CPUTime()
			after, serr := t.Stats()
			if err == nil {
				err = serr
			}
			var sp *profile.Profile
			if perr := serverProfile(ctx, t, benchserver.ProfileStopPath, &sp); err == nil {
				err = perr
			}
			if err != nil {
				return nil, err
			}
			res[i].calls += calls
			res[i].wall += wall
			res[i].cpu[0] += float64(self1 - self0)
			res[i].cpu[1] += float64(after.CPUNanos - before.CPUNanos)
			profs[i][0] = append(profs[i][0], cp)
			profs[i][1] = append(profs[i][1], sp)
		}
		fmt.Fprintf(progress, "   %s: round %d/%d\n", cell.GroupName(), round+1, r.o.profileRounds)
	}
	dir := filepath.Join(r.o.profileDir, strings.ReplaceAll(cell.GroupName(), "/", "-"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for i, c := range profileClients {
		for side, name := range []string{"client", "server"} {
			merged, err := profile.Merge(profs[i][side])
			if err != nil {
				return nil, err
			}
			s, err := split(merged)
			if err != nil {
				return nil, err
			}
			s.scaleTo(res[i].cpu[side])
			if side == 0 {
				res[i].client = s
			} else {
				res[i].server = s
			}
			path := filepath.Join(dir, fmt.Sprintf("%s-%s.pb.gz", c, name))
			f, err := os.Create(path)
			if err != nil {
				return nil, err
			}
			err = merged.Write(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return nil, err
			}
		}
	}
	fmt.Fprintf(progress, "   profiles in %s (go tool pprof -top %s)\n", dir, filepath.Join(dir, "authwire-client.pb.gz"))
	return res, nil
}

// serverProfile posts to a profile route of the server; into, when set,
// receives the profile in the answer.
func serverProfile(ctx context.Context, t *benchserver.Target, path string, into **profile.Profile) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.H2CURL+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("server profile %s: %s: %s", path, resp.Status, bytes.TrimSpace(body))
	}
	if into != nil {
		*into, err = profile.ParseData(body)
	}
	return err
}

func (r *report) profileTables(w writer) {
	if len(r.profiles) == 0 {
		return
	}
	w("### Where the difference goes: CPU profiles\n\n")
	w("CPU profiles (pprof, %d Hz) of the client process and of the server process while bare, ideal and authwire ran a cell, each for %d slices of %v taken in turns (the same time for each client), merged per client and process. Each sample is put in the first category of the list that one of its stack's functions matches. The profiles give the split; the magnitudes come from the CPU time each process used during the same slices (getrusage for the client, the server's own reading), since a profiler at this rate misses some ticks: figures are microseconds of CPU per call, and ± is two standard deviations of the difference from the sample counts alone.\n\n",
		r.o.profileHz, r.o.profileRounds, r.o.profileSlice)
	for _, pc := range r.profiles {
		profileTable(w, pc)
	}
	w("The merged profiles are written to the directory of `-profiles`, one directory per cell (`go tool pprof -top -diff_base ideal-client.pb.gz authwire-client.pb.gz` there shows the difference function by function).\n\n")
}

func profileTable(w writer, pc profiledCell) {
	w("#### %s\n\n", pc.cell.GroupName())
	bare, ideal, aw := pc.clients[0], pc.clients[1], pc.clients[2]
	gap := (aw.client.total()+aw.server.total())/float64(aw.calls) - (ideal.client.total()+ideal.server.total())/float64(ideal.calls)
	noise := math.Hypot(
		twoSigma(aw.client.count(), float64(aw.calls), ideal.client.count(), float64(ideal.calls), aw.client.period),
		twoSigma(aw.server.count(), float64(aw.calls), ideal.server.count(), float64(ideal.calls), aw.server.period))
	w("In all, authwire spent %+.2f ± %.2f µs more CPU per call than ideal, client and server together", gap/1e3, noise/1e3)
	if gap <= noise {
		w(": within the noise of the samples, so no share of it is given")
		gap = 0
	}
	w(".\n\n")
	w("| process | category | bare µs/call | ideal µs/call | authwire µs/call | authwire − ideal | share of the gap |\n|---|---|---|---|---|---|---|\n")
	for side, name := range []string{"client", "server"} {
		get := func(p profiled) cpuSplit {
			if side == 0 {
				return p.client
			}
			return p.server
		}
		b, i, a := get(bare), get(ideal), get(aw)
		for _, c := range categories {
			pb, pi, pa := b.nanos[c.name]/float64(bare.calls), i.nanos[c.name]/float64(ideal.calls), a.nanos[c.name]/float64(aw.calls)
			d := pa - pi
			w("| %s | %s | %.2f | %.2f | %.2f | %+.2f ± %.2f | %s |\n", name, c.name, pb/1e3, pi/1e3, pa/1e3, d/1e3,
				twoSigma(a.samples[c.name], float64(aw.calls), i.samples[c.name], float64(ideal.calls), a.period)/1e3, share(d, gap))
		}
		tb, ti, ta := b.total()/float64(bare.calls), i.total()/float64(ideal.calls), a.total()/float64(aw.calls)
		w("| %s | **total** | %.2f | %.2f | %.2f | %+.2f | %s |\n", name, tb/1e3, ti/1e3, ta/1e3, (ta-ti)/1e3, share(ta-ti, gap))
	}
	w("| both | **calls/s while profiled** | %s | %s | %s | | |\n",
		sig(float64(bare.calls)/bare.wall.Seconds()), sig(float64(ideal.calls)/ideal.wall.Seconds()), sig(float64(aw.calls)/aw.wall.Seconds()))
}

func share(d, gap float64) string {
	if gap <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f %%", 100*d/gap)
}
