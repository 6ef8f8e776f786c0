package config

import (
	"bytes"
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
)

// Load reads one configuration file, then overlays the FLYTE_* environment
// variables (see [FromEnv]) and the [WithOverride] functions, so the
// precedence is explicit options > environment > file > defaults. Settings
// left unset keep their zero value, which every consumer reads as "default".
//
// The file is a flytectl or flyte-sdk YAML file (the admin: section,
// console.endpoint and task.org; other top-level sections such as logger:
// or storage: are ignored) or a legacy flytekit INI file ([platform] and
// [credentials]; other sections are ignored). Files ending in .yaml or .yml are YAML, .ini, .cfg and .conf are
// INI; any other file is INI when its first line that is not blank or a
// comment opens a section ("[platform]"), else YAML. Keys inside admin: are
// matched case-insensitively, as flytectl does; unknown keys there and in the
// INI sections are reported to [WithWarnings] and ignored.
//
// Value rules: endpoints take every form [ParseEndpoint] accepts and a
// leading "dns:///" is removed; durations use Go syntax ("30s", "2m") and a
// bare number other than 0 is an error (flytectl would read it as
// nanoseconds); booleans are YAML booleans or true/false, 1/0, yes/no, y/n,
// on/off in any case; lists are YAML sequences or comma-separated text;
// commands are YAML sequences taken verbatim, or comma-separated text in INI
// files and the environment (as flytekit), or, in YAML, one string split on
// whitespace with a warning. An empty value leaves the setting unset. When
// no auth type is set but a client secret source is (clientSecretLocation,
// clientSecretEnvVar or a literal secret), the auth type is ClientSecret, as
// in flytekit.
//
// What is checked here: the file can be read (at most 1 MiB) and parsed,
// which gives the file and line on failure; every value on its own; then,
// unless [WithoutValidation] is given, that the secret file of a ClientSecret
// configuration is readable and not empty (skipped when the variable named by
// clientSecretEnvVar is set, since it wins), and [Platform.Validate]. The CA
// file and the reachability of anything are checked when the stack is built.
//
// Every error is a one-line [*FieldError] (several joined by [errors.Join]
// when Validate finds several problems) naming the key as written in its
// source ("admin.authType", "credentials.auth_mode",
// "FLYTE_CREDENTIALS_AUTH_MODE") with the file and line; secret values are
// never included. Load never prints; it is safe for concurrent use as long as
// the options' functions are.
func Load(path string, opts ...LoadOption) (*Platform, error) {
	l := newLoader(newLoadOptions(opts))
	if err := l.loadFile(path, ""); err != nil {
		return nil, err
	}
	return l.finish()
}

// format is the syntax the settings were read in.
type format int

const (
	formatEnv format = iota // no file: the environment only
	formatYAML
	formatINI
)

// loader accumulates one Platform from a file, the environment and
// overrides, remembering where each setting was written.
type loader struct {
	o       *loadOptions
	p       Platform
	file    string
	format  format
	origins map[string]origin // by key name
	// searched lists the places Discover looked in, when it found no file.
	searched []string
}

func newLoader(o *loadOptions) *loader {
	return &loader{o: o, origins: make(map[string]origin)}
}

// set assigns t to k and records where it came from.
func (l *loader) set(k *key, t text, o origin) error {
	if err := assign(&l.p, k, t, o); err != nil {
		return err
	}
	l.origins[k.name] = o
	return nil
}

// where returns the origin of the named setting, or, when nothing set it,
// the name it would have in the source that was read.
func (l *loader) where(name string) origin {
	if o, ok := l.origins[name]; ok {
		return o
	}
	o := origin{key: name, file: l.file}
	if k := keysByName[name]; k != nil {
		switch {
		case l.format == formatYAML && k.yaml != "":
			o.key = k.yaml
		case l.format == formatINI && k.ini != "":
			o.key = k.ini
		case l.format == formatEnv && k.envName() != "":
			o.key = k.envName()
		}
	}
	return o
}

// loadFile reads and decodes path. chosenBy names what selected the file
// ("FLYTECTL_CONFIG"), for the error when it cannot be read.
func (l *loader) loadFile(path, chosenBy string) error {
	data, err := l.o.readFile(path)
	if err != nil {
		return &FieldError{Key: chosenBy, File: path, Reason: "cannot read config file", Err: unwrapPathError(err)}
	}
	l.file = path
	l.format = detectFormat(path, data)
	if l.format == formatINI {
		return l.decodeINI(data)
	}
	return l.decodeYAML(data)
}

// finish overlays the environment and overrides, infers the auth type and
// validates.
func (l *loader) finish() (*Platform, error) {
	if err := l.env(); err != nil {
		return nil, err
	}
	if len(l.o.overrides) > 0 {
		before := l.p
		for _, fn := range l.o.overrides {
			fn(&l.p)
		}
		for _, k := range keys {
			if !reflect.DeepEqual(k.ptr(&before), k.ptr(&l.p)) {
				l.origins[k.name] = origin{key: k.name}
			}
		}
	}
	if l.p.AuthType == AuthUnset && l.p.HasClientSecret() {
		l.p.AuthType = AuthClientSecret
	}
	if l.o.noValidate {
		return &l.p, nil
	}
	if l.file == "" && l.searched != nil && l.p.Endpoint == "" {
		return nil, &FieldError{
			Key:    "endpoint",
			Reason: "not configured: no config file found (looked for " + strings.Join(l.searched, ", ") + ") and none of FLYTE_API_KEY, FLYTE_ADMIN_ENDPOINT, FLYTE_PLATFORM_URL is set",
		}
	}
	if err := l.checkSecretFile(); err != nil {
		return nil, err
	}
	if err := l.validate(); err != nil {
		return nil, err
	}
	return &l.p, nil
}

// checkSecretFile reports an unreadable or empty client secret file when the
// ClientSecret flow would read it. The content is dropped at once.
func (l *loader) checkSecretFile() error {
	p := &l.p
	if p.AuthType != AuthClientSecret || p.ClientSecretLocation == "" {
		return nil
	}
	if p.ClientSecretEnvVar != "" {
		if v, ok := l.o.lookupEnv(p.ClientSecretEnvVar); ok && strings.TrimSpace(v) != "" {
			return nil
		}
	}
	o := l.where("clientSecretLocation")
	b, err := l.o.readFile(p.ClientSecretLocation)
	if err != nil {
		return o.error(p.ClientSecretLocation, "cannot read secret file", unwrapPathError(err))
	}
	empty := len(bytes.TrimSpace(b)) == 0
	clear(b)
	if empty {
		return o.error(p.ClientSecretLocation, "secret file is empty", nil)
	}
	return nil
}

// validate runs Platform.Validate and names each problem as its source does.
func (l *loader) validate() error {
	err := l.p.Validate()
	if err == nil {
		return nil
	}
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = append(list, j.Unwrap()...)
	} else {
		list = []error{err}
	}
	for i, e := range list {
		if fe, ok := errors.AsType[*FieldError](e); ok {
			list[i] = rekey(fe, l.where(fe.Key))
		}
	}
	if len(list) == 1 {
		return list[0]
	}
	return errors.Join(list...)
}

// detectFormat tells YAML from INI by extension, else by the first line
// that is neither blank nor a comment.
func detectFormat(path string, data []byte) format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return formatYAML
	case ".ini", ".cfg", ".conf":
		return formatINI
	}
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			return formatINI
		}
		return formatYAML
	}
	return formatYAML
}

// unwrapPathError drops the operation and path of a *fs.PathError, which
// the FieldError already names.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
