//go:build !unix

package benchserver

// CPUTime is not measured on this system: it returns zeros.
func CPUTime() (self, children int64) { return 0, 0 }
