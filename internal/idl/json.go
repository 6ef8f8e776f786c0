package idl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// marshalJSON writes m as a JSON object with snake_case names in field-number
// order, omitting empty strings and lists.
func marshalJSON(m message) ([]byte, error) { return marshalJSONNames(m, false) }

// MarshalProtoJSON returns m as the canonical Protobuf JSON mapping writes it
// (protojson, as Flyte 2's well-known route answers): lowerCamelCase names,
// empty strings and lists omitted. m is an *[Empty], *[OAuth2Metadata] or
// *[PublicClientConfig].
func MarshalProtoJSON(m any) ([]byte, error) {
	msg, ok := m.(message)
	if !ok {
		return nil, unsupported(m)
	}
	return marshalJSONNames(orZero(msg), true)
}

// marshalJSONNames writes m as a JSON object, with lowerCamelCase names when
// camel is set and snake_case names otherwise.
func marshalJSONNames(m message, camel bool) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for _, f := range m.fields() {
		var v any
		switch {
		case f.str != nil && *f.str != "":
			v = *f.str
		case f.list != nil && len(*f.list) > 0:
			v = *f.list
		default:
			continue
		}
		data, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("idl: field %s: %w", f.name, err)
		}
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		name := f.name
		if camel {
			name = lowerCamel(name)
		}
		buf.WriteByte('"')
		buf.WriteString(name)
		buf.WriteString(`":`)
		buf.Write(data)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// unmarshalJSON resets m and decodes the JSON object data into it. Each field
// is found under its snake_case or its lowerCamelCase name (giving both is an
// error); null means the default value; unknown names are ignored.
func unmarshalJSON(m message, data []byte) error {
	fields := m.fields()
	reset(fields)
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("idl: %w", err)
	}
	for _, f := range fields {
		v, ok := raw[f.name]
		if camel := lowerCamel(f.name); camel != f.name {
			if w, found := raw[camel]; found {
				if ok {
					return fmt.Errorf("idl: field %s given as both %s and %s", f.name, f.name, camel)
				}
				v, ok = w, true
			}
		}
		if !ok || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			continue
		}
		var dst any = f.str
		if f.str == nil {
			dst = f.list
		}
		if err := json.Unmarshal(v, dst); err != nil {
			return fmt.Errorf("idl: field %s: %w", f.name, err)
		}
	}
	return nil
}

// lowerCamel maps a snake_case name to the JSON name the Protobuf JSON mapping
// derives from it: client_id becomes clientId.
func lowerCamel(name string) string {
	var b strings.Builder
	upper := false
	for _, r := range name {
		switch {
		case r == '_':
			upper = true
		case upper && 'a' <= r && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
			upper = false
		default:
			b.WriteRune(r)
			upper = false
		}
	}
	return b.String()
}

// MarshalJSON returns {}.
func (m Empty) MarshalJSON() ([]byte, error) { return marshalJSON(&m) }

// UnmarshalJSON accepts any JSON object and ignores its members.
func (m *Empty) UnmarshalJSON(data []byte) error {
	if m == nil {
		return errNilMessage
	}
	return unmarshalJSON(m, data)
}

// MarshalJSON returns m as a JSON object with snake_case names, as
// flyteadmin's REST route serves it; empty strings and lists are omitted.
func (m OAuth2Metadata) MarshalJSON() ([]byte, error) { return marshalJSON(&m) }

// UnmarshalJSON resets m and decodes a JSON object with snake_case or
// lowerCamelCase names into it; unknown names are ignored.
func (m *OAuth2Metadata) UnmarshalJSON(data []byte) error {
	if m == nil {
		return errNilMessage
	}
	return unmarshalJSON(m, data)
}

// MarshalJSON returns m as a JSON object with snake_case names, as
// flyteadmin's REST route serves it; empty strings and lists are omitted.
func (m PublicClientConfig) MarshalJSON() ([]byte, error) { return marshalJSON(&m) }

// UnmarshalJSON resets m and decodes a JSON object with snake_case or
// lowerCamelCase names into it; unknown names are ignored.
func (m *PublicClientConfig) UnmarshalJSON(data []byte) error {
	if m == nil {
		return errNilMessage
	}
	return unmarshalJSON(m, data)
}
