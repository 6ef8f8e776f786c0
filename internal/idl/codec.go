package idl

import (
	"fmt"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
)

// CodecOptions registers a "proto" and a "json" codec for [Empty],
// [OAuth2Metadata] and [PublicClientConfig] (as pointers), so connect-go
// clients and handlers of the AuthMetadataService can use these types.
//
// On a handler it registers both codecs (and "json; charset=utf-8"), so
// callers may use binary Protobuf or JSON over any protocol. On a client it
// selects the "proto" codec; add [WithJSON] after it to send JSON instead.
//
// Any other type is rejected with an error, with one exception: the "proto"
// codec hands values that implement [proto.Message] to the standard Protobuf
// implementation, because connect-go encodes gRPC error details
// (google.rpc.Status) with whatever codec is registered as "proto".
func CodecOptions() connect.Option {
	return connect.WithOptions(
		connect.WithCodec(jsonCodec{name: "json; charset=utf-8"}),
		connect.WithCodec(jsonCodec{name: "json"}),
		connect.WithCodec(protoCodec{}), // last: a client keeps the last codec
	)
}

// WithJSON makes a client built with [CodecOptions] send and expect JSON
// instead of binary Protobuf. It must come after CodecOptions.
func WithJSON() connect.ClientOption {
	return connect.WithCodec(jsonCodec{name: "json"})
}

// protoCodec is the binary Protobuf codec.
type protoCodec struct{}

func (protoCodec) Name() string { return "proto" }

func (protoCodec) Marshal(v any) ([]byte, error) {
	switch v := v.(type) {
	case message:
		return marshalProto(orZero(v))
	case proto.Message:
		return proto.Marshal(v)
	}
	return nil, unsupported(v)
}

func (protoCodec) Unmarshal(data []byte, v any) error {
	switch v := v.(type) {
	case message:
		if isNil(v) {
			return errNilMessage
		}
		return unmarshalProto(v, data)
	case proto.Message:
		return proto.Unmarshal(data, v)
	}
	return unsupported(v)
}

// jsonCodec is the JSON codec; name is the content subtype it answers to.
type jsonCodec struct{ name string }

func (c jsonCodec) Name() string { return c.name }

func (jsonCodec) Marshal(v any) ([]byte, error) {
	if m, ok := v.(message); ok {
		return marshalJSON(orZero(m))
	}
	return nil, unsupported(v)
}

func (jsonCodec) Unmarshal(data []byte, v any) error {
	m, ok := v.(message)
	if !ok {
		return unsupported(v)
	}
	if isNil(m) {
		return errNilMessage
	}
	return unmarshalJSON(m, data)
}

func unsupported(v any) error {
	return fmt.Errorf("idl: %T is not an AuthMetadataService message (want *idl.Empty, *idl.OAuth2Metadata or *idl.PublicClientConfig)", v)
}

// orZero returns m, or a new zero message of the same type when m is a nil
// pointer: a nil message marshals like an empty one.
func orZero(m message) message {
	if !isNil(m) {
		return m
	}
	switch m.(type) {
	case *OAuth2Metadata:
		return &OAuth2Metadata{}
	case *PublicClientConfig:
		return &PublicClientConfig{}
	}
	return &Empty{}
}

func isNil(m message) bool {
	switch m := m.(type) {
	case *Empty:
		return m == nil
	case *OAuth2Metadata:
		return m == nil
	case *PublicClientConfig:
		return m == nil
	}
	return false
}
