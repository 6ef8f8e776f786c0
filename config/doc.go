// Package config holds [Platform], the settings that describe how to reach a
// Flyte cluster (or any API behind OAuth2 and an authenticating proxy), and
// reads them from the places users already keep them:
//
//   - [Load] reads a flytectl YAML file (the admin: section and
//     console.endpoint) or a legacy flytekit INI file ([platform],
//     [credentials]) and overlays the FLYTE_* environment variables;
//   - [Discover] finds the file as flytectl and flytekit do: an explicit
//     path, $FLYTECTL_CONFIG, ./.flyte/config.yaml, ~/.flyte/config.yaml,
//     then ~/.flyte/config;
//   - [FromEnv] overlays the FLYTE_* variables on a [Platform] built in code.
//
// Precedence is explicit options ([WithOverride]) > environment > file >
// defaults; a zero field means "default" to every consumer. The single
// values users write are parsed by [ParseAuthType] and [ParseEndpoint];
// [Platform.Validate] rejects settings that cannot work together.
//
// Loading checks each value with the key's path, file and line and then runs
// Validate; unknown keys are warnings handed to [WithWarnings] or
// [WithLogger], never printed. The environment, home and working directories
// are injectable ([WithLookupEnv], [WithHomeDir], [WithWorkDir]).
//
// The package imports nothing else of authwire. Errors it returns are
// one-line [*FieldError] values naming the offending key; they never echo
// secrets.
package config
