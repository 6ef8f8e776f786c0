// Package peerproc starts the peer servers the conformance tests run
// against as child processes, and stops them by PID: SIGTERM to the
// process group, SIGKILL if it has not exited within the grace period.
// Children also get SIGKILL if the test process dies (Linux), and their
// standard input is a pipe that closes when it does, so no peer outlives
// the tests that started it.
package peerproc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Spec describes a peer process.
type Spec struct {
	Argv []string // program and arguments; no shell
	Dir  string   // working directory; empty means the current one
	Env  []string // added to the environment
	// ReadyLine, when true, makes Start wait for the first line the process
	// writes to stdout and return it: the peer's "listening" report.
	ReadyLine bool
	// ReadyTimeout bounds the wait for the ready line (default 30 s).
	ReadyTimeout time.Duration
	// Grace is how long Stop waits after SIGTERM (default 5 s).
	Grace time.Duration
}

// Process is a running peer. Its methods are safe for concurrent use.
type Process struct {
	cmd    *exec.Cmd
	stdin  io.Closer
	grace  time.Duration
	output *tail

	done    chan struct{}
	waitErr error
	once    sync.Once
}

// Start starts the process. With ReadyLine it returns the first stdout line;
// stdout after it and stderr are kept (the last 64 KiB) for [Process.Output].
func Start(ctx context.Context, spec Spec) (*Process, string, error) {
	if len(spec.Argv) == 0 {
		return nil, "", errors.New("peerproc: empty argv")
	}
	cmd := exec.Command(spec.Argv[0], spec.Argv[1:]...)
	cmd.Dir = spec.Dir
	cmd.Env = append(os.Environ(), spec.Env...)
	cmd.SysProcAttr = sysProcAttr()
	out := &tail{max: 64 << 10}
	cmd.Stderr = out
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, "", err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("peerproc: start %s: %w", spec.Argv[0], err)
	}
	p := &Process{cmd: cmd, stdin: stdin, grace: spec.Grace, output: out, done: make(chan struct{})}
	if p.grace <= 0 {
		p.grace = 5 * time.Second
	}
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		first, err := r.ReadString('\n')
		if err == nil {
			lines <- first[:len(first)-1]
		}
		close(lines)
		io.Copy(out, r) //nolint:errcheck // ends with the process
	}()
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	if !spec.ReadyLine {
		return p, "", nil
	}
	timeout := spec.ReadyTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case line, ok := <-lines:
		if ok {
			return p, line, nil
		}
		<-p.done
		return nil, "", fmt.Errorf("peerproc: %s exited before it was ready (%v): %s", spec.Argv[0], p.waitErr, out.String())
	case <-timer.C:
		err = fmt.Errorf("peerproc: %s not ready within %s: %s", spec.Argv[0], timeout, out.String())
	case <-ctx.Done():
		err = ctx.Err()
	}
	p.Stop()
	return nil, "", err
}

// PID returns the process id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Output returns the last 64 KiB of what the process wrote to stderr (and to
// stdout after its ready line).
func (p *Process) Output() string { return p.output.String() }

// Stop ends the process and its children: SIGTERM to its process group,
// SIGKILL after the grace period. It waits for the exit and is idempotent.
func (p *Process) Stop() {
	p.once.Do(func() {
		p.stdin.Close()
		pgid := p.cmd.Process.Pid
		syscall.Kill(-pgid, syscall.SIGTERM) //nolint:errcheck // it may have exited
		timer := time.NewTimer(p.grace)
		defer timer.Stop()
		select {
		case <-p.done:
		case <-timer.C:
			syscall.Kill(-pgid, syscall.SIGKILL) //nolint:errcheck // it may have exited
			<-p.done
		}
	})
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago, for
// peers that must be told their port (the kernel may hand it out again
// before the peer binds it; a peer that fails to bind reports it).
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	_, port, err := net.SplitHostPort(ln.Addr().String())
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(port)
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(b), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
