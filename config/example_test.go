package config_test

import (
	"fmt"

	"github.com/authwire/authwire/config"
)

// emptyEnv keeps the examples independent of the machine's FLYTE_* variables.
func emptyEnv(string) (string, bool) { return "", false }

func ExampleLoad() {
	p, err := config.Load("testdata/sandbox.yaml", config.WithLookupEnv(emptyEnv))
	if err != nil {
		fmt.Println(err)
		return
	}
	base, _ := p.BaseURL()
	fmt.Println(p.Endpoint, p.AuthType, p.Insecure, base)
	// Output: localhost:30080 Pkce true http://localhost:30080
}

func ExampleLoad_environment() {
	env := map[string]string{
		"FLYTE_PLATFORM_URL":          "dns:///flyte.example.com",
		"FLYTE_PLATFORM_INSECURE":     "false",
		"FLYTE_CREDENTIALS_AUTH_MODE": "device_flow",
		"FLYTE_CREDENTIALS_CLIENT_ID": "flytectl",
	}
	p, err := config.Load("testdata/sandbox.yaml", config.WithLookupEnv(func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	base, _ := p.BaseURL()
	fmt.Println(base, p.AuthType, p.ClientID)
	// Output: https://flyte.example.com DeviceFlow flytectl
}

func ExampleLoad_error() {
	_, err := config.Load("testdata/bad-authtype.yaml", config.WithLookupEnv(emptyEnv))
	fmt.Println(err)
	// Output: config: testdata/bad-authtype.yaml:3: admin.authType: unknown value (want one of ClientSecret, Pkce, ExternalCommand, DeviceFlow, Passthrough, None): "client-secret"
}

func ExampleWithWarnings() {
	_, err := config.Load("testdata/typo.yaml",
		config.WithLookupEnv(emptyEnv),
		config.WithWarnings(func(w config.Warning) { fmt.Println(w) }),
	)
	fmt.Println("error:", err)
	// Output:
	// config: testdata/typo.yaml:4: admin.insecureSkipVerfy: unknown key, ignored (did you mean insecureSkipVerify?)
	// error: <nil>
}

func ExampleDiscover() {
	p, path, err := config.Discover(
		config.WithLookupEnv(emptyEnv),
		config.WithWorkDir("testdata/discover"),
		config.WithHomeDir(""),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(path)
	fmt.Println(p.Endpoint, p.AuthType, p.ClientID)
	// Output:
	// testdata/discover/.flyte/config.yaml
	// flyte.example.com DeviceFlow flytectl
}

func ExampleFromEnv() {
	p := config.Platform{Endpoint: "flyte.example.com", AuthType: config.AuthPKCE}
	env := map[string]string{"FLYTE_CREDENTIALS_AUTH_MODE": "external_process", "FLYTE_CREDENTIALS_COMMAND": "flyte-token,--audience,flyte"}
	err := config.FromEnv(&p, config.WithLookupEnv(func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}))
	fmt.Println(err, p.AuthType, p.Command)
	// Output: <nil> ExternalCommand [flyte-token --audience flyte]
}

func ExampleWithOverride() {
	p, err := config.Load("testdata/sandbox.yaml",
		config.WithLookupEnv(emptyEnv),
		config.WithOverride(func(p *config.Platform) { p.Endpoint = "localhost:8089" }),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Endpoint)
	// Output: localhost:8089
}

// An API key holds the endpoint, the client credentials and the org.
func ExampleParseAPIKey() {
	key := "Zmx5dGUuZXhhbXBsZS5jb206bXktY2xpZW50OnMzY3IzdDphY21l" // base64 of flyte.example.com:my-client:s3cr3t:acme
	k, err := config.ParseAPIKey(key)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(k)

	_, err = config.ParseAPIKey("bm90IGEga2V5") // base64 of "not a key"
	fmt.Println(err)
	// Output:
	// APIKey{Endpoint: "flyte.example.com", ClientID: "my-client", ClientSecret: <redacted>, Org: "acme"}
	// config: FLYTE_API_KEY: malformed: want base64 of endpoint:client_id:client_secret:org, with four fields separated by colons
}

// FLYTE_API_KEY alone configures a client: no file is needed.
func ExampleDiscover_apiKey() {
	env := map[string]string{"FLYTE_API_KEY": "Zmx5dGUuZXhhbXBsZS5jb206bXktY2xpZW50OnMzY3IzdDphY21l"}
	p, path, err := config.Discover(config.WithWorkDir(""), config.WithHomeDir(""), config.WithLookupEnv(func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%q %s %s %s %s\n", path, p.Endpoint, p.AuthType, p.ClientID, p.Org)
	// Output: "" flyte.example.com ClientSecret my-client acme
}
