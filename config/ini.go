package config

import (
	"strconv"
	"strings"
)

// iniSections are the sections of a flytekit INI file authwire reads; others
// ([sdk], [aws], …) belong to flytekit and are ignored.
var iniSections = map[string]bool{"platform": true, "credentials": true}

// iniEntry is one "option = value" line and its continuation lines.
type iniEntry struct {
	section, option, value string
	line                   int
}

// decodeINI reads a legacy flytekit configuration in the syntax of Python's
// configparser: [section] headers, "option = value" or "option: value",
// indented continuation lines, full-line comments starting with # or ;.
// Section and option names are case-insensitive. There is no interpolation
// and no inline comment: the rest of the line is the value.
func (l *loader) decodeINI(data []byte) error {
	var (
		entries  []iniEntry
		section  string
		sections = make(map[string]int)
		options  = make(map[string]int)
		open     = -1 // the entry a continuation line extends
	)
	for i, raw := range strings.Split(string(data), "\n") {
		n := i + 1
		line := strings.TrimRight(raw, "\r")
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			open = -1
			continue
		case trimmed[0] == '#' || trimmed[0] == ';':
			continue
		case (line[0] == ' ' || line[0] == '\t') && open >= 0:
			entries[open].value += "\n" + trimmed
			continue
		}
		open = -1
		if trimmed[0] == '[' {
			if !strings.HasSuffix(trimmed, "]") || len(trimmed) < 3 {
				return &FieldError{File: l.file, Line: n, Reason: "malformed INI: want a section header such as [platform]"}
			}
			section = strings.ToLower(strings.TrimSpace(trimmed[1 : len(trimmed)-1]))
			if first, dup := sections[section]; dup {
				return &FieldError{Key: displayName(section), File: l.file, Line: n, Reason: "duplicate section (first on line " + strconv.Itoa(first) + ")"}
			}
			sections[section] = n
			continue
		}
		cut := strings.IndexAny(trimmed, "=:")
		if cut <= 0 {
			return &FieldError{File: l.file, Line: n, Reason: "malformed INI: want option = value"}
		}
		if section == "" {
			return &FieldError{File: l.file, Line: n, Reason: "malformed INI: option outside a section (add [platform] or [credentials] above it)"}
		}
		option := strings.ToLower(strings.TrimSpace(trimmed[:cut]))
		path := section + "." + option
		if first, dup := options[path]; dup {
			return &FieldError{Key: displayName(path), File: l.file, Line: n, Reason: "duplicate option (first on line " + strconv.Itoa(first) + ")"}
		}
		options[path] = n
		entries = append(entries, iniEntry{section: section, option: option, value: strings.TrimSpace(trimmed[cut+1:]), line: n})
		open = len(entries) - 1
	}
	for _, e := range entries {
		if !iniSections[e.section] {
			continue
		}
		path := e.section + "." + e.option
		k := keysByINI[path]
		if k == nil {
			l.o.warn(Warning{Key: displayName(path), File: l.file, Line: e.line, Message: unknownKey(e.option, iniOptions(e.section))})
			continue
		}
		if err := l.set(k, text{scalar: e.value, splitArgv: splitComma}, origin{key: k.ini, file: l.file, line: e.line}); err != nil {
			return err
		}
	}
	return nil
}

// iniOptions lists the options authwire reads in an INI section.
func iniOptions(section string) []string {
	var names []string
	for _, k := range keys {
		if rest, ok := strings.CutPrefix(k.ini, section+"."); ok {
			names = append(names, rest)
		}
	}
	return names
}
