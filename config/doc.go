// Package config holds [Platform], the settings that describe how to reach a
// Flyte cluster (or any API behind OAuth2 and an authenticating proxy), and
// reads them from the places users already keep them:
//
//   - [Load] reads a flytectl or flyte-sdk YAML file (the admin: section,
//     console.endpoint and task.org) or a legacy flytekit INI file
//     ([platform], [credentials]) and overlays the environment: flytekit's
//     FLYTE_PLATFORM_* and FLYTE_CREDENTIALS_* variables, flyte-sdk's
//     FLYTE_ADMIN_* spelling of every key, and FLYTE_API_KEY ([ParseAPIKey]);
//   - [Discover] finds the file as flyte-sdk does: an explicit path,
//     ./config.yaml, ./.flyte/config.yaml, <git root>/.flyte/config.yaml,
//     $UCTL_CONFIG, $FLYTECTL_CONFIG, ~/.union/config.yaml,
//     ~/.flyte/config.yaml, then flytekit's ~/.flyte/config;
//   - [FromEnv] overlays the environment on a [Platform] built in code.
//
// Precedence is explicit options ([WithOverride]) > FLYTE_API_KEY > other
// environment variables > file > defaults; a zero field means "default" to
// every consumer. The single values users write are parsed by
// [ParseAuthType] and [ParseEndpoint]; [Platform.Validate] rejects settings
// that cannot work together.
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
