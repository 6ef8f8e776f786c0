package peerproc_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/authwire/authwire/conformance/peers/peerproc"
)

const peerMarker = "peerproc-test-peer"

// TestMain turns the test binary into a peer when asked: it writes to
// stderr, reports ready and waits to be stopped.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == peerMarker {
		fmt.Fprintln(os.Stderr, "peer log line")
		fmt.Println("ready " + os.Args[2])
		select {}
	}
	if len(os.Args) > 1 && os.Args[1] == peerMarker+"-exit" {
		fmt.Fprintln(os.Stderr, "cannot bind")
		os.Exit(3)
	}
	os.Exit(m.Run())
}

func TestStartAndStop(t *testing.T) {
	t.Parallel()
	p, line, err := peerproc.Start(t.Context(), peerproc.Spec{Argv: []string{os.Args[0], peerMarker, "42"}, ReadyLine: true, Grace: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if line != "ready 42" || p.PID() <= 0 {
		t.Fatalf("ready line %q, pid %d", line, p.PID())
	}
	p.Stop()
	select {
	case <-p.Done():
	default:
		t.Fatal("Stop returned before the process exited")
	}
	if !strings.Contains(p.Output(), "peer log line") {
		t.Errorf("output %q lacks the peer's stderr", p.Output())
	}
	p.Stop() // idempotent
}

func TestStartReportsEarlyExit(t *testing.T) {
	t.Parallel()
	_, _, err := peerproc.Start(t.Context(), peerproc.Spec{Argv: []string{os.Args[0], peerMarker + "-exit"}, ReadyLine: true})
	if err == nil || !strings.Contains(err.Error(), "exited before it was ready") || !strings.Contains(err.Error(), "cannot bind") {
		t.Fatalf("err = %v, want an early exit", err)
	}
}

func TestFreePort(t *testing.T) {
	t.Parallel()
	port, err := peerproc.FreePort()
	if err != nil || port <= 0 || port > 65535 {
		t.Fatalf("FreePort = %d, %v", port, err)
	}
}
