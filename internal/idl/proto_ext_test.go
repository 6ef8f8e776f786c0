package idl_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/authwire/authwire/internal/idl"
)

// Golden encodings, written by hand from the field numbers: a tag byte is
// (field number << 3) | 2 for length-delimited fields, then a length byte,
// then the UTF-8 bytes.
const (
	metadataGolden = "\x0a\x13https://flyte.local" + // 1 issuer
		"\x12\x1chttps://flyte.local/oauth2/a" + // 2 authorization_endpoint
		"\x1a\x1chttps://flyte.local/oauth2/t" + // 3 token_endpoint
		"\x22\x04code" + // 4 response_types_supported
		"\x2a\x03all" + "\x2a\x07offline" + // 5 scopes_supported ×2
		"\x32\x13client_secret_basic" + // 6 token_endpoint_auth_methods_supported
		"\x3a\x04jwks" + // 7 jwks_uri
		"\x42\x04S256" + // 8 code_challenge_methods_supported
		"\x4a\x12client_credentials" + // 9 grant_types_supported
		"\x52\x06device" // 10 device_authorization_endpoint

	clientGolden = "\x0a\x08flytectl" + // 1 client_id
		"\x12\x1fhttp://localhost:53593/callback" + // 2 redirect_uri
		"\x1a\x07offline" + "\x1a\x03all" + // 3 scopes ×2
		"\x22\x13flyte-authorization" + // 4 authorization_metadata_key
		"\x2a\x13https://flyte.local" + // 5 service_http_endpoint
		"\x32\x03aud" + // 6 audience
		"\x3a\x0bdevelopment" // 7 dataplane_domain
)

