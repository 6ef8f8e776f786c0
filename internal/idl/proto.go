package idl

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// marshalProto encodes m in field-number order. Empty strings and empty lists
// are omitted, as proto3 does for fields without presence.
func marshalProto(m message) ([]byte, error) {
	var b []byte
	for _, f := range m.fields() {
		if f.str != nil {
			if *f.str == "" {
				continue
			}
			if !utf8.ValidString(*f.str) {
				return nil, fmt.Errorf("idl: field %s: invalid UTF-8", f.name)
			}
			b = protowire.AppendTag(b, f.num, protowire.BytesType)
			b = protowire.AppendString(b, *f.str)
			continue
		}
		for _, s := range *f.list {
			if !utf8.ValidString(s) {
				return nil, fmt.Errorf("idl: field %s: invalid UTF-8", f.name)
			}
			b = protowire.AppendTag(b, f.num, protowire.BytesType)
			b = protowire.AppendString(b, s)
		}
	}
	return b, nil
}

// unmarshalProto resets m and decodes b into it. Unknown fields are skipped;
// a known field with another wire type, invalid UTF-8 or truncated input is an
// error. A repeated scalar field keeps its last value, as in proto3.
func unmarshalProto(m message, b []byte) error {
	fields := m.fields()
	reset(fields)
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("idl: bad tag: %w", protowire.ParseError(n))
		}
		b = b[n:]
		f, known := lookup(fields, num)
		if !known {
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return fmt.Errorf("idl: unknown field %d: %w", num, protowire.ParseError(n))
			}
			b = b[n:]
			continue
		}
		if typ != protowire.BytesType {
			return fmt.Errorf("idl: field %s: wire type %d, want %d", f.name, typ, protowire.BytesType)
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return fmt.Errorf("idl: field %s: %w", f.name, protowire.ParseError(n))
		}
		b = b[n:]
		if !utf8.Valid(v) {
			return fmt.Errorf("idl: field %s: invalid UTF-8", f.name)
		}
		if f.str != nil {
			*f.str = string(v)
		} else {
			*f.list = append(*f.list, string(v))
		}
	}
	return nil
}

func lookup(fields []field, num protowire.Number) (field, bool) {
	for _, f := range fields {
		if f.num == num {
			return f, true
		}
	}
	return field{}, false
}

func reset(fields []field) {
	for _, f := range fields {
		if f.str != nil {
			*f.str = ""
		} else {
			*f.list = nil
		}
	}
}

var errNilMessage = errors.New("idl: unmarshal into nil message")

// MarshalProto returns the binary Protobuf encoding of m, which is always empty.
func (m Empty) MarshalProto() ([]byte, error) { return marshalProto(&m) }

// UnmarshalProto checks that b is a well-formed Protobuf message; every field
// in it is unknown to Empty and skipped.
func (m *Empty) UnmarshalProto(b []byte) error {
	if m == nil {
		return errNilMessage
	}
	return unmarshalProto(m, b)
}

// MarshalProto returns the binary Protobuf encoding of m, fields in number
// order, empty strings and lists omitted. Strings must be valid UTF-8.
func (m OAuth2Metadata) MarshalProto() ([]byte, error) { return marshalProto(&m) }

// UnmarshalProto resets m and decodes the binary Protobuf message b into it.
// Unknown fields are skipped; wrong wire types, invalid UTF-8 and truncated
// input are errors.
func (m *OAuth2Metadata) UnmarshalProto(b []byte) error {
	if m == nil {
		return errNilMessage
	}
	return unmarshalProto(m, b)
}

// MarshalProto returns the binary Protobuf encoding of m, fields in number
// order, empty strings and lists omitted. Strings must be valid UTF-8.
func (m PublicClientConfig) MarshalProto() ([]byte, error) { return marshalProto(&m) }

// UnmarshalProto resets m and decodes the binary Protobuf message b into it.
// Unknown fields are skipped; wrong wire types, invalid UTF-8 and truncated
// input are errors.
func (m *PublicClientConfig) UnmarshalProto(b []byte) error {
	if m == nil {
		return errNilMessage
	}
	return unmarshalProto(m, b)
}
