package main

import (
	"encoding/json"
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
		{args: []string{"demo", "--help"}, code: exitOK, stdout: "quickstart"},
		{args: []string{"frobnicate"}, code: exitUsage, stderr: `unknown command "frobnicate"`},
		{args: []string{"--bogus"}, code: exitUsage, stderr: "flag provided but not defined: -bogus"},
		{args: []string{"token", "--bogus"}, code: exitUsage, stderr: "authwire token --help"},
		{args: []string{"token", "extra"}, code: exitUsage, stderr: `unexpected argument "extra"`},
		{args: []string{"--output", "yaml", "token"}, code: exitUsage, stderr: `--output "yaml"`},
		{args: []string{"demo", "--output", "xml"}, code: exitUsage, stderr: "want text or json"},
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

func TestDemo(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "demo")
	if r.code != exitOK || !strings.Contains(r.stdout, "recovered with 2 attempts and 1 new token") || r.stderr != "" {
		t.Errorf("status %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestDemoJSON(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "--output", "json", "demo")
	var got demoResult
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != exitOK || !got.OK || got.Command != "demo" {
		t.Errorf("status %d, result %+v (%v) from stdout %q", r.code, got, err, r.stdout)
	}
	if !strings.Contains(r.stderr, "counters for the whole run") {
		t.Errorf("stderr lacks the narrative:\n%s", r.stderr)
	}
}

func TestDemoCanceled(t *testing.T) {
	t.Parallel()
	c := newTestCLI(nil)
	if code := c.demo(canceled(t), nil); code != exitFailed {
		t.Errorf("exit status %d, want %d", code, exitFailed)
	}
}
