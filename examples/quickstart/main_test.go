package main

import (
	"os"
	"strings"
	"testing"

	"github.com/authwire/authwire/internal/demo"
	"github.com/authwire/authwire/internal/fakecmd"
)

func TestMain(m *testing.M) {
	fakecmd.Main()
	os.Exit(m.Run())
}

// TestQuickstartRuns runs the scenario from this binary, whose TestMain
// serves the proxy command as main does; internal/demo checks the output.
func TestQuickstartRuns(t *testing.T) {
	var out strings.Builder
	if err := demo.Run(t.Context(), &out); err != nil {
		t.Fatal(err)
	}
	if want := "proxy command runs              1"; !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, out.String())
	}
}
