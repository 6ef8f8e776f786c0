package errs

import (
	"errors"
	"unicode/utf8"
)

// statusProto is google.rpc.Status
// (https://github.com/googleapis/googleapis/blob/master/google/rpc/status.proto):
//
//	message Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
//	message Any { string type_url = 1; bytes value = 2; }
type statusProto struct {
	code    int32
	message string
	details []Detail
}

var errProto = errors.New("malformed protobuf")

// Protobuf wire types (https://protobuf.dev/programming-guides/encoding/).
const (
	wireVarint     = 0
	wireFixed64    = 1
	wireBytes      = 2
	wireStartGroup = 3
	wireEndGroup   = 4
	wireFixed32    = 5
)

// parseStatusProto decodes a binary google.rpc.Status the way the protobuf
// runtime does: unknown fields and fields of an unexpected wire type are
// skipped, strings must be UTF-8, and any malformed encoding fails.
func parseStatusProto(b []byte) (statusProto, error) {
	var st statusProto
	err := walkProto(b, func(num uint64, typ int, v uint64, data []byte) error {
		switch {
		case num == 1 && typ == wireVarint:
			st.code = int32(v) // an int32 field keeps the low 32 bits, as in protobuf
		case num == 2 && typ == wireBytes:
			if !utf8.Valid(data) {
				return errProto
			}
			st.message = string(data)
		case num == 3 && typ == wireBytes:
			d, err := parseAnyProto(data)
			if err != nil {
				return err
			}
			st.details = append(st.details, d)
		}
		return nil
	})
	return st, err
}

func parseAnyProto(b []byte) (Detail, error) {
	var d Detail
	err := walkProto(b, func(num uint64, typ int, _ uint64, data []byte) error {
		switch {
		case num == 1 && typ == wireBytes:
			if !utf8.Valid(data) {
				return errProto
			}
			d.Type = typeName(string(data))
		case num == 2 && typ == wireBytes:
			d.Value = append([]byte(nil), data...)
		}
		return nil
	})
	return d, err
}

// walkProto calls field for every top-level field of the message in b: its
// number, wire type, and value (v for varints and fixed-size fields, data
// for length-delimited ones). Groups are skipped whole.
func walkProto(b []byte, field func(num uint64, typ int, v uint64, data []byte) error) error {
	for len(b) > 0 {
		num, typ, n := consumeTag(b)
		if n < 0 {
			return errProto
		}
		b = b[n:]
		v, data, n := consumeValue(b, num, typ, 0)
		if n < 0 {
			return errProto
		}
		b = b[n:]
		if typ == wireStartGroup {
			continue
		}
		if err := field(num, typ, v, data); err != nil {
			return err
		}
	}
	return nil
}

// consumeTag reads a field's tag; n is -1 when it is malformed.
func consumeTag(b []byte) (num uint64, typ int, n int) {
	tag, n := consumeVarint(b)
	if n < 0 {
		return 0, 0, -1
	}
	num, typ = tag>>3, int(tag&7)
	if num == 0 || num > 1<<29-1 {
		return 0, 0, -1
	}
	return num, typ, n
}

// consumeValue reads the value of field num, of wire type typ, at the start
// of b: v for varints and fixed-size values, data for length-delimited
// ones; a group is skipped whole. n is the value's length, or -1 when it is
// malformed (an end-group tag outside a group included).
func consumeValue(b []byte, num uint64, typ, depth int) (v uint64, data []byte, n int) {
	switch typ {
	case wireVarint:
		v, n = consumeVarint(b)
	case wireFixed64:
		n = fixed(b, 8, &v)
	case wireFixed32:
		n = fixed(b, 4, &v)
	case wireBytes:
		var l uint64
		l, n = consumeVarint(b)
		if n < 0 || l > uint64(len(b)-n) {
			return 0, nil, -1
		}
		data = b[n : n+int(l)]
		n += int(l)
	case wireStartGroup:
		n = skipGroup(b, num, depth+1)
	default:
		n = -1
	}
	return v, data, n
}

// maxGroupDepth bounds the nesting of skipped groups, as the protobuf
// runtime's recursion limit does.
const maxGroupDepth = 10000

// skipGroup returns the length of a group's body and its end-group tag, or
// -1 when the group does not end properly or nests too deep.
func skipGroup(b []byte, num uint64, depth int) int {
	if depth > maxGroupDepth {
		return -1
	}
	total := 0
	for {
		inner, typ, n := consumeTag(b)
		if n < 0 {
			return -1
		}
		b, total = b[n:], total+n
		if typ == wireEndGroup {
			if inner != num {
				return -1
			}
			return total
		}
		_, _, n = consumeValue(b, inner, typ, depth)
		if n < 0 {
			return -1
		}
		b, total = b[n:], total+n
	}
}

// consumeVarint decodes a base-128 varint of at most 10 bytes; n is -1 when
// it is truncated or overflows 64 bits.
func consumeVarint(b []byte) (v uint64, n int) {
	for i := 0; i < 10 && i < len(b); i++ {
		c := b[i]
		if i == 9 && c > 1 {
			return 0, -1
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, i + 1
		}
	}
	return 0, -1
}

// fixed decodes a little-endian fixed-size value of size bytes.
func fixed(b []byte, size int, v *uint64) int {
	if len(b) < size {
		return -1
	}
	*v = 0
	for i := size - 1; i >= 0; i-- {
		*v = *v<<8 | uint64(b[i])
	}
	return size
}
