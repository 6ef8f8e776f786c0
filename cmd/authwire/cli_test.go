package main

import (
	"os/exec"
	"strings"
	"testing"
)

func TestUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args   []string
		code   int
		stdout string // a substring; "" means empty
		stderr string // a substring; "" means empty
	}{
		{args: nil, code: exitUsage, stderr: "Usage: authwire"},
		{args: []string{"--help"}, code: exitOK, stdout: "Commands:"},
		{args: []string{"-h"}, code: exitOK, stdout: "doctor"},
		{args: []string{"help"}, code: exitOK, stdout: "Exit status"},
		{args: []string{"help", "token"}, code: exitOK, stdout: "--header"},
		{args: []string{"help", "nope"}, code: exitUsage, stderr: `unknown command "nope"`},
		{args: []string{"token", "--help"}, code: exitOK, stdout: "Usage: authwire token"},
		{args: []string{"doctor", "-help"}, code: exitOK, stdout: "--probe PROCEDURE"},
		{args: []string{"demo"}, code: exitUsage, stderr: `unknown command "demo"`},
		{args: []string{"frobnicate"}, code: exitUsage, stderr: `unknown command "frobnicate"`},
		{args: []string{"--bogus"}, code: exitUsage, stderr: "flag provided but not defined: -bogus"},
		{args: []string{"token", "--bogus"}, code: exitUsage, stderr: "authwire token --help"},
		{args: []string{"token", "extra"}, code: exitUsage, stderr: `unexpected argument "extra"`},
		{args: []string{"--output", "yaml", "token"}, code: exitUsage, stderr: `--output "yaml"`},
		{args: []string{"doctor", "--output", "xml"}, code: exitUsage, stderr: "want text or json"},
	}
	for _, tc := range tests {
		r := runCLI(t, nil, tc.args...)
		if r.code != tc.code {
			t.Errorf("%q: exit status %d, want %d (stderr %q)", tc.args, r.code, tc.code, r.stderr)
		}
		check := func(stream, got, want string) {
			if want == "" && got != "" || !strings.Contains(got, want) {
				t.Errorf("%q: %s = %q, want it to contain %q", tc.args, stream, got, want)
			}
		}
		check("stdout", r.stdout, tc.stdout)
		check("stderr", r.stderr, tc.stderr)
	}
}

// TestBinaryLinksNoTestKit checks that the shipped program links neither
// the fake server nor the fake command, and so cannot be turned into one.
func TestBinaryLinksNoTestKit(t *testing.T) {
	t.Parallel()
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasSuffix(pkg, "/authtest") || strings.HasSuffix(pkg, "/internal/fakecmd") || strings.HasSuffix(pkg, "/internal/demo") {
			t.Errorf("authwire links %s", pkg)
		}
	}
}
