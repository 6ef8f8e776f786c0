package wire

import (
	"errors"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// ErrMalformedProto is the error of a binary Protobuf message that does not
// parse.
var ErrMalformedProto = errors.New("malformed protobuf")

// EachField calls field for every top-level field of the binary Protobuf
// message b, in order: its number, wire type and value — the contents of a
// length-delimited field, the encoding of any other (a varint's bytes, a
// fixed-size value's). Groups are checked and skipped whole. It fails with
// [ErrMalformedProto] on a malformed message, as the Protobuf runtime does
// (field numbers out of range, truncated values, unbalanced or too deeply
// nested groups), and returns the first error field returns.
func EachField(b []byte, field func(num protowire.Number, typ protowire.Type, value []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 || num > protowire.MaxValidNumber {
			return ErrMalformedProto
		}
		b = b[n:]
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return ErrMalformedProto
		}
		value := b[:n]
		b = b[n:]
		switch typ {
		case protowire.StartGroupType:
			continue
		case protowire.BytesType:
			value, _ = protowire.ConsumeBytes(value)
		}
		if err := field(num, typ, value); err != nil {
			return err
		}
	}
	return nil
}

// ParseStatusProto decodes a binary google.rpc.Status
// (https://github.com/googleapis/googleapis/blob/master/google/rpc/status.proto):
//
//	message Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
//	message Any { string type_url = 1; bytes value = 2; }
//
// as the Protobuf runtime does: unknown fields and fields of an unexpected
// wire type are skipped, strings must be UTF-8, and any malformed encoding
// fails with [ErrMalformedProto]. The code keeps the low 32 bits, as an
// int32 field does.
func ParseStatusProto(b []byte) (Status, error) {
	var st Status
	err := EachField(b, func(num protowire.Number, typ protowire.Type, v []byte) error {
		switch {
		case num == 1 && typ == protowire.VarintType:
			c, _ := protowire.ConsumeVarint(v)
			st.Code = uint32(c)
		case num == 2 && typ == protowire.BytesType:
			if !utf8.Valid(v) {
				return ErrMalformedProto
			}
			st.Message = string(v)
		case num == 3 && typ == protowire.BytesType:
			d, err := parseAnyProto(v)
			if err != nil {
				return err
			}
			st.Details = append(st.Details, d)
		}
		return nil
	})
	if err != nil {
		return Status{}, err
	}
	return st, nil
}

func parseAnyProto(b []byte) (Detail, error) {
	var d Detail
	err := EachField(b, func(num protowire.Number, typ protowire.Type, v []byte) error {
		switch {
		case num == 1 && typ == protowire.BytesType:
			if !utf8.Valid(v) {
				return ErrMalformedProto
			}
			d.Type = TypeName(string(v))
		case num == 2 && typ == protowire.BytesType:
			d.Value = append([]byte(nil), v...)
		}
		return nil
	})
	return d, err
}
