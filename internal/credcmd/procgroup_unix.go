//go:build unix

package credcmd

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// killProcessGroup runs cmd in a process group of its own and makes the
// cancellation of its context kill the whole group, so that processes the
// command started do not outlive a timed-out run.
func killProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		// The group id is the command's pid; a negative pid names the group.
		if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); !errors.Is(err, syscall.ESRCH) {
			return err
		}
		return os.ErrProcessDone
	}
}
