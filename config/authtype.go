package config

import (
	"fmt"
	"strings"
)

// AuthType selects how the bearer layer obtains tokens. The zero value,
// [AuthUnset], means "not configured": calls go out without a token and the
// stack authenticates only when the server answers 401 / Unauthenticated.
type AuthType int

const (
	// AuthUnset sends the first call anonymously and authenticates lazily.
	AuthUnset AuthType = iota
	// AuthNone never attaches credentials and never touches a keyring.
	AuthNone
	// AuthClientSecret is the OAuth2 client-credentials grant.
	AuthClientSecret
	// AuthPKCE is the authorization-code grant with PKCE in a browser.
	AuthPKCE
	// AuthExternalCommand runs [Platform.Command] to obtain a token.
	AuthExternalCommand
	// AuthDeviceFlow is the OAuth2 device authorization grant (RFC 8628).
	AuthDeviceFlow
	// AuthPassthrough sends, with each request, the token its caller put in
	// the request's context (flyte-sdk's Passthrough), for services that
	// forward their users' identity. The stack obtains, refreshes and stores
	// no token of its own.
	AuthPassthrough
)

// authTypeNames maps every accepted spelling (lower case) to its AuthType.
// flytectl and flytekit spell the same modes differently; all are accepted.
var authTypeNames = map[string]AuthType{
	"":                   AuthUnset,
	"none":               AuthNone,
	"clientsecret":       AuthClientSecret,
	"client_secret":      AuthClientSecret,
	"basic":              AuthClientSecret,
	"client_credentials": AuthClientSecret,
	"pkce":               AuthPKCE,
	"standard":           AuthPKCE,
	"externalcommand":    AuthExternalCommand,
	"external_command":   AuthExternalCommand,
	"external_process":   AuthExternalCommand,
	"deviceflow":         AuthDeviceFlow,
	"device_flow":        AuthDeviceFlow,
	"passthrough":        AuthPassthrough,
}

// ParseAuthType parses the flytectl, flytekit and flyte-sdk names of an auth
// mode, case-insensitively: Pkce/standard,
// ClientSecret/basic/client_credentials, ExternalCommand/external_process,
// DeviceFlow, Passthrough and None. The empty string is [AuthUnset].
// Anything else is a [*FieldError] for key "authType".
func ParseAuthType(s string) (AuthType, error) {
	if t, ok := authTypeNames[strings.ToLower(strings.TrimSpace(s))]; ok {
		return t, nil
	}
	return AuthUnset, &FieldError{
		Key:    "authType",
		Value:  s,
		Reason: "unknown value (want one of ClientSecret, Pkce, ExternalCommand, DeviceFlow, Passthrough, None)",
	}
}

// String returns the flytectl spelling of the auth type ("" for AuthUnset).
func (a AuthType) String() string {
	switch a {
	case AuthUnset:
		return ""
	case AuthNone:
		return "None"
	case AuthClientSecret:
		return "ClientSecret"
	case AuthPKCE:
		return "Pkce"
	case AuthExternalCommand:
		return "ExternalCommand"
	case AuthDeviceFlow:
		return "DeviceFlow"
	case AuthPassthrough:
		return "Passthrough"
	}
	return fmt.Sprintf("AuthType(%d)", int(a))
}

// MarshalText implements [encoding.TextMarshaler].
func (a AuthType) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler] with [ParseAuthType].
func (a *AuthType) UnmarshalText(b []byte) error {
	t, err := ParseAuthType(string(b))
	if err != nil {
		return err
	}
	*a = t
	return nil
}
