package config_test

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/authwire/authwire/config"
)

// env returns a lookup over m, standing in for the process environment.
func env(m map[string]string) config.LoadOption {
	return config.WithLookupEnv(func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	})
}

// noEnv is an empty environment.
var noEnv = config.WithLookupEnv(nil)

// randomSecret returns a fresh secret for one test.
func randomSecret(t testing.TB) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "s-" + hex.EncodeToString(b)
}

// writeFile writes content to name in dir and returns its path.
func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// fixture copies testdata/name into dir, replacing {{dir}} with dir, and
// returns the copy's path.
func fixture(t testing.TB, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, name, strings.ReplaceAll(string(b), "{{dir}}", dir))
}

// warnings records the warnings of one load.
type warnings struct {
	mu   sync.Mutex
	list []config.Warning
}

func (w *warnings) option() config.LoadOption {
	return config.WithWarnings(func(x config.Warning) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.list = append(w.list, x)
	})
}

func (w *warnings) get() []config.Warning {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]config.Warning(nil), w.list...)
}
