package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Discover finds and loads the configuration the way flytectl and flytekit
// users expect, taking the first of:
//
//  1. the file given with [WithPath];
//  2. the file named by $FLYTECTL_CONFIG;
//  3. ./.flyte/config.yaml in the working directory ([WithWorkDir]);
//  4. ~/.flyte/config.yaml in the home directory ([WithHomeDir]);
//  5. ~/.flyte/config, flytekit's legacy INI file.
//
// A file named by 1 or 2 must exist; 3 to 5 are skipped when absent. The
// chosen file is loaded as by [Load], with the same environment overlay,
// overrides and validation. With no file, the environment alone configures
// the platform; when it sets no endpoint either, the error says where
// Discover looked.
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

// find returns the file to load and what chose it, or "" after recording in
// l.searched where it looked.
func (l *loader) find() (path, chosenBy string, err error) {
	if l.o.path != "" {
		return l.o.path, "", nil
	}
	if v, ok := l.o.lookupEnv("FLYTECTL_CONFIG"); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v), "FLYTECTL_CONFIG", nil
	}
	l.searched = []string{"$FLYTECTL_CONFIG"}
	var candidates []string
	if wd, err := l.o.workDir(); err == nil && wd != "" {
		candidates = append(candidates, filepath.Join(wd, ".flyte", "config.yaml"))
	}
	if home, err := l.o.homeDir(); err == nil && home != "" {
		candidates = append(candidates, filepath.Join(home, ".flyte", "config.yaml"), filepath.Join(home, ".flyte", "config"))
	}
	for _, c := range candidates {
		fi, err := os.Stat(c)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			l.searched = append(l.searched, c)
		case err != nil:
			return c, "", &FieldError{File: c, Reason: "cannot read config file", Err: unwrapPathError(err)}
		case fi.IsDir():
			l.searched = append(l.searched, c)
		default:
			l.searched = nil
			return c, "", nil
		}
	}
	return "", "", nil
}