func metadataFixture() idl.OAuth2Metadata {
	return idl.OAuth2Metadata{
		Issuer:                            "https://flyte.local",
		AuthorizationEndpoint:             "https://flyte.local/oauth2/a",
		TokenEndpoint:                     "https://flyte.local/oauth2/t",
		ResponseTypesSupported:            []string{"code"},
		ScopesSupported:                   []string{"all", "offline"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic"},
		JwksURI:                           "jwks",
		CodeChallengeMethodsSupported:     []string{"S256"},
		GrantTypesSupported:               []string{"client_credentials"},
		DeviceAuthorizationEndpoint:       "device",
	}
}

func clientFixture() idl.PublicClientConfig {
	return idl.PublicClientConfig{
		ClientID:                 "flytectl",
		RedirectURI:              "http://localhost:53593/callback",
		Scopes:                   []string{"offline", "all"},
		AuthorizationMetadataKey: "flyte-authorization",
		ServiceHTTPEndpoint:      "https://flyte.local",
		Audience:                 "aud",
		DataplaneDomain:          "development",
	}
}

func TestMarshalProtoGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		msg  interface{ MarshalProto() ([]byte, error) }
		want string
	}{
		{"empty", idl.Empty{}, ""},
		{"metadata", metadataFixture(), metadataGolden},
		{"metadata zero", idl.OAuth2Metadata{}, ""},
		{"client", clientFixture(), clientGolden},
		{"client one field", idl.PublicClientConfig{Audience: "a"}, "\x32\x01a"},
		{"client empty list element", idl.PublicClientConfig{Scopes: []string{""}}, "\x1a\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.msg.MarshalProto()
			if err != nil {
				t.Fatalf("MarshalProto: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("MarshalProto = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUnmarshalProtoGolden(t *testing.T) {
	t.Parallel()
	var m idl.OAuth2Metadata
	if err := m.UnmarshalProto([]byte(metadataGolden)); err != nil {
		t.Fatalf("UnmarshalProto: %v", err)
	}
	if diff := cmp.Diff(metadataFixture(), m); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
	var c idl.PublicClientConfig
	if err := c.UnmarshalProto([]byte(clientGolden)); err != nil {
		t.Fatalf("UnmarshalProto: %v", err)
	}
	if diff := cmp.Diff(clientFixture(), c); diff != "" {
		t.Errorf("client (-want +got):\n%s", diff)
	}
	var e idl.Empty
	if err := e.UnmarshalProto([]byte(clientGolden)); err != nil {
		t.Errorf("Empty.UnmarshalProto of a message with fields: %v", err)
	}
}

func TestUnmarshalProtoResetsAndLastWins(t *testing.T) {
	t.Parallel()
	c := idl.PublicClientConfig{ClientID: "old", Scopes: []string{"stale"}, Audience: "old"}
	in := "\x0a\x01a" + "\x0a\x01b" + "\x1a\x01x"
	if err := c.UnmarshalProto([]byte(in)); err != nil {
		t.Fatalf("UnmarshalProto: %v", err)
	}
	want := idl.PublicClientConfig{ClientID: "b", Scopes: []string{"x"}}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestUnmarshalProtoSkipsUnknownFields(t *testing.T) {
	t.Parallel()
	var b []byte
	b = protowire.AppendTag(b, 100, protowire.VarintType)
	b = protowire.AppendVarint(b, 1<<40)
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendString(b, "flytectl")
	b = protowire.AppendTag(b, 101, protowire.Fixed32Type)
	b = protowire.AppendFixed32(b, 7)
	b = protowire.AppendTag(b, 102, protowire.Fixed64Type)
	b = protowire.AppendFixed64(b, 7)
	b = protowire.AppendTag(b, 103, protowire.BytesType)
	b = protowire.AppendBytes(b, []byte{0xff, 0x00})
	b = protowire.AppendTag(b, 104, protowire.StartGroupType)
	b = protowire.AppendTag(b, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, 3)
	b = protowire.AppendTag(b, 104, protowire.EndGroupType)
	b = protowire.AppendTag(b, 6, protowire.BytesType)
	b = protowire.AppendString(b, "aud")

	var c idl.PublicClientConfig
	if err := c.UnmarshalProto(b); err != nil {
		t.Fatalf("UnmarshalProto: %v", err)
	}
	want := idl.PublicClientConfig{ClientID: "flytectl", Audience: "aud"}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestUnmarshalProtoErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
	}{
		{"varint for a string field", "\x08\x01"},
		{"fixed32 for a repeated field", "\x1d\x01\x02\x03\x04"},
		{"length past the end", "\x0a\x05abc"},
		{"tag only", "\x0a"},
		{"truncated varint tag", "\x80"},
		{"field number zero", "\x02\x00"},
		{"truncated unknown varint", "\xa0\x06\x80"},
		{"truncated unknown fixed64", "\xa1\x06\x01\x02"},
		{"unterminated group", "\xa3\x06"},
		{"stray end group", "\xa4\x06"},
		{"invalid UTF-8", "\x0a\x02\xff\xfe"},
		{"invalid UTF-8 in a list", "\x1a\x01\xff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var c idl.PublicClientConfig
			err := c.UnmarshalProto([]byte(tt.in))
			if err == nil {
				t.Fatalf("UnmarshalProto(%q) = nil error, want one", tt.in)
			}
			if !strings.HasPrefix(err.Error(), "idl: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestUnmarshalProtoTruncations(t *testing.T) {
	t.Parallel()
	// Cutting the golden message anywhere inside a field must fail; cutting
	// it between fields must decode a prefix of the fields.
	boundaries := map[int]bool{0: true}
	for b := []byte(clientGolden); len(b) > 0; {
		_, _, n := protowire.ConsumeField(b)
		b = b[n:]
		boundaries[len(clientGolden)-len(b)] = true
	}
	for i := range len(clientGolden) {
		var c idl.PublicClientConfig
		err := c.UnmarshalProto([]byte(clientGolden[:i]))
		if boundaries[i] && err != nil {
			t.Errorf("prefix %d (a field boundary): %v", i, err)
		}
		if !boundaries[i] && err == nil {
			t.Errorf("prefix %d (inside a field): nil error", i)
		}
	}
}

func TestMarshalProtoRejectsInvalidUTF8(t *testing.T) {
	t.Parallel()
	for _, m := range []interface{ MarshalProto() ([]byte, error) }{
		idl.PublicClientConfig{ClientID: "\xff"},
		idl.OAuth2Metadata{ScopesSupported: []string{"ok", "\xc3"}},
	} {
		if _, err := m.MarshalProto(); err == nil {
			t.Errorf("MarshalProto(%#v) = nil error, want one", m)
		}
	}
}

func TestUnmarshalNilReceiver(t *testing.T) {
	t.Parallel()
	var c *idl.PublicClientConfig
	if err := c.UnmarshalProto([]byte(clientGolden)); err == nil {
		t.Error("UnmarshalProto on nil = nil error")
	}
	if err := c.UnmarshalJSON([]byte(`{}`)); err == nil {
		t.Error("UnmarshalJSON on nil = nil error")
	}
}

func TestProtoRoundTrip(t *testing.T) {
	t.Parallel()
	in := metadataFixture()
	in.Issuer = "https://é.example/☃"
	b, err := in.MarshalProto()
	if err != nil {
		t.Fatalf("MarshalProto: %v", err)
	}
	var out idl.OAuth2Metadata
	if err := out.UnmarshalProto(b); err != nil {
		t.Fatalf("UnmarshalProto: %v", err)
	}
	if diff := cmp.Diff(in, out); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
