package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authwire/authwire/config"
)

func TestDiscoverOrder(t *testing.T) {
	t.Parallel()
	// Each place holds a config whose endpoint names the place.
	const (
		explicit = "explicit"
		flytectl = "flytectl-config"
		work     = "work-yaml"
		homeYAML = "home-yaml"
		homeINI  = "home-ini"
	)
	for _, tc := range []struct {
		name   string
		places []string
		want   string
	}{
		{"explicit path first", []string{explicit, flytectl, work, homeYAML, homeINI}, explicit},
		{"then FLYTECTL_CONFIG", []string{flytectl, work, homeYAML, homeINI}, flytectl},
		{"then the working directory", []string{work, homeYAML, homeINI}, work},
		{"then ~/.flyte/config.yaml", []string{homeYAML, homeINI}, homeYAML},
		{"then the legacy ~/.flyte/config", []string{homeINI}, homeINI},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			home, wd := filepath.Join(root, "home"), filepath.Join(root, "work")
			paths := map[string]string{}
			vars := map[string]string{}
			opts := []config.LoadOption{config.WithHomeDir(home), config.WithWorkDir(wd), env(vars)}
			for _, place := range tc.places {
				yaml := "admin:\n  endpoint: " + place + ".example.com\n"
				switch place {
				case explicit:
					paths[place] = writeFile(t, root, "explicit.yaml", yaml)
					opts = append(opts, config.WithPath(paths[place]))
				case flytectl:
					paths[place] = writeFile(t, root, "flytectl.yaml", yaml)
					vars["FLYTECTL_CONFIG"] = paths[place]
				case work:
					paths[place] = writeFile(t, wd, ".flyte/config.yaml", yaml)
				case homeYAML:
					paths[place] = writeFile(t, home, ".flyte/config.yaml", yaml)
				case homeINI:
					paths[place] = writeFile(t, home, ".flyte/config", "[platform]\nurl = "+place+".example.com\n")
				}
			}
			p, path, err := config.Discover(opts...)
			if err != nil {
				t.Fatal(err)
			}
			if path != paths[tc.want] || p.Endpoint != tc.want+".example.com" {
				t.Fatalf("Discover = %q from %q, want %s from %q", p.Endpoint, path, tc.want, paths[tc.want])
			}
		})
	}
}

func TestDiscoverEnvOnly(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	p, path, err := config.Discover(config.WithHomeDir(root), config.WithWorkDir(root),
		env(map[string]string{"FLYTE_PLATFORM_URL": "dns:///flyte.example.com", "FLYTE_CREDENTIALS_AUTH_MODE": "pkce"}))
	if err != nil {
		t.Fatal(err)
	}
	if path != "" || p.Endpoint != "flyte.example.com" || p.AuthType != config.AuthPKCE {
		t.Fatalf("Discover = %+v from %q", *p, path)
	}
}

func TestDiscoverSkipsDirectories(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "work", ".flyte", "config.yaml"), 0o700); err != nil {
		t.Fatal(err)
	}
	want := writeFile(t, root, "home/.flyte/config.yaml", "admin:\n  endpoint: h\n")
	_, path, err := config.Discover(config.WithHomeDir(filepath.Join(root, "home")), config.WithWorkDir(filepath.Join(root, "work")), noEnv)
	if err != nil || path != want {
		t.Fatalf("Discover path %q err %v, want %q", path, err, want)
	}
}

func TestDiscoverErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		setup    func(t *testing.T, root string) []config.LoadOption
		wantKey  string
		wantPath bool // the returned path names the file at fault
		wantText string
	}{
		{"nothing configured", func(t *testing.T, root string) []config.LoadOption {
			return nil
		}, "endpoint", false, "no config file found (looked for $FLYTECTL_CONFIG, "},
		{"explicit path missing", func(t *testing.T, root string) []config.LoadOption {
			return []config.LoadOption{config.WithPath(filepath.Join(root, "absent.yaml"))}
		}, "", true, "cannot read config file"},
		{"FLYTECTL_CONFIG missing", func(t *testing.T, root string) []config.LoadOption {
			return []config.LoadOption{env(map[string]string{"FLYTECTL_CONFIG": filepath.Join(root, "absent.yaml")})}
		}, "FLYTECTL_CONFIG", true, "cannot read config file"},
		{"found file is malformed", func(t *testing.T, root string) []config.LoadOption {
			writeFile(t, root, "home/.flyte/config.yaml", "admin: [\n")
			return nil
		}, "", true, "malformed YAML"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			opts := append([]config.LoadOption{noEnv, config.WithHomeDir(filepath.Join(root, "home")), config.WithWorkDir(filepath.Join(root, "work"))},
				tc.setup(t, root)...)
			_, path, err := config.Discover(opts...)
			var fe *config.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *FieldError", err)
			}
			if fe.Key != tc.wantKey || !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("err = %v, want key %q and %q", err, tc.wantKey, tc.wantText)
			}
			if (path != "") != tc.wantPath || (tc.wantPath && fe.File != path) {
				t.Errorf("path %q, error file %q; want path: %v", path, fe.File, tc.wantPath)
			}
		})
	}
}
