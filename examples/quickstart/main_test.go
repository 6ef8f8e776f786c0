package main

import (
	"os"
	"strings"
	"testing"

	"github.com/authwire/authwire/internal/fakecmd"
)

func TestMain(m *testing.M) {
	fakecmd.Main()
	os.Exit(m.Run())
}

func TestQuickstartRuns(t *testing.T) {
	var out strings.Builder
	if err := run(t.Context(), &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`unary           → "hello"`,
		"tick-0, tick-1, tick-2",
		`{"msg":"rest"}`,
		"recovered with 2 attempts and 1 new token",
		"proxy command runs              1",
		"requests the proxy rejected     0",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
