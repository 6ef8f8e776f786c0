package peerproc

import "syscall"

// sysProcAttr puts the peer in its own process group (so Stop reaches its
// children) and kills it if the test process dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
