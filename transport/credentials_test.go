package transport

import (
	"testing"

	"github.com/authwire/authwire/config"
)

func TestPublicConfigCacheFollowsTheEnvironment(t *testing.T) {
	// Not parallel: it replaces getenv, which every New reads.
	saved := getenv
	t.Cleanup(func() { getenv = saved })
	cfg := &config.Platform{Endpoint: "flyte.example.org"}
	dir := t.TempDir()
	for _, tc := range []struct {
		env  string
		dir  *string
		want bool
	}{
		{"", nil, false},
		{"", &dir, true},
		{"", new(string), true}, // the default directory
		{"1", &dir, false},
		{"TRUE", new(string), false},
		{"false", &dir, true},
	} {
		getenv = func(string) string { return tc.env }
		o, _ := collect(nil)
		o.cacheDir = tc.dir
		if got := publicConfigCache(cfg, o) != nil; got != tc.want {
			t.Errorf("FLYTE_AUTH_METADATA_CACHE_DISABLED=%q, dir set %v: cache on = %v, want %v", tc.env, tc.dir != nil, got, tc.want)
		}
	}
}
