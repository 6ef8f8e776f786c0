package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Discover finds and loads the configuration the way flyte-sdk does, with
// flytekit's legacy file last, taking the first of:
//
//  1. the file given with [WithPath];
//  2. ./config.yaml in the working directory ([WithWorkDir]);
//  3. ./.flyte/config.yaml in the working directory;
//  4. <git root>/.flyte/config.yaml, the git root being the nearest
//     directory at or above the working directory that holds .git;
//  5. the file named by $UCTL_CONFIG;
//  6. the file named by $FLYTECTL_CONFIG;
//  7. ~/.union/config.yaml in the home directory ([WithHomeDir]);
//  8. ~/.flyte/config.yaml;
//  9. ~/.flyte/config, flytekit's legacy INI file.
//
// 1 to 8 is flyte-sdk's order, so a program built on authwire and flyte-sdk
// pick the same file in the same directory and environment; flytectl's
// places ($FLYTECTL_CONFIG, ~/.flyte/config.yaml) are in it. A file named by
// 1, 5 or 6 must exist; the others are skipped when absent. The chosen file
// is loaded as by [Load], with the same environment overlay, overrides and
// validation. With no file, the environment alone configures the platform
// (FLYTE_API_KEY, or FLYTE_ADMIN_ENDPOINT / FLYTE_PLATFORM_URL and the other
// variables); when it sets no endpoint either, the error says where Discover
// looked.
//
// Discover returns the path it used, "" when no file was found; the path is
// returned with the error when the chosen file is at fault.
func Discover(opts ...LoadOption) (*Platform, string, error) {
	o := newLoadOptions(opts)
	l := newLoader(o)
	path, chosenBy, err := l.find()
	if err != nil {
		return nil, path, err
	}
	if path != "" {
		if err := l.loadFile(path, chosenBy); err != nil {
			return nil, path, err
		}
	}
	p, err := l.finish()
	if err != nil {
		return nil, path, err
	}
	return p, path, nil
}

// place is one step of the search: a file that is used when it exists, or
// a variable naming a file that must exist.
type place struct {
	file string // a candidate file; "" for a variable
	env  string // the variable naming the file
}

// find returns the file to load and what chose it, or "" after recording in
// l.searched where it looked.
func (l *loader) find() (path, chosenBy string, err error) {
	if l.o.path != "" {
		return l.o.path, "", nil
	}
	l.searched = nil
	for _, pl := range l.places() {
		if pl.env != "" {
			if v, ok := l.o.lookupEnv(pl.env); ok && strings.TrimSpace(v) != "" {
				l.searched = nil
				return strings.TrimSpace(v), pl.env, nil
			}
			l.searched = append(l.searched, "$"+pl.env)
			continue
		}
		fi, err := os.Stat(pl.file)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			l.searched = append(l.searched, pl.file)
		case err != nil:
			return pl.file, "", &FieldError{File: pl.file, Reason: "cannot read config file", Err: unwrapPathError(err)}
		case fi.IsDir():
			l.searched = append(l.searched, pl.file)
		default:
			l.searched = nil
			return pl.file, "", nil
		}
	}
	return "", "", nil
}

// places lists steps 2 to 9 of Discover, leaving out those whose directory
// is unknown and the git root's file when it is the working directory's.
func (l *loader) places() []place {
	var list []place
	if wd, err := l.o.workDir(); err == nil && wd != "" {
		list = append(list, place{file: filepath.Join(wd, "config.yaml")}, place{file: filepath.Join(wd, ".flyte", "config.yaml")})
		if root := gitRoot(wd); root != "" && filepath.Clean(root) != filepath.Clean(wd) {
			list = append(list, place{file: filepath.Join(root, ".flyte", "config.yaml")})
		}
	}
	list = append(list, place{env: "UCTL_CONFIG"}, place{env: "FLYTECTL_CONFIG"})
	if home, err := l.o.homeDir(); err == nil && home != "" {
		list = append(list,
			place{file: filepath.Join(home, ".union", "config.yaml")},
			place{file: filepath.Join(home, ".flyte", "config.yaml")},
			place{file: filepath.Join(home, ".flyte", "config")})
	}
	return list
}

// gitRoot returns the nearest directory at or above dir that holds a .git
// entry (a directory, or the file of a worktree or submodule), or "".
func gitRoot(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
