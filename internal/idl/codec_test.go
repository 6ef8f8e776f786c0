package idl

import "testing"

func TestCodecsTreatNilMessagesAsEmpty(t *testing.T) {
	t.Parallel()
	for _, m := range []message{(*Empty)(nil), (*OAuth2Metadata)(nil), (*PublicClientConfig)(nil)} {
		b, err := protoCodec{}.Marshal(m)
		if err != nil || len(b) != 0 {
			t.Errorf("proto Marshal(%T nil) = %q, %v", m, b, err)
		}
		j, err := jsonCodec{name: "json"}.Marshal(m)
		if err != nil || string(j) != "{}" {
			t.Errorf("json Marshal(%T nil) = %s, %v", m, j, err)
		}
		if err := (protoCodec{}).Unmarshal(nil, m); err == nil {
			t.Errorf("proto Unmarshal into %T nil: no error", m)
		}
		if err := (jsonCodec{name: "json"}).Unmarshal([]byte("{}"), m); err == nil {
			t.Errorf("json Unmarshal into %T nil: no error", m)
		}
	}
}
