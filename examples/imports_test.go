// Package examples_test checks what every program under examples/ may
// import: only the public API, so that each one can be copied as it is.
package examples_test

import (
	"os/exec"
	"strings"
	"testing"
)

func TestExamplesImportNoInternalPackage(t *testing.T) {
	t.Parallel()
	out, err := exec.CommandContext(t.Context(), "go", "list", "-f", `{{join .Imports "\n"}}
{{join .TestImports "\n"}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := strings.Fields(string(out))
	if len(pkgs) == 0 {
		t.Fatal("go list found no imports")
	}
	for _, pkg := range pkgs {
		if strings.HasPrefix(pkg, "github.com/authwire/authwire/") && strings.Contains(pkg, "/internal/") {
			t.Errorf("an example imports %s", pkg)
		}
	}
}
