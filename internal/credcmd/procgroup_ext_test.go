//go:build unix

package credcmd_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
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
	pid, err := fakecmd.ChildPid(pidFile, 20*time.Second)
	if err != nil {
		cancel()
		<-done
		t.Fatalf("the command wrote no child pid: %v", err)
	}
	t.Cleanup(func() {
		if p, err := os.FindProcess(pid); err == nil {
			p.Kill() // if the test fails
		}
	})
	start := time.Now()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if d := time.Since(start); d >= time.Second {
		t.Errorf("Run returned %s after the cancel: it waited on pipes the child held", d)
	}
	if fakecmd.CanTellRunning() && fakecmd.Running(pid) {
		t.Fatalf("child %d of the stopped command is still running", pid)
	}
}
