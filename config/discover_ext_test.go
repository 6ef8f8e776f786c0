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
	// Each place holds a config whose endpoint names the place; the
	// working directory is repo/sub, a directory below a git root.
	places := []string{"explicit", "work-yaml", "work-flyte", "git-root", "uctl", "flytectl", "home-union", "home-yaml", "home-ini"}
	for i, want := range places {
		t.Run("then "+want, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			home, repo := filepath.Join(root, "home"), filepath.Join(root, "repo")
			wd := filepath.Join(repo, "sub")
			if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o700); err != nil {
				t.Fatal(err)
			}
			vars := map[string]string{}
			opts := []config.LoadOption{config.WithHomeDir(home), config.WithWorkDir(wd), env(vars)}
			paths := map[string]string{}
			for _, place := range places[i:] {
				yaml := "admin:\n  endpoint: " + place + ".example.com\n"
				switch place {
				case "explicit":
					paths[place] = writeFile(t, root, "explicit.yaml", yaml)
					opts = append(opts, config.WithPath(paths[place]))
				case "work-yaml":
					paths[place] = writeFile(t, wd, "config.yaml", yaml)
				case "work-flyte":
					paths[place] = writeFile(t, wd, ".flyte/config.yaml", yaml)
				case "git-root":
					paths[place] = writeFile(t, repo, ".flyte/config.yaml", yaml)
				case "uctl":
					paths[place] = writeFile(t, root, "uctl.yaml", yaml)
					vars["UCTL_CONFIG"] = paths[place]
				case "flytectl":
					paths[place] = writeFile(t, root, "flytectl.yaml", yaml)
					vars["FLYTECTL_CONFIG"] = paths[place]
				case "home-union":
					paths[place] = writeFile(t, home, ".union/config.yaml", yaml)
				case "home-yaml":
					paths[place] = writeFile(t, home, ".flyte/config.yaml", yaml)
				case "home-ini":
					paths[place] = writeFile(t, home, ".flyte/config", "[platform]\nurl = "+place+".example.com\n")
				}
			}
			p, path, err := config.Discover(opts...)
			if err != nil {
				t.Fatal(err)
			}
			if path != paths[want] || p.Endpoint != want+".example.com" {
				t.Fatalf("Discover = %q from %q, want %s from %q", p.Endpoint, path, want, paths[want])
			}
		})
	}
}

// The git root's file is found from the root itself and from deep below it,
// and a .git file (a worktree or submodule) marks a root too.
func TestDiscoverGitRoot(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		sub     string
		gitFile bool
	}{
		{"at the root", "", false},
		{"two levels below", "a/b", false},
		{"worktree .git file", "a", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			repo := t.TempDir()
			if tc.gitFile {
				writeFile(t, repo, ".git", "gitdir: /elsewhere\n")
			} else if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o700); err != nil {
				t.Fatal(err)
			}
			want := writeFile(t, repo, ".flyte/config.yaml", "admin:\n  endpoint: git.example.com\n")
			wd := filepath.Join(repo, tc.sub)
			if err := os.MkdirAll(wd, 0o700); err != nil {
				t.Fatal(err)
			}
			_, path, err := config.Discover(config.WithWorkDir(wd), config.WithHomeDir(""), noEnv)
			if err != nil || path != want {
				t.Fatalf("Discover path %q err %v, want %q", path, err, want)
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
		}, "endpoint", false, "$UCTL_CONFIG, $FLYTECTL_CONFIG, "},
		{"explicit path missing", func(t *testing.T, root string) []config.LoadOption {
			return []config.LoadOption{config.WithPath(filepath.Join(root, "absent.yaml"))}
		}, "", true, "cannot read config file"},
		{"FLYTECTL_CONFIG missing", func(t *testing.T, root string) []config.LoadOption {
			return []config.LoadOption{env(map[string]string{"FLYTECTL_CONFIG": filepath.Join(root, "absent.yaml")})}
		}, "FLYTECTL_CONFIG", true, "cannot read config file"},
		{"UCTL_CONFIG missing", func(t *testing.T, root string) []config.LoadOption {
			return []config.LoadOption{env(map[string]string{"UCTL_CONFIG": filepath.Join(root, "absent.yaml")})}
		}, "UCTL_CONFIG", true, "cannot read config file"},
		{"unrelated ./config.yaml", func(t *testing.T, root string) []config.LoadOption {
			writeFile(t, root, "work/config.yaml", "server:\n  port: 80\n")
			writeFile(t, root, "home/.flyte/config.yaml", "admin:\n  endpoint: h\n")
			return nil
		}, "admin.endpoint", true, "is empty"},
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
