package config

import "strings"

// FromEnv overlays the environment variables of flytekit and flyte-sdk on p.
//
// flytekit's names are FLYTE_PLATFORM_URL, FLYTE_PLATFORM_INSECURE,
// FLYTE_PLATFORM_INSECURE_SKIP_VERIFY, FLYTE_PLATFORM_CA_CERT_FILE_PATH,
// FLYTE_PLATFORM_HTTP_PROXY_URL, FLYTE_PLATFORM_CONSOLE_ENDPOINT and
// FLYTE_CREDENTIALS_{CLIENT_ID, CLIENT_SECRET, CLIENT_SECRET_LOCATION,
// CLIENT_SECRET_ENV_VAR, SCOPES, AUTH_MODE, AUDIENCE, COMMAND,
// PROXY_COMMAND}. flyte-sdk's are FLYTE_ followed by the YAML path upper-cased
// with dots as underscores, for every key that has a YAML path
// (FLYTE_ADMIN_ENDPOINT, FLYTE_ADMIN_AUTHTYPE, FLYTE_ADMIN_CACERTFILEPATH,
// FLYTE_ADMIN_DISABLEKEYRING, FLYTE_ADMIN_PKCECONFIG_TIMEOUT,
// FLYTE_CONSOLE_ENDPOINT, FLYTE_TASK_ORG, …). When both spellings of one key
// are set, flyte-sdk's wins, and a warning (see [WithWarnings]) says so if
// the values differ. Last, FLYTE_API_KEY (see [ParseAPIKey]) sets the
// endpoint, the client id and secret, authType ClientSecret and the org,
// over every other variable, as flyte-sdk does (with a warning when it
// replaces a different endpoint); it clears clientSecretLocation and
// clientSecretEnvVar, which would otherwise win over the key's secret.
//
// A variable that is unset or blank leaves the setting alone. Values follow
// the rules of [Load]; lists and commands are comma-separated, as in
// flytekit (FLYTE_CREDENTIALS_COMMAND="gcloud,auth,print-identity-token").
//
// Only [WithLookupEnv] and [WithWarnings] among the options matter here.
// FromEnv neither infers the auth type nor validates: [Load] and [Discover]
// do. Errors are one-line [*FieldError] values naming the variable; on error
// p is left unchanged.
func FromEnv(p *Platform, opts ...LoadOption) error {
	l := newLoader(newLoadOptions(opts))
	l.p = *p
	if err := l.env(); err != nil {
		return err
	}
	*p = l.p
	return nil
}

// apiKeyEnv holds a flyte-sdk API key.
const apiKeyEnv = "FLYTE_API_KEY"

// env overlays the variables of every key that has one, then FLYTE_API_KEY.
func (l *loader) env() error {
	for _, k := range keys {
		name, v, ok := l.envValue(k)
		if !ok {
			continue
		}
		if err := l.set(k, text{scalar: v, splitArgv: splitComma}, origin{key: name}); err != nil {
			return err
		}
	}
	v, ok := l.o.lookupEnv(apiKeyEnv)
	if !ok || strings.TrimSpace(v) == "" {
		return nil
	}
	key, err := ParseAPIKey(v)
	if err != nil {
		return err
	}
	l.applyAPIKey(key)
	return nil
}

// envValue returns the variable that sets k and its value: flyte-sdk's
// spelling when it is set, else flytekit's. ok is false when neither is set
// to something other than blanks.
func (l *loader) envValue(k *key) (name, value string, ok bool) {
	get := func(name string) (string, bool) {
		if name == "" {
			return "", false
		}
		v, ok := l.o.lookupEnv(name)
		return v, ok && strings.TrimSpace(v) != ""
	}
	kitName, sdkName := k.env(), k.sdkEnv()
	kitValue, kitSet := get(kitName)
	sdkValue, sdkSet := get(sdkName)
	switch {
	case sdkSet:
		if kitSet && strings.TrimSpace(kitValue) != strings.TrimSpace(sdkValue) {
			l.o.warn(Warning{Key: kitName, Message: "ignored: " + sdkName + " is set too, and wins"})
		}
		return sdkName, sdkValue, true
	case kitSet:
		return kitName, kitValue, true
	}
	return "", "", false
}

// applyAPIKey sets what an API key holds, recording FLYTE_API_KEY as the
// origin of each setting, and warns when it replaces another endpoint.
func (l *loader) applyAPIKey(k APIKey) {
	p := &l.p
	endpoint := strings.TrimPrefix(k.Endpoint, "dns:///")
	if p.Endpoint != "" && p.Endpoint != endpoint {
		l.o.warn(Warning{Key: apiKeyEnv, Message: "its endpoint replaces the one set by " + l.where("endpoint").key})
	}
	p.Endpoint = endpoint
	p.ClientID = k.ClientID
	p.ClientSecret = k.ClientSecret
	p.ClientSecretLocation, p.ClientSecretEnvVar = "", ""
	p.AuthType = AuthClientSecret
	names := []string{"endpoint", "clientId", "clientSecret", "clientSecretLocation", "clientSecretEnvVar", "authType"}
	if k.Org != "" {
		p.Org = k.Org
		names = append(names, "org")
	}
	for _, n := range names {
		l.origins[n] = origin{key: apiKeyEnv}
	}
}
