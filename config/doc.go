// Package config holds [Platform], the settings that describe how to reach a
// Flyte cluster (or any API behind OAuth2 and an authenticating proxy), and the
// parsing of the values users already write in flytectl and flytekit
// configuration: auth types ([ParseAuthType]) and endpoint forms
// ([ParseEndpoint]).
//
// The package imports nothing else of authwire. Errors it returns are
// [*FieldError] values naming the offending key; they never echo secrets.
package config
