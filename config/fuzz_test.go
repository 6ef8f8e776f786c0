package config

import (
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary YAML and INI files, and one arbitrary FLYTE_*
// variable (flytekit's, flyte-sdk's or FLYTE_API_KEY), through the whole
// loader. It must never panic, and every error
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
	envNames := []string{apiKeyEnv}
	for _, k := range keys {
		for _, name := range []string{k.env(), k.sdkEnv()} {
			if name != "" {
				envNames = append(envNames, name)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, ini bool, envValue string) {
		name := "/fuzz/config.yaml"
		if ini {
			name = "/fuzz/config.ini"
		}
		envKey := envNames[len(envValue)%len(envNames)]
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

// FuzzParseAPIKey feeds arbitrary FLYTE_API_KEY values to ParseAPIKey. It
// must never panic; an error is a one-line *FieldError for FLYTE_API_KEY
// from a fixed set of messages, so it can never echo the key; a key that
// parses has usable fields and reads the same after re-encoding.
func FuzzParseAPIKey(f *testing.F) {
	for _, s := range []string{
		"flyte.example.com:my-client:s3cr3t:acme", "h:id:sec:", "h:id:sec:None", "h:id:sec:a:b",
		"dns:///h:443:id:sec:o", "https://h:8443:id:sec:o", "[::1]:8089:id:sec:o", "h:8443:id:sec:o",
		"h:id", "https://h:id:sec", ":id:sec:o", "h::sec:o", "h:id::o",
	} {
		f.Add(base64.StdEncoding.EncodeToString([]byte(s)))
	}
	f.Add("Zmx5dGUuZXhhbXBsZS5j\nb206bXktY2xpZW50OnMzY3IzdDphY21l\n")
	f.Add("YWJj=ZGVm")
	f.Add("Y")
	endpointReasons := []string{"is empty", "unsupported scheme (want https, http or dns)", "is malformed",
		"must be a host and optional port, without path, query or user info", "has no host", "has an empty port"}
	allowed := map[string]bool{
		"malformed: not base64 (want base64 of endpoint:client_id:client_secret:org)":                          true,
		"malformed: does not decode to text (want base64 of endpoint:client_id:client_secret:org)":             true,
		"malformed: want base64 of endpoint:client_id:client_secret:org, with four fields separated by colons": true,
		"malformed: the endpoint is empty":      true,
		"malformed: the client id is empty":     true,
		"malformed: the client secret is empty": true,
	}
	for _, r := range endpointReasons {
		allowed["malformed: the endpoint "+r] = true
	}
	f.Fuzz(func(t *testing.T, key string) {
		k, err := ParseAPIKey(key)
		if err != nil {
			checkOneLineFieldErrors(t, err)
			fe, _ := errors.AsType[*FieldError](err)
			if fe.Key != apiKeyEnv || fe.Value != "" || fe.Err != nil || !allowed[fe.Reason] {
				t.Fatalf("unexpected error %#v", fe)
			}
			return
		}
		if !usable(k) || k.Org == "None" {
			t.Fatalf("ParseAPIKey(%q) = %v: unusable", key, k)
		}
		again, err := ParseAPIKey(base64.StdEncoding.EncodeToString([]byte(k.Endpoint + ":" + k.ClientID + ":" + k.ClientSecret + ":" + k.Org)))
		if err != nil || again != k {
			t.Fatalf("re-encoded key reads %v, %v; want %v", again, err, k)
		}
	})
}
