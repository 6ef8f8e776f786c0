package idl_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/authwire/authwire/internal/idl"
)

// FuzzUnmarshalProto checks that no input makes a decoder panic, and that
// whatever decodes re-encodes to bytes that decode to the same message.
// Seeds live in testdata/fuzz/FuzzUnmarshalProto.
func FuzzUnmarshalProto(f *testing.F) {
	f.Add([]byte(metadataGolden))
	f.Add([]byte(clientGolden))
	f.Fuzz(func(t *testing.T, b []byte) {
		var e idl.Empty
		_ = e.UnmarshalProto(b)

		var m idl.OAuth2Metadata
		if err := m.UnmarshalProto(b); err == nil {
			var again idl.OAuth2Metadata
			reencodeProto(t, m, &again)
			if diff := cmp.Diff(m, again, emptyAsNil); diff != "" {
				t.Errorf("metadata round trip (-first +second):\n%s", diff)
			}
		}

		var c idl.PublicClientConfig
		if err := c.UnmarshalProto(b); err == nil {
			var again idl.PublicClientConfig
			reencodeProto(t, c, &again)
			if diff := cmp.Diff(c, again, emptyAsNil); diff != "" {
				t.Errorf("client round trip (-first +second):\n%s", diff)
			}
		}
	})
}

var emptyAsNil = cmp.FilterValues(func(a, b []string) bool { return len(a) == 0 && len(b) == 0 }, cmp.Ignore())

func reencodeProto(t *testing.T, in interface{ MarshalProto() ([]byte, error) }, out interface{ UnmarshalProto([]byte) error }) {
	t.Helper()
	b, err := in.MarshalProto()
	if err != nil {
		t.Fatalf("MarshalProto of a decoded message: %v", err)
	}
	if err := out.UnmarshalProto(b); err != nil {
		t.Fatalf("UnmarshalProto of a re-encoded message: %v", err)
	}
}
