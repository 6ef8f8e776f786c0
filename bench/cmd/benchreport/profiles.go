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
	client, server cpuSplit
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

// runProfiles profiles the client process and the server process while
// each profiled client runs the profiled cell: rounds of one slice per
// client, rotated, the profiles of a client merged and written to the
// profile directory.
func (r *report) runProfiles(ctx context.Context, t *benchserver.Target, progress io.Writer) error {
	cell, err := parseCell(r.o.profileCell)
	if err != nil {
		return err
	}
	r.profileCell = cell
	callers := make([]suite.Caller, len(profileClients))
	for i, c := range profileClients {
		cell.Client = c
		if callers[i], err = suite.NewCaller(ctx, t, cell); err != nil {
			return err
		}
		defer callers[i].Close()
		if _, _, err := suite.Slice(ctx, callers[i], cell.Concurrency, r.o.slice); err != nil { // warm up
			return err
		}
	}
	profs := make([][2][]*profile.Profile, len(profileClients))
	res := make([]profiled, len(profileClients))
	order := []int{0, 1, 2}
	for round := range r.o.profileRounds {
		for _, i := range rotate(order, round) {
			if err := serverProfile(ctx, t, benchserver.ProfileStartPath, nil); err != nil {
				return err
			}
			var calls int64
			var wall time.Duration
			cp, err := cpuProfile(func() (err error) {
				calls, wall, err = suite.Slice(ctx, callers[i], cell.Concurrency, r.o.profileSlice)
				return err
			})
			var sp *profile.Profile
			if perr := serverProfile(ctx, t, benchserver.ProfileStopPath, &sp); err == nil {
				err = perr
			}
			if err != nil {
				return err
			}
			res[i].calls += calls
			res[i].wall += wall
			profs[i][0] = append(profs[i][0], cp)
			profs[i][1] = append(profs[i][1], sp)
		}
		fmt.Fprintf(progress, "   round %d/%d\n", round+1, r.o.profileRounds)
	}
	if err := os.MkdirAll(r.o.profileDir, 0o755); err != nil {
		return err
	}
	for i, c := range profileClients {
		for side, name := range []string{"client", "server"} {
			merged, err := profile.Merge(profs[i][side])
			if err != nil {
				return err
			}
			s, err := split(merged)
			if err != nil {
				return err
			}
			if side == 0 {
				res[i].client = s
			} else {
				res[i].server = s
			}
			path := filepath.Join(r.o.profileDir, fmt.Sprintf("%s-%s.pb.gz", c, name))
			f, err := os.Create(path)
			if err != nil {
				return err
			}
			err = merged.Write(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
	}
	r.profiles = res
	fmt.Fprintf(progress, "   profiles in %s (go tool pprof -top %s)\n", r.o.profileDir, filepath.Join(r.o.profileDir, "authwire-client.pb.gz"))
	return nil
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

func (r *report) profileTable(w writer) {
	if len(r.profiles) == 0 {
		return
	}
	cell := r.profileCell
	w("### Where the difference goes: CPU profiles\n\n")
	w("CPU profiles (pprof, 100 Hz) of the client process and of the server process while bare, ideal and authwire ran %s, each for %d slices of %v taken in turns (the same time for each client), merged per client and process. Each sample is put in the first category of the list that one of its stack's functions matches; figures are microseconds of CPU per call (samples × period ÷ calls), and ± is two standard deviations of the difference from the sample counts alone.\n\n",
		cell.GroupName(), r.o.profileRounds, r.o.profileSlice)
	w("| process | category | bare µs/call | ideal µs/call | authwire µs/call | authwire − ideal | share of the gap |\n|---|---|---|---|---|---|---|\n")
	bare, ideal, aw := r.profiles[0], r.profiles[1], r.profiles[2]
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
	w("| both | **calls/s while profiled** | %s | %s | %s | | |\n\n",
		sig(float64(bare.calls)/bare.wall.Seconds()), sig(float64(ideal.calls)/ideal.wall.Seconds()), sig(float64(aw.calls)/aw.wall.Seconds()))
	w("The merged profiles are written to the directory of `-profiles` (`go tool pprof -top -diff_base ideal-client.pb.gz authwire-client.pb.gz` there shows the difference function by function).\n\n")
}

func share(d, gap float64) string {
	if gap <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f %%", 100*d/gap)
}
