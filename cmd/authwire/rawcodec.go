package main

import (
	"bytes"
	"fmt"

	"google.golang.org/protobuf/proto"
)

// rawMessage is a message as bytes on the wire: the probe call needs no
// generated types, sends an empty message and accepts any answer.
type rawMessage struct {
	data []byte
}

// rawCodec is registered under the name "proto", so a connect client sends
// and receives rawMessage bytes as they are, with the content type of binary
// Protobuf. connect-go also encodes and decodes gRPC error details
// (google.rpc.Status) with the codec named "proto"; those are real Protobuf
// messages and go to the standard implementation.
type rawCodec struct{}

func (rawCodec) Name() string { return "proto" }

func (rawCodec) Marshal(v any) ([]byte, error) {
	switch m := v.(type) {
	case *rawMessage:
		return bytes.Clone(m.data), nil
	case proto.Message:
		return proto.Marshal(m)
	}
	return nil, fmt.Errorf("raw codec: cannot marshal %T", v)
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	switch m := v.(type) {
	case *rawMessage:
		m.data = bytes.Clone(data) // connect-go reuses its buffers
		return nil
	case proto.Message:
		return proto.Unmarshal(data, m)
	}
	return fmt.Errorf("raw codec: cannot unmarshal into %T", v)
}
