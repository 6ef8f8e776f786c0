package credcmd_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/authwire/authwire/internal/credcmd"
	"github.com/authwire/authwire/internal/fakecmd"
)

// TestCancelKillsChildren: when a run ends early (its timeout or its
// caller's context; both cancel the command's context), the processes the
// command started die with it (Linux: the command's process group is
// killed), and Run returns without waiting for the pipes the child held.
func TestCancelKillsChildren(t *testing.T) {
	t.Parallel()
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	c := &credcmd.Command{Argv: fakecmd.HangWithChild(pidFile)}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { _, err := c.Run(ctx); done <- err }()
	pid := waitPid(t, pidFile)
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) }) // if the test fails
	start := time.Now()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if d := time.Since(start); d >= time.Second {
		t.Errorf("Run returned %s after the cancel: it waited on pipes the child held", d)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) }) // if the test fails
	if alive(pid) {
		t.Fatalf("child %d of the timed-out command is still running", pid)
	}
}

// waitPid waits (bounded) for the command to start its child and write its
// pid.
func waitPid(t *testing.T, path string) int {
	t.Helper()
	var b []byte
	var err error
	for range 2000 {
		if b, err = os.ReadFile(path); err == nil && len(b) > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("the command wrote no child pid: %v", err)
	}
	pid, err := strconv.Atoi(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// alive reports whether pid is a running process: not gone and not a
// zombie waiting to be reaped. The child's death closed the output pipe
// before Run returned, so it is at most finishing its exit: give that a
// bounded number of scheduler turns.
func alive(pid int) bool {
	for range 1000 {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if errors.Is(err, os.ErrNotExist) {
			return false
		}
		if i := bytes.LastIndexByte(stat, ')'); i > 0 && len(stat) > i+2 && (stat[i+2] == 'Z' || stat[i+2] == 'X') {
			return false
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}
