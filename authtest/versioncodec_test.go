package authtest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// versionDescriptor builds flyteidl's GetVersionResponse and Version from
// their IDL in a private registry, so the hand-written codec can be checked
// against the Protobuf runtime without registering anything globally.
func versionDescriptor(t *testing.T) protoreflect.MessageDescriptor {
	t.Helper()
	str := func(name string, num int32, json string) *descriptorpb.FieldDescriptorProto {
		return &descriptorpb.FieldDescriptorProto{
			Name: proto.String(name), Number: proto.Int32(num), JsonName: proto.String(json),
			Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(),
			Type:  descriptorpb.FieldDescriptorProto_TYPE_STRING.Enum(),
		}
	}
	fd := &descriptorpb.FileDescriptorProto{
		Name:    proto.String("authtest/flyteidl/admin/version.proto"),
		Package: proto.String("flyteidl.admin"),
		Syntax:  proto.String("proto3"),
		MessageType: []*descriptorpb.DescriptorProto{
			{
				Name: proto.String("GetVersionResponse"),
				Field: []*descriptorpb.FieldDescriptorProto{{
					Name: proto.String("control_plane_version"), Number: proto.Int32(1), JsonName: proto.String("controlPlaneVersion"),
					Label:    descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(),
					Type:     descriptorpb.FieldDescriptorProto_TYPE_MESSAGE.Enum(),
					TypeName: proto.String(".flyteidl.admin.Version"),
				}},
			},
			{
				Name:  proto.String("Version"),
				Field: []*descriptorpb.FieldDescriptorProto{str("Build", 1, "Build"), str("Version", 2, "Version"), str("BuildTime", 3, "BuildTime")},
			},
		},
	}
	file, err := protodesc.NewFile(fd, new(protoregistry.Files))
	if err != nil {
		t.Fatal(err)
	}
	return file.Messages().ByName("GetVersionResponse")
}

func TestVersionCodecMatchesProtobuf(t *testing.T) {
	t.Parallel()
	desc := versionDescriptor(t)
	tests := map[string]*GetVersionResponse{
		"full":        {ControlPlaneVersion: &Version{Build: "b", Version: "v1.2.3", BuildTime: "now ✓"}},
		"partial":     {ControlPlaneVersion: &Version{Version: "v"}},
		"empty inner": {ControlPlaneVersion: &Version{}},
		"no version":  {},
	}
	for name, msg := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ours, err := versionProtoCodec{}.Marshal(msg)
			if err != nil {
				t.Fatal(err)
			}
			dyn := dynamicpb.NewMessage(desc)
			if err := proto.Unmarshal(ours, dyn); err != nil {
				t.Fatalf("the runtime cannot read our encoding: %v", err)
			}
			theirs, err := proto.MarshalOptions{Deterministic: true}.Marshal(dyn)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(theirs, ours, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("encoding (-runtime +ours):\n%s", diff)
			}
			var back GetVersionResponse
			if err := (versionProtoCodec{}).Unmarshal(theirs, &back); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(msg, &back); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}

			js, err := versionJSONCodec{name: "json"}.Marshal(msg)
			if err != nil {
				t.Fatal(err)
			}
			fromJSON := dynamicpb.NewMessage(desc)
			if err := protojson.Unmarshal(js, fromJSON); err != nil {
				t.Fatalf("protojson cannot read our JSON %s: %v", js, err)
			}
			if !proto.Equal(dyn, fromJSON) {
				t.Errorf("JSON %s decodes to %v, want %v", js, fromJSON, dyn)
			}
			for _, opts := range []protojson.MarshalOptions{{}, {UseProtoNames: true}} {
				pj, err := opts.Marshal(dyn)
				if err != nil {
					t.Fatal(err)
				}
				var got GetVersionResponse
				if err := (versionJSONCodec{name: "json"}).Unmarshal(pj, &got); err != nil {
					t.Fatalf("reading protojson %s: %v", pj, err)
				}
				if diff := cmp.Diff(msg, &got); diff != "" {
					t.Errorf("from protojson %s (-want +got):\n%s", pj, diff)
				}
			}
		})
	}
}

