package benchserver

import (
	"bytes"
	"net/http"
	"runtime/pprof"
	"sync"
)

// Routes that profile the server's process: a POST to ProfileStartPath
// starts a CPU profile, a POST to ProfileStopPath stops it and answers with
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

func (p *profiler) start(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.buf != nil {
		http.Error(w, "a profile is already running", http.StatusConflict)
		return
	}
	buf := new(bytes.Buffer)
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
	w.Write(p.buf.Bytes())
	p.buf = nil
}
