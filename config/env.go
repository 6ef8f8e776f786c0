package config

import "strings"

// FromEnv overlays flytekit's environment variables on p: FLYTE_PLATFORM_URL,
// FLYTE_PLATFORM_INSECURE, FLYTE_PLATFORM_INSECURE_SKIP_VERIFY,
// FLYTE_PLATFORM_CA_CERT_FILE_PATH, FLYTE_PLATFORM_HTTP_PROXY_URL,
// FLYTE_PLATFORM_CONSOLE_ENDPOINT and FLYTE_CREDENTIALS_{CLIENT_ID,
// CLIENT_SECRET, CLIENT_SECRET_LOCATION, CLIENT_SECRET_ENV_VAR, SCOPES,
// AUTH_MODE, AUDIENCE, COMMAND, PROXY_COMMAND}. A variable that is unset or
// blank leaves the setting alone. Values follow the rules of [Load]; lists
// and commands are comma-separated, as in flytekit
// (FLYTE_CREDENTIALS_COMMAND="gcloud,auth,print-identity-token").
//
// Only [WithLookupEnv] among the options matters here. FromEnv neither infers
// the auth type nor validates: [Load] and [Discover] do. Errors are one-line
// [*FieldError] values naming the variable; on error p is left unchanged.
func FromEnv(p *Platform, opts ...LoadOption) error {
	l := newLoader(newLoadOptions(opts))
	l.p = *p
	if err := l.env(); err != nil {
		return err
	}
	*p = l.p
	return nil
}

// env overlays the variables of every key that has one.
func (l *loader) env() error {
	for _, k := range keys {
		name := k.env()
		if name == "" {
			continue
		}
		v, ok := l.o.lookupEnv(name)
		if !ok || strings.TrimSpace(v) == "" {
			continue
		}
		if err := l.set(k, text{scalar: v, splitArgv: splitComma}, origin{key: name}); err != nil {
			return err
		}
	}
	return nil
}
