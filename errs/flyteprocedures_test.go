package errs

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// methodLists are the RPCs of Flyte's protos, as taken from
// github.com/flyteorg/flyte (see each file's first line).
var methodLists = []string{"testdata/flyteidl_service.txt", "testdata/flyteidl2.txt"}

// readMethodLists returns each procedure of the lists with its idempotency
// level.
func readMethodLists(t *testing.T) map[string]string {
	t.Helper()
	levels := make(map[string]string)
	for _, name := range methodLists {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			procedure, level, ok := strings.Cut(line, " ")
			if !ok || !strings.HasPrefix(procedure, "/") {
				t.Fatalf("%s: malformed line %q", name, line)
			}
			levels[procedure] = level
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if len(levels) < 100 {
		t.Fatalf("the method lists hold %d procedures; they are incomplete", len(levels))
	}
	return levels
}

// TestFlyteReadProceduresExist fails when the table names a procedure that
// Flyte's protos do not define (a misspelling, or a method that was removed).
func TestFlyteReadProceduresExist(t *testing.T) {
	t.Parallel()
	levels := readMethodLists(t)
	seen := make(map[string]bool)
	for _, p := range flyteReadProcedures {
		if seen[p] {
			t.Errorf("%s is listed twice", p)
		}
		seen[p] = true
		if _, ok := levels[p]; !ok {
			t.Errorf("%s is not a method of Flyte's protos", p)
		}
		for _, w := range []string{"/Create", "/Update", "/Delete", "/Abort", "/Put", "/Record", "/Enqueue", "/GetOrCreate"} {
			if strings.Contains(p, w) {
				t.Errorf("%s is listed as read-only but its name says it writes", p)
			}
		}
	}
}

// TestFlyteReadProceduresComplete fails when a method Flyte declares free
// of side effects or idempotent is missing from the table.
func TestFlyteReadProceduresComplete(t *testing.T) {
	t.Parallel()
	for p, level := range readMethodLists(t) {
		switch level {
		case "NO_SIDE_EFFECTS", "IDEMPOTENT":
			if _, ok := flyteReads[p]; !ok {
				t.Errorf("%s is %s in Flyte's protos but not in the table", p, level)
			}
		case "IDEMPOTENCY_UNKNOWN":
		default:
			t.Errorf("%s: unknown idempotency level %q", p, level)
		}
	}
}

func TestProcedurePath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/flyteidl.service.AdminService/GetTask":     "/flyteidl.service.AdminService/GetTask",
		"/api/flyteidl.service.AdminService/GetTask": "/flyteidl.service.AdminService/GetTask",
		"/GetTask": "/GetTask",
		"":         "",
	} {
		if got := procedurePath(in); got != want {
			t.Errorf("procedurePath(%q) = %q, want %q", in, got, want)
		}
	}
}
