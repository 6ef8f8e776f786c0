package suite_test

import (
	"os"
	"sync"
	"testing"

	"github.com/authwire/authwire/bench/benchserver"
	"github.com/authwire/authwire/internal/fakecmd"
)

// childEnv, when set to 1, runs the server in a child process so that the
// benchmarks' allocation counts are the client's alone.
const childEnv = "AUTHWIRE_BENCH_CHILD"

func TestMain(m *testing.M) {
	fakecmd.Main()
	benchserver.ServeIfChild()
	code := m.Run()
	if shared != nil {
		shared.Close()
	}
	os.Exit(code)
}

var (
	sharedOnce sync.Once
	shared     *benchserver.Target
	sharedErr  error
)

// target returns the server shared by every test and benchmark of the run.
func target(tb testing.TB) *benchserver.Target {
	tb.Helper()
	sharedOnce.Do(func() {
		if os.Getenv(childEnv) == "1" {
			shared, sharedErr = benchserver.Spawn()
		} else {
			shared, sharedErr = benchserver.InProcess()
		}
	})
	if sharedErr != nil {
		tb.Fatal(sharedErr)
	}
	return shared
}
