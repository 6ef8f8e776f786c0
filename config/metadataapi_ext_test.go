package config_test

import (
	"strings"
	"testing"

	"github.com/authwire/authwire/config"
)

func TestAuthMetadataAPI(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"V2": "v2", "v1": "v1", "Auto": "auto"} {
		path := writeFile(t, t.TempDir(), "c.yaml", "admin:\n  endpoint: h\n  authMetadataApi: "+in+"\n")
		p, err := config.Load(path, noEnv)
		if err != nil {
			t.Errorf("authMetadataApi: %s: %v", in, err)
		} else if p.AuthMetadataAPI != want {
			t.Errorf("authMetadataApi: %s gives %q, want %q", in, p.AuthMetadataAPI, want)
		}
	}
	path := writeFile(t, t.TempDir(), "c.yaml", "admin:\n  endpoint: h\n  authMetadataApi: v3\n")
	if _, err := config.Load(path, noEnv); err == nil || !strings.Contains(err.Error(), "admin.authMetadataApi") {
		t.Errorf("authMetadataApi: v3 gives %v, want an error naming the key", err)
	}
	env := config.WithLookupEnv(func(k string) (string, bool) {
		if k == "FLYTE_ADMIN_AUTHMETADATAAPI" {
			return "V1", true
		}
		return "", false
	})
	path = writeFile(t, t.TempDir(), "c.yaml", "admin:\n  endpoint: h\n  authMetadataApi: v2\n")
	if p, err := config.Load(path, env); err != nil {
		t.Errorf("FLYTE_ADMIN_AUTHMETADATAAPI=V1: %v", err)
	} else if p.AuthMetadataAPI != "v1" {
		t.Errorf("FLYTE_ADMIN_AUTHMETADATAAPI=V1 over the file's v2 gives %q", p.AuthMetadataAPI)
	}
	bad := config.Platform{Endpoint: "h", AuthMetadataAPI: "flyte2"}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "authMetadataApi") {
		t.Errorf("Validate = %v, want an error naming authMetadataApi", err)
	}
}
