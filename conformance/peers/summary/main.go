// Command summary turns the output of "go test -json" into the row run.sh
// prints for a suite: it copies the tests' output to stdout without the
// progress lines of -v ("=== RUN", "--- PASS" and the like), counts the leaf
// tests (those without subtests) that passed, failed and were skipped,
// and appends "suite, cases, passed, failed, seconds" (tab-separated) to the
// file named by AUTHWIRE_CONFORMANCE_SUMMARY, if set.
//
//	go test -json ./matrix/ | go run ./peers/summary matrix
//
// It exits 1 when a test failed or a package did not build, 0 otherwise;
// skipped tests are counted as cases but neither passed nor failed.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// event is one line of "go test -json" (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go test -json PACKAGES | summary SUITE")
		os.Exit(2)
	}
	os.Exit(run(os.Args[1], os.Stdin, os.Stdout, time.Now()))
}

func run(suite string, in io.Reader, out io.Writer, start time.Time) int {
	results := map[string]string{} // "package test" -> pass, fail or skip
	var order []string
	failedPackage := false
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Fprintln(out, sc.Text()) // build errors come as plain text
			continue
		}
		switch e.Action {
		case "output":
			if !progress(e.Output) {
				io.WriteString(out, e.Output)
			}
		case "pass", "fail", "skip":
			if e.Test == "" {
				failedPackage = failedPackage || e.Action == "fail"
				continue
			}
			key := e.Package + " " + e.Test
			if _, seen := results[key]; !seen {
				order = append(order, key)
			}
			results[key] = e.Action
		}
	}
	var cases, passed, failed int
	for _, key := range order {
		if hasSubtests(key, order) {
			continue
		}
		cases++
		switch results[key] {
		case "pass":
			passed++
		case "fail":
			failed++
		}
	}
	if path := os.Getenv("AUTHWIRE_CONFORMANCE_SUMMARY"); path != "" {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err == nil {
			fmt.Fprintf(f, "%s\t%d\t%d\t%d\t%.1f\n", suite, cases, passed, failed, time.Since(start).Seconds())
			f.Close()
		}
	}
	if failed > 0 || failedPackage || sc.Err() != nil {
		return 1
	}
	return 0
}

// progress reports whether line is one of the progress lines -v adds.
func progress(line string) bool {
	trimmed := strings.TrimLeft(line, " ")
	for _, prefix := range []string{"=== RUN", "=== PAUSE", "=== CONT", "=== NAME", "--- PASS", "--- SKIP"} {
		if strings.HasPrefix(trimmed, prefix) {
			return true
		}
	}
	return false
}

// hasSubtests reports whether another test in keys is a subtest of key.
func hasSubtests(key string, keys []string) bool {
	prefix := key + "/"
	for _, k := range keys {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}
