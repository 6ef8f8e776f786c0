package benchserver

import (
	"bytes"
	"net/http"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
)

// Routes that profile the server's process: a POST to ProfileStartPath
// starts a CPU profile (sampling at the rate of its hz parameter, else 100
// times a second), a POST to ProfileStopPath stops it and answers with
// the profile (pprof's gzipped protobuf). A server in the caller's process
// shares its profiler with the caller, so profile a [Spawn]ed one.
const (
	ProfileStartPath = "/bench/profile/start"
	ProfileStopPath  = "/bench/profile/stop"
)

// profiler is the server's CPU profile in progress, if any.
type profiler struct {
	mu  sync.Mutex
	buf *bytes.Buffer
}

func (p *profiler) start(w http.ResponseWriter, r *http.Request) {
	hz, err := strconv.Atoi(r.URL.Query().Get("hz"))
	if err != nil {
		hz = 100
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.buf != nil {
		http.Error(w, "a profile is already running", http.StatusConflict)
		return
	}
	buf := new(bytes.Buffer)
	SetProfileRate(hz)
	if err := pprof.StartCPUProfile(buf); err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	p.buf = buf
	w.WriteHeader(http.StatusNoContent)
}

func (p *profiler) stop(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.buf == nil {
		http.Error(w, "no profile is running", http.StatusConflict)
		return
	}
	pprof.StopCPUProfile()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Write(p.buf.Bytes()) //nolint:errcheck // a failed write leaves the caller without a profile, which it reports
	p.buf = nil
}

// SetProfileRate makes the next pprof.StartCPUProfile sample hz times a
// second rather than its fixed 100: it starts the runtime's profiler at
// that rate first, and StartCPUProfile keeps it (the runtime prints a
// warning that the rate cannot be changed, which is the point). The
// profile's period records the rate used. hz ≤ 100 leaves the default.
func SetProfileRate(hz int) {
	if hz > 100 {
		runtime.SetCPUProfileRate(hz)
	}
}
