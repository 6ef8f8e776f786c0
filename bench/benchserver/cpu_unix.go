//go:build unix

package benchserver

import "syscall"

// CPUTime returns the CPU time (user and system, in nanoseconds) this
// process has used, and that of its children that have exited (the fake
// commands an interceptor runs).
func CPUTime() (self, children int64) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		self = ru.Utime.Nano() + ru.Stime.Nano()
	}
	if syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru) == nil {
		children = ru.Utime.Nano() + ru.Stime.Nano()
	}
	return self, children
}
