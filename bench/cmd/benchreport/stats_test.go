package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSeries(t *testing.T) {
	t.Parallel()
	s := series{3, 1, 2, 10}
	if got := s.median(); got != 2.5 {
		t.Errorf("median = %v", got)
	}
	if s.min() != 1 || s.max() != 10 {
		t.Errorf("min, max = %v, %v", s.min(), s.max())
	}
	if got := (series{2, 4}).ratio(); got != "3.00 (2.00–4.00)" {
		t.Errorf("ratio = %q", got)
	}
	if got := pairRatios(series{2, 3, 4}, series{1, 0}); len(got) != 1 || got[0] != 2 {
		t.Errorf("pairRatios = %v", got)
	}
	for v, want := range map[float64]string{-0.4: "+0 B", 0.6: "+1 B", -12.2: "-12 B"} {
		if got := signed(v, " B"); got != want {
			t.Errorf("signed(%v) = %q, want %q", v, got, want)
		}
	}
	if got := sig(12345); got != "12.3k" {
		t.Errorf("sig = %q", got)
	}
}

func TestUpdateReadme(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "README.md")
	before := "# Bench\n\nintro\n\n" + beginMarker + "\nold table\n" + endMarker + "\n\nafter\n"
	if err := os.WriteFile(path, []byte(before), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := updateReadme(path, "new table\n"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := "# Bench\n\nintro\n\n" + beginMarker + "\nnew table\n" + endMarker + "\n\nafter\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if err := os.WriteFile(path, []byte("no markers"), 0o600); err != nil {
		t.Fatal(err)
	}
	if updateReadme(path, "x") == nil {
		t.Error("no error without markers")
	}
}

func TestMedianCI(t *testing.T) {
	t.Parallel()
	var s series
	for i := range 30 {
		s = append(s, float64(i))
	}
	// 15 − 0.98·√30 = 9.6: the 10th and the 21st smallest (0-based 9 and 20).
	if lo, hi := s.ci(); lo != 9 || hi != 20 {
		t.Errorf("ci = %v–%v, want 9–20", lo, hi)
	}
	if lo, hi := (series{3, 1, 2}).ci(); lo != 1 || hi != 3 {
		t.Errorf("ci of 3 = %v–%v, want the range", lo, hi)
	}
}

func TestLayersOwnLeavesTheBaseOut(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		stack []string // leaf first
		want  bool
	}{
		{[]string{"runtime.mallocgc", "github.com/authwire/authwire/internal/outgoing.(*Call).Copy", "main.call"}, true},
		{[]string{"runtime.memmove", "net/http.http2transportResponseBody.Read", "github.com/authwire/authwire/authn.(*peekedBody).Read"}, false},
		{[]string{"syscall.write", "net/http.(*Transport).RoundTrip", "github.com/authwire/authwire/transport.(*schemeRouter).RoundTrip", "github.com/authwire/authwire/proxyauth.(*Transport).send"}, false},
		{[]string{"runtime.mallocgc", "net/http.(*Transport).RoundTrip", "main.call"}, false},
	} {
		if got := layersOwn(c.stack); got != c.want {
			t.Errorf("layersOwn(%v) = %v, want %v", c.stack, got, c.want)
		}
	}
}
