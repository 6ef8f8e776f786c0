package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary YAML and INI files, and one arbitrary FLYTE_*
// variable, through the whole loader. It must never panic, and every error
// must be a one-line *FieldError (or several joined).
func FuzzLoad(f *testing.F) {
	fixtures, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range fixtures {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b, detectFormat(name, b) == formatINI, "")
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, ini bool, envValue string) {
		name := "/fuzz/config.yaml"
		if ini {
			name = "/fuzz/config.ini"
		}
		envKey := keys[len(envValue)%len(keys)].env()
		o := newLoadOptions([]LoadOption{WithLookupEnv(func(k string) (string, bool) {
			return envValue, k == envKey
		})})
		o.readFile = func(path string) ([]byte, error) {
			if path == name {
				return data, nil
			}
			return nil, fs.ErrNotExist // secret files: never touch the disk
		}
		var warned []Warning
		o.warnFuncs = append(o.warnFuncs, func(w Warning) { warned = append(warned, w) })

		l := newLoader(o)
		err := l.loadFile(name, "")
		var p *Platform
		if err == nil {
			p, err = l.finish()
		}
		if err == nil {
			if p == nil {
				t.Fatal("nil Platform without an error")
			}
			return
		}
		checkOneLineFieldErrors(t, err)
		for _, w := range warned {
			if strings.ContainsAny(w.String(), "\r\n") {
				t.Fatalf("warning is not one line: %q", w.String())
			}
		}
	})
}

func checkOneLineFieldErrors(t *testing.T, err error) {
	t.Helper()
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			checkOneLineFieldErrors(t, e)
		}
		return
	}
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("%T %v is not a *FieldError", err, err)
	}
	if msg := err.Error(); strings.ContainsAny(msg, "\r\n") || !strings.HasPrefix(msg, "config: ") {
		t.Fatalf("error is not one line starting with config: %q", msg)
	}
}
