package config

import (
	"errors"
	"io"
	"log/slog"
	"os"
)

// LoadOption configures [Load], [Discover] and [FromEnv]. The zero set of
// options reads the real environment, home directory and working directory
// and discards warnings.
type LoadOption interface {
	applyToLoad(*loadOptions)
}

type loadOptions struct {
	path       string
	lookupEnv  func(string) (string, bool)
	homeDir    func() (string, error)
	workDir    func() (string, error)
	warnFuncs  []func(Warning)
	overrides  []func(*Platform)
	noValidate bool
	// readFile reads config and secret files; tests replace it.
	readFile func(name string) ([]byte, error)
}

func newLoadOptions(opts []LoadOption) *loadOptions {
	o := &loadOptions{
		lookupEnv: os.LookupEnv,
		homeDir:   os.UserHomeDir,
		workDir:   os.Getwd,
		readFile:  readLimited,
	}
	for _, opt := range opts {
		if opt != nil {
			opt.applyToLoad(o)
		}
	}
	return o
}

func (o *loadOptions) warn(w Warning) {
	for _, f := range o.warnFuncs {
		f(w)
	}
}

type loadOptionFunc func(*loadOptions)

func (f loadOptionFunc) applyToLoad(o *loadOptions) { f(o) }

// WithPath makes [Discover] load this file and nothing else; a missing file
// is an error. [Load] ignores it: its argument names the file.
func WithPath(path string) LoadOption {
	return loadOptionFunc(func(o *loadOptions) { o.path = path })
}

// WithLookupEnv replaces [os.LookupEnv] for every variable the loader reads:
// FLYTE_*, FLYTECTL_CONFIG and the variable named by clientSecretEnvVar.
// A nil function means an empty environment.
func WithLookupEnv(lookup func(key string) (string, bool)) LoadOption {
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	return loadOptionFunc(func(o *loadOptions) { o.lookupEnv = lookup })
}

// WithHomeDir sets the directory [Discover] looks in for ~/.flyte; the
// default is [os.UserHomeDir]. An empty dir skips the home directory.
func WithHomeDir(dir string) LoadOption {
	return loadOptionFunc(func(o *loadOptions) { o.homeDir = func() (string, error) { return dir, nil } })
}

// WithWorkDir sets the directory [Discover] looks in for ./.flyte; the
// default is [os.Getwd]. An empty dir skips the working directory.
func WithWorkDir(dir string) LoadOption {
	return loadOptionFunc(func(o *loadOptions) { o.workDir = func() (string, error) { return dir, nil } })
}

// WithWarnings calls fn, synchronously and in file order, for every setting
// that is accepted but probably not meant: unknown keys inside admin: and
// the INI [platform] and [credentials] sections (typos such as
// insecureSkipVerfy), and a command written as one string. Warnings never
// include secret values. Several WithWarnings and [WithLogger] options all
// receive every warning.
func WithWarnings(fn func(Warning)) LoadOption {
	return loadOptionFunc(func(o *loadOptions) {
		if fn != nil {
			o.warnFuncs = append(o.warnFuncs, fn)
		}
	})
}

// WithLogger logs every warning (see [WithWarnings]) to l at level Warn,
// with the attributes key, file and line. A nil l is ignored.
func WithLogger(l *slog.Logger) LoadOption {
	if l == nil {
		return WithWarnings(nil)
	}
	return WithWarnings(func(w Warning) {
		attrs := []any{slog.String("key", w.Key)}
		if w.File != "" {
			attrs = append(attrs, slog.String("file", w.File), slog.Int("line", w.Line))
		}
		l.Warn("config: "+w.Message, attrs...)
	})
}

// WithOverride applies fn to the loaded [Platform] after the file and the
// environment, so what fn sets wins over both (explicit options > env >
// file > defaults). Overrides run in order, before validation; errors about
// a value an override changed name the bare key ("authType").
func WithOverride(fn func(*Platform)) LoadOption {
	return loadOptionFunc(func(o *loadOptions) {
		if fn != nil {
			o.overrides = append(o.overrides, fn)
		}
	})
}

// WithoutValidation skips [Platform.Validate] and the secret-file check, for
// partial configurations completed later in code. Every value is still
// parsed and checked on its own (booleans, durations, auth type, endpoint
// form, token cache, proxy URL).
func WithoutValidation() LoadOption {
	return loadOptionFunc(func(o *loadOptions) { o.noValidate = true })
}

var errTooLarge = errors.New("file is larger than 1 MiB")

// maxFileSize bounds what is read of a config or secret file.
const maxFileSize = 1 << 20

func readLimited(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFileSize {
		return nil, errTooLarge
	}
	return b, nil
}
