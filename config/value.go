package config

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// origin is where a value was written, named as the user wrote it.
type origin struct {
	key  string // "admin.insecure", "platform.insecure", "FLYTE_PLATFORM_INSECURE"
	file string // "" for the environment
	line int
}

func (o origin) error(value, reason string, err error) *FieldError {
	return &FieldError{Key: o.key, Value: clip(value), Reason: reason, Err: err, File: o.file, Line: o.line}
}

// text is one value as read from a source: a scalar, or a list of scalars
// (YAML sequences only).
type text struct {
	scalar string
	list   []string
	isList bool
	// splitArgv splits a scalar given for a command. YAML splits on
	// whitespace (and warns), INI files and the environment on commas, as
	// flytekit does.
	splitArgv func(string) []string
}

// assign parses t for k and stores it in p. An empty scalar leaves the
// setting as it was. Errors name o.
func assign(p *Platform, k *key, t text, o origin) error {
	if t.isList && k.kind != kindList && k.kind != kindArgv {
		return o.error("", "want a single value, got a list", nil)
	}
	s := strings.TrimSpace(t.scalar)
	if !t.isList && s == "" {
		return nil // an empty value leaves the setting unset
	}
	switch ptr := k.ptr(p).(type) {
	case *string:
		switch k.kind {
		case kindEndpoint:
			if _, err := ParseEndpoint(s, false); err != nil {
				return rekey(err, o)
			}
			s = strings.TrimPrefix(s, "dns:///")
		case kindProxyURL:
			u, err := url.Parse(s)
			if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5") {
				return o.error("", "malformed (want http://host:port)", nil)
			}
		case kindTokenCache:
			s = strings.ToLower(s)
			switch s {
			case "auto", "keyring", "file", "memory":
			default:
				return o.error(t.scalar, "unknown value (want one of auto, keyring, file, memory)", nil)
			}
		case kindAPIGen:
			s = strings.ToLower(s)
			if !validMetadataAPI(s) {
				return o.error(t.scalar, "unknown value (want one of auto, v1, v2)", nil)
			}
		}
		*ptr = s
	case *bool:
		b, ok := parseBool(s)
		if !ok {
			return o.error(t.scalar, "not a boolean (want true or false)", nil)
		}
		*ptr = b
	case *int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return o.error(t.scalar, "not an integer", nil)
		}
		*ptr = n
	case *time.Duration:
		d, reason := parseDuration(s)
		if reason != "" {
			return o.error(t.scalar, reason, nil)
		}
		*ptr = d
	case *AuthType:
		a, err := ParseAuthType(s)
		if err != nil {
			return rekey(err, o)
		}
		*ptr = a
	case *[]string:
		switch {
		case t.isList && k.kind == kindArgv:
			*ptr = nil
			if len(t.list) > 0 {
				*ptr = append([]string(nil), t.list...) // argv is taken verbatim
			}
		case t.isList:
			*ptr = trimAll(t.list)
		case k.kind == kindArgv:
			*ptr = t.splitArgv(s)
		default:
			*ptr = splitComma(s)
		}
		if k.kind == kindArgv && len(*ptr) > 0 && (*ptr)[0] == "" {
			return o.error("", "has an empty program name", nil)
		}
	}
	return nil
}

// rekey returns err, a *FieldError about a bare key, renamed to o.
func rekey(err error, o origin) error {
	fe, ok := errors.AsType[*FieldError](err)
	if !ok {
		return o.error("", "invalid", err)
	}
	c := *fe
	c.Key, c.File, c.Line = o.key, o.file, o.line
	c.Value = clip(c.Value)
	return &c
}

// parseBool accepts YAML's and flytekit's spellings, case-insensitively.
func parseBool(s string) (v, ok bool) {
	switch strings.ToLower(s) {
	case "true", "1", "yes", "y", "on":
		return true, true
	case "false", "0", "no", "n", "off":
		return false, true
	}
	return false, false
}

// parseDuration parses Go duration syntax. A bare number other than 0 is
// rejected: flytectl would read it as nanoseconds, which no one means.
func parseDuration(s string) (time.Duration, string) {
	if s == "0" {
		return 0, ""
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return 0, "a number needs a unit (want a duration like \"30s\" or \"2m\")"
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, "not a duration (want one like \"30s\", \"2m\" or \"1h30m\")"
	}
	return d, ""
}

// splitComma splits a flytekit list ("a, b,c"), dropping empty items.
// Newlines separate items too, for INI continuation lines.
func splitComma(s string) []string {
	return trimAll(strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' }))
}

// trimAll trims every item and drops the empty ones; nil when none is left.
func trimAll(items []string) []string {
	var out []string
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}

// clip bounds a value quoted in a message, so errors stay one short line.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