func TestVersionProtoCodecEdges(t *testing.T) {
	t.Parallel()
	c := versionProtoCodec{}
	// Unknown fields are skipped; a repeated submessage merges.
	var b []byte
	b = protowire.AppendTag(b, 9, protowire.VarintType)
	b = protowire.AppendVarint(b, 7)
	inner1 := protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), "b")
	inner2 := protowire.AppendString(protowire.AppendTag(nil, 2, protowire.BytesType), "v")
	inner2 = protowire.AppendFixed32(protowire.AppendTag(inner2, 5, protowire.Fixed32Type), 1)
	b = protowire.AppendBytes(protowire.AppendTag(b, 1, protowire.BytesType), inner1)
	b = protowire.AppendBytes(protowire.AppendTag(b, 1, protowire.BytesType), inner2)
	var got GetVersionResponse
	if err := c.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&Version{Build: "b", Version: "v"}, got.ControlPlaneVersion); diff != "" {
		t.Errorf("merged (-want +got):\n%s", diff)
	}

	bad := map[string][]byte{
		"truncated":        protowire.AppendTag(nil, 1, protowire.BytesType),
		"wrong wire type":  protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 1),
		"bad inner string": protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), protowire.AppendBytes(protowire.AppendTag(nil, 2, protowire.BytesType), []byte{0xff})),
		"bad tag":          {0x00},
	}
	for name, data := range bad {
		if err := c.Unmarshal(data, &GetVersionResponse{}); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	if err := c.Unmarshal([]byte{0x00}, &GetVersionRequest{}); err == nil {
		t.Error("malformed request decoded")
	}
	if err := c.Unmarshal(nil, (*GetVersionResponse)(nil)); err == nil {
		t.Error("decoded into nil")
	}
	if _, err := c.Marshal(&GetVersionResponse{ControlPlaneVersion: &Version{Build: "\xff"}}); err == nil {
		t.Error("invalid UTF-8 encoded")
	}
	if _, err := c.Marshal("x"); err == nil {
		t.Error("encoded a string")
	}
	if err := c.Unmarshal(nil, new(int)); err == nil {
		t.Error("decoded into an int")
	}
	// Error details are ordinary Protobuf messages.
	detail, err := c.Marshal(wrapperspb.String("d"))
	if err != nil {
		t.Fatal(err)
	}
	var sv wrapperspb.StringValue
	if err := c.Unmarshal(detail, &sv); err != nil || sv.GetValue() != "d" {
		t.Errorf("detail round trip: %v, %q", err, sv.GetValue())
	}
}

func TestVersionJSONCodecEdges(t *testing.T) {
	t.Parallel()
	c := versionJSONCodec{name: "json"}
	for _, in := range []string{`[]`, `{"controlPlaneVersion":{},"control_plane_version":{}}`, `{"controlPlaneVersion":1}`} {
		if err := c.Unmarshal([]byte(in), &GetVersionResponse{}); err == nil {
			t.Errorf("%s: decoded", in)
		}
	}
	if err := c.Unmarshal([]byte(`[]`), &GetVersionRequest{}); err == nil {
		t.Error("request [] decoded")
	}
	if err := c.Unmarshal([]byte(`{"ignored":1}`), &GetVersionRequest{}); err != nil {
		t.Errorf("request with an unknown field: %v", err)
	}
	if b, err := c.Marshal(&GetVersionRequest{}); err != nil || string(b) != "{}" {
		t.Errorf("request: %s, %v", b, err)
	}
	if _, err := c.Marshal(1); err == nil {
		t.Error("encoded an int")
	}
	if err := c.Unmarshal([]byte(`{}`), (*GetVersionResponse)(nil)); err == nil {
		t.Error("decoded into nil")
	}
}
