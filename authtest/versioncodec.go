package authtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/authwire/authwire/internal/wire"
)

// versionProtoCodec is the binary Protobuf codec of the GetVersion messages,
// written with protowire so nothing is registered globally. Other
// [proto.Message] values (connect-go's error details) go to the standard
// implementation.
type versionProtoCodec struct{}

func (versionProtoCodec) Name() string { return "proto" }

func (versionProtoCodec) Marshal(v any) ([]byte, error) {
	switch v := v.(type) {
	case *GetVersionRequest:
		return nil, nil
	case *GetVersionResponse:
		if v == nil || v.ControlPlaneVersion == nil {
			return nil, nil
		}
		inner, err := marshalVersion(v.ControlPlaneVersion)
		if err != nil {
			return nil, err
		}
		b := protowire.AppendTag(nil, 1, protowire.BytesType)
		return protowire.AppendBytes(b, inner), nil
	case proto.Message:
		return proto.Marshal(v)
	}
	return nil, unsupportedVersionType(v)
}

func (versionProtoCodec) Unmarshal(data []byte, v any) error {
	switch v := v.(type) {
	case *GetVersionRequest:
		return walkProto(data, nil)
	case *GetVersionResponse:
		if v == nil {
			return errNilVersionResponse
		}
		*v = GetVersionResponse{}
		return walkProto(data, func(num protowire.Number, b []byte) error {
			if num != 1 {
				return nil
			}
			if v.ControlPlaneVersion == nil {
				v.ControlPlaneVersion = &Version{}
			}
			// A repeated submessage field merges, as Protobuf does.
			return walkProto(b, func(num protowire.Number, b []byte) error {
				if !utf8.Valid(b) {
					return fmt.Errorf("authtest: Version field %d: invalid UTF-8", num)
				}
				switch num {
				case 1:
					v.ControlPlaneVersion.Build = string(b)
				case 2:
					v.ControlPlaneVersion.Version = string(b)
				case 3:
					v.ControlPlaneVersion.BuildTime = string(b)
				}
				return nil
			})
		})
	case proto.Message:
		return proto.Unmarshal(data, v)
	}
	return unsupportedVersionType(v)
}

// marshalVersion encodes v's fields in number order, omitting empty ones.
func marshalVersion(v *Version) ([]byte, error) {
	var b []byte
	for i, s := range []string{v.Build, v.Version, v.BuildTime} {
		if s == "" {
			continue
		}
		if !utf8.ValidString(s) {
			return nil, fmt.Errorf("authtest: Version field %d: invalid UTF-8", i+1)
		}
		b = protowire.AppendTag(b, protowire.Number(i+1), protowire.BytesType)
		b = protowire.AppendString(b, s)
	}
	return b, nil
}

// walkProto checks that b is a well-formed message whose fields 1 to 3 are
// length-delimited and hands each of those to field, if not nil. Other
// fields are skipped.
func walkProto(b []byte, field func(protowire.Number, []byte) error) error {
	err := wire.EachField(b, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if field == nil || num > 3 {
			return nil
		}
		if typ != protowire.BytesType {
			return fmt.Errorf("authtest: field %d: wire type %d, want %d", num, typ, protowire.BytesType)
		}
		return field(num, v)
	})
	if errors.Is(err, wire.ErrMalformedProto) {
		return fmt.Errorf("authtest: %w", err)
	}
	return err
}

// versionJSONCodec is the Protobuf JSON codec of the GetVersion messages:
// it writes controlPlaneVersion (the JSON name) and reads it or
// control_plane_version; the Version fields keep their names. name is the
// content subtype it answers to.
type versionJSONCodec struct{ name string }

func (c versionJSONCodec) Name() string { return c.name }

// versionJSON is the Protobuf JSON form of GetVersionResponse.
type versionJSON struct {
	ControlPlaneVersion *Version `json:"controlPlaneVersion,omitempty"`
	OrigName            *Version `json:"control_plane_version,omitempty"`
}

func (versionJSONCodec) Marshal(v any) ([]byte, error) {
	switch v := v.(type) {
	case *GetVersionRequest:
		return []byte("{}"), nil
	case *GetVersionResponse:
		if v == nil {
			return []byte("{}"), nil
		}
		return json.Marshal(versionJSON{ControlPlaneVersion: v.ControlPlaneVersion})
	}
	return nil, unsupportedVersionType(v)
}

func (versionJSONCodec) Unmarshal(data []byte, v any) error {
	switch v := v.(type) {
	case *GetVersionRequest:
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(data, &obj); err != nil {
			return fmt.Errorf("authtest: GetVersionRequest: %w", err)
		}
		return nil
	case *GetVersionResponse:
		if v == nil {
			return errNilVersionResponse
		}
		var obj versionJSON
		if err := json.Unmarshal(data, &obj); err != nil {
			return fmt.Errorf("authtest: GetVersionResponse: %w", err)
		}
		if obj.ControlPlaneVersion != nil && obj.OrigName != nil {
			return errors.New("authtest: GetVersionResponse: control_plane_version given twice")
		}
		*v = GetVersionResponse{ControlPlaneVersion: obj.ControlPlaneVersion}
		if obj.OrigName != nil {
			v.ControlPlaneVersion = obj.OrigName
		}
		return nil
	}
	return unsupportedVersionType(v)
}

var errNilVersionResponse = errors.New("authtest: unmarshal into a nil *GetVersionResponse")

func unsupportedVersionType(v any) error {
	return fmt.Errorf("authtest: %T is not a GetVersion message (want *authtest.GetVersionRequest or *authtest.GetVersionResponse)", v)
}
