//go:build !unix

package credcmd

import "os/exec"

// killProcessGroup keeps exec's default on systems without process groups
// (Windows): the cancellation kills the command's own process only; see the
// package documentation.
func killProcessGroup(*exec.Cmd) {}
