//go:build !linux

package peerproc

import "syscall"

// sysProcAttr puts the peer in its own process group, so Stop reaches its
// children.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
