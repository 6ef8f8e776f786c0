package fakecmd

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"time"
)

// ChildPid reads the pid a [HangWithChild] command wrote to pidFile,
// waiting up to wait for the command to write it.
func ChildPid(pidFile string, wait time.Duration) (int, error) {
	deadline := time.Now().Add(wait)
	for {
		b, err := os.ReadFile(pidFile)
		if err == nil && len(b) > 0 {
			return strconv.Atoi(string(b))
		}
		if time.Now().After(deadline) {
			return 0, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// CanTellRunning reports whether [Running] works here: it reads /proc.
func CanTellRunning() bool { return runtime.GOOS == "linux" }

// Running reports whether the process pid runs: it is neither gone nor a
// zombie waiting to be reaped. A process just killed may still be finishing
// its exit: Running gives it up to a second before it says true.
func Running(pid int) bool {
	deadline := time.Now().Add(time.Second)
	for {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return false
		}
		if i := bytes.LastIndexByte(stat, ')'); i > 0 && len(stat) > i+2 && (stat[i+2] == 'Z' || stat[i+2] == 'X') {
			return false
		}
		if time.Now().After(deadline) {
			return true
		}
		time.Sleep(time.Millisecond)
	}
}
