package config

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decodeYAML reads a flytectl or flyte-sdk configuration: admin:, console:
// and task.org. Other top-level sections belong to other components and are
// ignored.
func (l *loader) decodeYAML(data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return l.yamlSyntaxError(err)
	}
	if len(doc.Content) == 0 {
		return nil // an empty file or only comments
	}
	root := resolveAlias(doc.Content[0])
	if isNull(root) {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		return &FieldError{File: l.file, Line: root.Line, Reason: "malformed config: want a mapping of sections such as admin: and console:"}
	}
	return l.yamlMapping(root, "")
}

// yamlMapping walks the pairs of m, found at path prefix ("" for the root,
// else the canonical path such as "admin" or "admin.pkceConfig").
func (l *loader) yamlMapping(m *yaml.Node, prefix string) error {
	seen := make(map[string]int, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		kn, vn := m.Content[i], resolveAlias(m.Content[i+1])
		if kn.Kind != yaml.ScalarNode {
			return &FieldError{Key: prefix, File: l.file, Line: kn.Line, Reason: "has a key that is not a plain name"}
		}
		path := joinPath(prefix, displayName(kn.Value))
		lowerPath := strings.ToLower(joinPath(prefix, kn.Value))
		if first, dup := seen[lowerPath]; dup {
			return &FieldError{Key: path, File: l.file, Line: kn.Line, Reason: "duplicate key (first on line " + strconv.Itoa(first) + ")"}
		}
		seen[lowerPath] = kn.Line

		if prefix == "" {
			switch lowerPath {
			case "admin", "console", "task":
				if err := l.yamlSection(vn, lowerPath); err != nil {
					return err
				}
			}
			continue // other flytectl sections: logger, storage, files, …
		}
		if k := keysByYAML[lowerPath]; k != nil {
			if err := l.yamlValue(k, kn, vn); err != nil {
				return err
			}
			continue
		}
		if section := yamlSections[lowerPath]; section != "" {
			if err := l.yamlSection(vn, section); err != nil {
				return err
			}
			continue
		}
		if yamlIgnored[lowerPath] || !strings.HasPrefix(lowerPath, "admin.") {
			continue // known flytectl keys authwire does not use; console's and task's other keys
		}
		l.o.warn(Warning{Key: path, File: l.file, Line: kn.Line, Message: unknownKey(kn.Value, yamlChildren(prefix))})
	}
	return nil
}

// yamlSection walks a section's mapping; an empty section is allowed.
func (l *loader) yamlSection(n *yaml.Node, path string) error {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return &FieldError{Key: path, File: l.file, Line: n.Line, Reason: "want a mapping of keys"}
	}
	return l.yamlMapping(n, path)
}

// yamlValue assigns the value node of one key.
func (l *loader) yamlValue(k *key, kn, vn *yaml.Node) error {
	o := origin{key: k.yaml, file: l.file, line: vn.Line}
	if o.line == 0 {
		o.line = kn.Line
	}
	if isNull(vn) {
		return nil
	}
	var t text
	switch vn.Kind {
	case yaml.ScalarNode:
		t = text{scalar: vn.Value, splitArgv: func(s string) []string {
			args := strings.Fields(s)
			if len(args) > 1 {
				l.o.warn(Warning{Key: o.key, File: o.file, Line: o.line,
					Message: "command given as one string was split on whitespace; write it as a list to keep arguments that contain spaces"})
			}
			return args
		}}
	case yaml.SequenceNode:
		t = text{isList: true, list: make([]string, 0, len(vn.Content))}
		for _, item := range vn.Content {
			item = resolveAlias(item)
			if item.Kind != yaml.ScalarNode || isNull(item) {
				return &FieldError{Key: o.key, File: o.file, Line: item.Line, Reason: "want a list of plain values"}
			}
			t.list = append(t.list, item.Value)
		}
	default:
		return o.error("", "want a value, got a mapping", nil)
	}
	return l.set(k, t, o)
}

// yamlChildren lists the canonical names directly under a YAML path, for
// suggestions.
func yamlChildren(prefix string) []string {
	var names []string
	add := func(path string) {
		if rest, ok := strings.CutPrefix(path, prefix+"."); ok && !strings.Contains(rest, ".") {
			names = append(names, rest)
		}
	}
	for _, k := range keys {
		add(k.yaml)
	}
	for _, s := range yamlSections {
		add(s)
	}
	return names
}

// unknownKey is the warning for a key no source knows, with a suggestion
// when a known key is spelt alike.
func unknownKey(name string, known []string) string {
	if s := suggest(name, known); s != "" {
		return "unknown key, ignored (did you mean " + s + "?)"
	}
	return "unknown key, ignored"
}

var yamlErrorLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlSyntaxError turns a parser error into a one-line FieldError with the
// file and line.
func (l *loader) yamlSyntaxError(err error) error {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	fe := &FieldError{File: l.file, Reason: "malformed YAML"}
	if m := yamlErrorLine.FindStringSubmatch(msg); m != nil {
		fe.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	fe.Err = errors.New(strings.TrimPrefix(msg, "yaml: "))
	return fe
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// displayName quotes a key that would not read as one plain word in a
// one-line message.
func displayName(s string) string {
	for _, r := range s {
		if r <= ' ' || r == 0x7f || r == '"' || r == '\\' || r > 0x7e {
			return clip(fmt.Sprintf("%q", s))
		}
	}
	return clip(s)
}
