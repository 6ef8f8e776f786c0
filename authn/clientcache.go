package authn

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/authwire/authwire/internal/idl"
)

// PublicConfigCacheDisabledEnv is the environment variable that, set to a
// true value, turns the public client config cache off (flyte-sdk's name).
const PublicConfigCacheDisabledEnv = "FLYTE_AUTH_METADATA_CACHE_DISABLED"

// PublicConfigCacheFile returns the file flyte-sdk and authwire keep a
// server's public client config in: <dir>/<endpoint>.yaml, the endpoint
// without its scheme ("dns:///", "https://", "http://") or trailing slash.
// dir "" means ~/.flyte/.cache.
func PublicConfigCacheFile(dir, endpoint string) (string, error) {
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(home, ".flyte", ".cache")
	}
	key := endpoint
	for _, p := range []string{"dns:///", "dns://", "https://", "http://"} {
		key = strings.TrimPrefix(key, p)
	}
	key = strings.TrimLeft(strings.TrimRight(key, "/"), "/")
	if key == "" || strings.ContainsAny(key, `/\`) || key == "." || key == ".." {
		return "", errors.New("authn: endpoint " + endpoint + " names no cache file")
	}
	return filepath.Join(dir, key+".yaml"), nil
}

// cachedPublicConfig is the file's content, with flyte-sdk's keys.
type cachedPublicConfig struct {
	AuthType            string   `yaml:"authType"`
	ClientID            string   `yaml:"clientId"`
	Insecure            bool     `yaml:"insecure"`
	AuthorizationHeader string   `yaml:"authorizationHeader"`
	RedirectURI         string   `yaml:"redirectUri"`
	Scopes              []string `yaml:"scopes"`
	Audience            *string  `yaml:"audience"`
	// DataplaneDomain is authwire's addition (Flyte 2's dataplane_domain);
	// flyte-sdk ignores it and drops it when it rewrites the file.
	DataplaneDomain string `yaml:"dataplaneDomain,omitempty"`
}

// publicConfigCache reads and writes one server's cache file. Its failures
// cost only the cache: a file that cannot be read is ignored (and removed
// when malformed), one that cannot be written is skipped.
type publicConfigCache struct {
	path     string
	authType string
	insecure bool
}

// load returns the cached public client config when the file holds every
// field flyte-sdk requires (client id, redirect URI, header, scopes).
func (c *publicConfigCache) load() (*idl.PublicClientConfig, bool) {
	f, err := os.Open(c.path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxMetadataBody+1))
	if err != nil || len(data) > maxMetadataBody {
		return nil, false
	}
	var v cachedPublicConfig
	if err := yaml.Unmarshal(data, &v); err != nil {
		c.remove()
		return nil, false
	}
	if v.ClientID == "" || v.RedirectURI == "" || v.AuthorizationHeader == "" || len(v.Scopes) == 0 {
		return nil, false
	}
	pc := &idl.PublicClientConfig{
		ClientID: v.ClientID, RedirectURI: v.RedirectURI, Scopes: v.Scopes,
		AuthorizationMetadataKey: v.AuthorizationHeader, DataplaneDomain: v.DataplaneDomain,
	}
	if v.Audience != nil {
		pc.Audience = *v.Audience
	}
	return pc, true
}

// save writes the public part of cc unless the file already holds the same
// answer.
func (c *publicConfigCache) save(cc *ClientConfig) {
	pc := &idl.PublicClientConfig{
		ClientID: cc.ClientID, RedirectURI: cc.RedirectURI, Scopes: cc.Scopes,
		AuthorizationMetadataKey: cc.AuthorizationMetadataKey, Audience: cc.Audience, DataplaneDomain: cc.DataplaneDomain,
	}
	if old, ok := c.load(); ok && samePublic(old, pc) {
		return
	}
	v := cachedPublicConfig{
		AuthType: c.authType, ClientID: pc.ClientID, Insecure: c.insecure,
		AuthorizationHeader: pc.AuthorizationMetadataKey, RedirectURI: pc.RedirectURI, Scopes: pc.Scopes,
		DataplaneDomain: pc.DataplaneDomain,
	}
	if v.Scopes == nil {
		v.Scopes = []string{}
	}
	if pc.Audience != "" {
		v.Audience = &pc.Audience
	}
	data, err := yaml.Marshal(v)
	if err != nil {
		return
	}
	_ = writeFileAtomic(c.path, data, nil) // best effort: the cache is an optimisation
}

// remove deletes the file, best effort.
func (c *publicConfigCache) remove() { _ = os.Remove(c.path) }

// samePublic compares the fields the cache keeps.
func samePublic(a, b *idl.PublicClientConfig) bool {
	return a.ClientID == b.ClientID && a.RedirectURI == b.RedirectURI && a.AuthorizationMetadataKey == b.AuthorizationMetadataKey &&
		a.Audience == b.Audience && a.DataplaneDomain == b.DataplaneDomain && slices.Equal(a.Scopes, b.Scopes)
}
