package authn

import (
	"cmp"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/authwire/authwire/internal/idl"
)

// PublicConfigCacheDisabledEnv is the environment variable that, set to a
// true value, turns the public client config cache off (flyte-sdk's name).
const PublicConfigCacheDisabledEnv = "FLYTE_AUTH_METADATA_CACHE_DISABLED"

// PublicConfigCacheDisabled reports whether value, the value of
// [PublicConfigCacheDisabledEnv], turns the cache off: 1, true, yes or on,
// in any case, as flyte-sdk reads its boolean settings.
func PublicConfigCacheDisabled(value string) bool {
	switch strings.ToLower(strings.TrimSpace(value)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

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

// cachedPublicConfig is the file's content: flyte-sdk's keys, then
// authwire's. flyte-sdk reads the file with pydantic's default (unknown keys
// ignored) and drops authwire's keys when it rewrites the file.
type cachedPublicConfig struct {
	AuthType            string   `yaml:"authType"`
	ClientID            string   `yaml:"clientId"`
	Insecure            bool     `yaml:"insecure"`
	AuthorizationHeader string   `yaml:"authorizationHeader"`
	RedirectURI         string   `yaml:"redirectUri"`
	Scopes              []string `yaml:"scopes"`
	Audience            *string  `yaml:"audience"`
	// DataplaneDomain is Flyte 2's dataplane_domain.
	DataplaneDomain string `yaml:"dataplaneDomain,omitempty"`
	// ServiceHTTPEndpoint is the public config's service_http_endpoint.
	ServiceHTTPEndpoint string `yaml:"serviceHttpEndpoint,omitempty"`
	// OAuth2 is the GetOAuth2Metadata answer and the generation that gave
	// it, so a cold start needs no metadata RPC.
	OAuth2 *cachedOAuth2 `yaml:"authwireOAuth2Metadata,omitempty"`
}

// cachedOAuth2 is the metadata part of the file.
type cachedOAuth2 struct {
	API string `yaml:"api"` // "v1" or "v2"
	// None records Flyte 2's Unimplemented GetOAuth2Metadata: the server
	// has no authorization server configured.
	None                        bool     `yaml:"none,omitempty"`
	Issuer                      string   `yaml:"issuer,omitempty"`
	TokenEndpoint               string   `yaml:"tokenEndpoint,omitempty"`
	AuthorizationEndpoint       string   `yaml:"authorizationEndpoint,omitempty"`
	DeviceAuthorizationEndpoint string   `yaml:"deviceAuthorizationEndpoint,omitempty"`
	ScopesSupported             []string `yaml:"scopesSupported,omitempty"`
	GrantTypesSupported         []string `yaml:"grantTypesSupported,omitempty"`
}

// fileAnswer is what a usable file holds: always the public part; the
// metadata part (meta non-nil) only when authwire wrote it.
type fileAnswer struct {
	public *idl.PublicClientConfig
	meta   *idl.OAuth2Metadata
	api    API
	noMeta bool
}

// complete returns the whole client configuration when the file holds the
// metadata part too.
func (a fileAnswer) complete() (*ClientConfig, bool) {
	if a.public == nil || a.meta == nil {
		return nil, false
	}
	cc := merge(a.meta, a.public)
	cc.API, cc.NoOAuth2Metadata = a.api, a.noMeta
	return cc, true
}

// publicConfigCache reads and writes one server's cache file. Its failures
// cost only the cache: a file that cannot be read is ignored (and removed
// when malformed), one that cannot be written is skipped.
type publicConfigCache struct {
	path     string
	authType string
	insecure bool
}

// load returns the file's answer when it holds every field flyte-sdk
// requires (client id, redirect URI, header, scopes) and passes the checks
// a server's answer passes; its endpoints must also be ones credentials may
// go to under the configuration's insecure. A file that fails is ignored as
// a whole: the zero fileAnswer.
func (c *publicConfigCache) load() fileAnswer {
	v, ok := c.read()
	if !ok || v.ClientID == "" || v.RedirectURI == "" || v.AuthorizationHeader == "" || len(v.Scopes) == 0 {
		return fileAnswer{}
	}
	a := fileAnswer{public: &idl.PublicClientConfig{
		ClientID: v.ClientID, RedirectURI: v.RedirectURI, Scopes: v.Scopes,
		AuthorizationMetadataKey: v.AuthorizationHeader, DataplaneDomain: v.DataplaneDomain,
		ServiceHTTPEndpoint: v.ServiceHTTPEndpoint,
	}}
	if v.Audience != nil {
		a.public.Audience = *v.Audience
	}
	if m := v.OAuth2; m != nil {
		api, err := ParseAPI(m.API)
		if err != nil || api == APIAuto || m.None && (api != APIV2 || m.TokenEndpoint != "") {
			return fileAnswer{}
		}
		a.api, a.noMeta = api, m.None
		a.meta = &idl.OAuth2Metadata{
			Issuer: m.Issuer, TokenEndpoint: m.TokenEndpoint, AuthorizationEndpoint: m.AuthorizationEndpoint,
			DeviceAuthorizationEndpoint: m.DeviceAuthorizationEndpoint,
			ScopesSupported:             m.ScopesSupported, GrantTypesSupported: m.GrantTypesSupported,
		}
	}
	if !c.trustworthy(merge(cmp.Or(a.meta, &idl.OAuth2Metadata{}), a.public)) {
		return fileAnswer{}
	}
	return a
}

// trustworthy applies a server answer's checks to the file's answer, and
// refuses endpoints a flow would refuse to send credentials to.
func (c *publicConfigCache) trustworthy(cc *ClientConfig) bool {
	if cc.validate() != nil {
		return false
	}
	for _, ep := range []string{cc.TokenEndpoint, cc.AuthorizationEndpoint, cc.DeviceAuthorizationEndpoint} {
		if ep != "" && checkEndpoint(ep, tokenEndpoint, c.insecure) != nil {
			return false
		}
	}
	return true
}

// read parses the file, at most 1 MiB of it.
func (c *publicConfigCache) read() (cachedPublicConfig, bool) {
	var v cachedPublicConfig
	f, err := os.Open(c.path)
	if err != nil {
		return v, false
	}
	defer f.Close()
	data, tooLarge, err := readBounded(f, maxMetadataBody)
	if err != nil || tooLarge {
		return v, false
	}
	if err := yaml.Unmarshal(data, &v); err != nil {
		c.remove()
		return cachedPublicConfig{}, false
	}
	return v, true
}

// save writes cc, both parts, unless the file already holds the same
// answer.
func (c *publicConfigCache) save(cc *ClientConfig) {
	v := cachedPublicConfig{
		AuthType: c.authType, ClientID: cc.ClientID, Insecure: c.insecure,
		AuthorizationHeader: cc.AuthorizationMetadataKey, RedirectURI: cc.RedirectURI, Scopes: cc.Scopes,
		DataplaneDomain: cc.DataplaneDomain, ServiceHTTPEndpoint: cc.ServiceHTTPEndpoint,
		OAuth2: &cachedOAuth2{
			API: cc.API.String(), None: cc.NoOAuth2Metadata,
			Issuer: cc.Issuer, TokenEndpoint: cc.TokenEndpoint, AuthorizationEndpoint: cc.AuthorizationEndpoint,
			DeviceAuthorizationEndpoint: cc.DeviceAuthorizationEndpoint,
			ScopesSupported:             cc.ScopesSupported, GrantTypesSupported: cc.GrantTypesSupported,
		},
	}
	if v.Scopes == nil {
		v.Scopes = []string{}
	}
	if cc.Audience != "" {
		v.Audience = &cc.Audience
	}
	if old, ok := c.read(); ok && sameAnswer(old, v) {
		return
	}
	data, err := yaml.Marshal(v)
	if err != nil {
		return
	}
	_ = writeFileAtomic(c.path, data, nil) // best effort: the cache is an optimisation
}

// remove deletes the file, best effort.
func (c *publicConfigCache) remove() { _ = os.Remove(c.path) }

// sameAnswer compares the server's answer two contents hold, not how
// flyte-sdk's authType and insecure were written.
func sameAnswer(a, b cachedPublicConfig) bool {
	deref := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	if a.ClientID != b.ClientID || a.RedirectURI != b.RedirectURI || a.AuthorizationHeader != b.AuthorizationHeader ||
		a.DataplaneDomain != b.DataplaneDomain || a.ServiceHTTPEndpoint != b.ServiceHTTPEndpoint || deref(a.Audience) != deref(b.Audience) || !slices.Equal(a.Scopes, b.Scopes) ||
		(a.OAuth2 == nil) != (b.OAuth2 == nil) {
		return false
	}
	if a.OAuth2 == nil {
		return true
	}
	x, y := *a.OAuth2, *b.OAuth2
	if !slices.Equal(x.ScopesSupported, y.ScopesSupported) || !slices.Equal(x.GrantTypesSupported, y.GrantTypesSupported) {
		return false
	}
	x.ScopesSupported, x.GrantTypesSupported, y.ScopesSupported, y.GrantTypesSupported = nil, nil, nil, nil
	return reflect.DeepEqual(x, y)
}
