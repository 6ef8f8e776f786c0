package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRunCountsLeafTests(t *testing.T) {
	row := filepath.Join(t.TempDir(), "summary.tsv")
	t.Setenv("AUTHWIRE_CONFORMANCE_SUMMARY", row)
	events := strings.Join([]string{
		`{"Action":"run","Package":"p","Test":"TestA"}`,
		`{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}`,
		`{"Action":"output","Package":"p","Test":"TestA","Output":"hello\n"}`,
		`{"Action":"output","Package":"p","Test":"TestA","Output":"--- PASS: TestA (0.00s)\n"}`,
		`{"Action":"pass","Package":"p","Test":"TestA"}`,
		`{"Action":"pass","Package":"p","Test":"TestB/x"}`,
		`{"Action":"fail","Package":"p","Test":"TestB/y"}`,
		`{"Action":"fail","Package":"p","Test":"TestB"}`,
		`{"Action":"skip","Package":"p","Test":"TestC"}`,
		`not json: a build error`,
		`{"Action":"fail","Package":"p"}`,
	}, "\n")
	var out bytes.Buffer
	if code := run("suite", strings.NewReader(events), &out, time.Now()); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if got := out.String(); got != "hello\nnot json: a build error\n" {
		t.Errorf("output %q", got)
	}
	data, err := os.ReadFile(row)
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Split(strings.TrimSpace(string(data)), "\t")
	if len(fields) != 5 || strings.Join(fields[:4], " ") != "suite 4 2 1" {
		t.Fatalf("row %q, want suite, 4 cases, 2 passed, 1 failed, seconds", data)
	}
}

func TestRunPasses(t *testing.T) {
	t.Setenv("AUTHWIRE_CONFORMANCE_SUMMARY", "")
	in := `{"Action":"pass","Package":"p","Test":"TestA"}` + "\n" + `{"Action":"pass","Package":"p"}`
	if code := run("suite", strings.NewReader(in), &bytes.Buffer{}, time.Now()); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
}
