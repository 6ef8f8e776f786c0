package config

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// apiKeyVector is one key and what flyte-sdk's decode_api_key returned for
// it (nil: an error), with the fields the key was written from when it was
// not damaged on purpose.
type apiKeyVector struct {
	Key      string     `json:"key"`
	FlyteSDK *[4]string `json:"flyte_sdk"`
	Written  *[4]string `json:"written"`
}

// TestParseAPIKeyAgreesWithFlyteSDK replays keys decoded by flyte-sdk (well
// formed, unpadded, wrapped, padded with blanks, damaged; endpoints with and
// without scheme and port; orgs empty, None, with colons and newlines).
// Where flyte-sdk's reading is usable and not one of the documented
// exceptions, ParseAPIKey agrees with it field for field; where the key has
// a scheme or a port, it reads the fields the key was written from.
func TestParseAPIKeyAgreesWithFlyteSDK(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/apikey/flyte-sdk.json")
	if err != nil {
		t.Fatal(err)
	}
	var vectors []apiKeyVector
	if err := json.Unmarshal(b, &vectors); err != nil {
		t.Fatal(err)
	}
	var agreed, extended int
	for _, v := range vectors {
		got, err := ParseAPIKey(v.Key)
		if sdk := v.FlyteSDK; sdk != nil && sdkReadingApplies(sdk) {
			want := APIKey{Endpoint: sdk[0], ClientID: sdk[1], ClientSecret: sdk[2], Org: sdk[3]}
			if want.Org == "None" {
				want.Org = ""
			}
			if !usable(want) {
				continue // flyte-sdk reads it, but it cannot work: an error is right
			}
			if err != nil || got != want {
				t.Errorf("ParseAPIKey(%q) = %v, %v; flyte-sdk reads %v", v.Key, got, err, want)
			}
			agreed++
			continue
		}
		if w := v.Written; w != nil && !strings.Contains(w[3], ":") {
			want := APIKey{Endpoint: w[0], ClientID: w[1], ClientSecret: w[2], Org: w[3]}
			if want.Org == "None" {
				want.Org = ""
			}
			if want.ClientSecret == "" {
				continue
			}
			if err != nil || got != want {
				t.Errorf("ParseAPIKey(%q) = %v, %v; written from %v", v.Key, got, err, want)
			}
			extended++
		}
	}
	if agreed < 100 || extended < 100 {
		t.Fatalf("only %d keys compared with flyte-sdk and %d with a scheme or port", agreed, extended)
	}
}

// sdkReadingApplies reports whether flyte-sdk's first-three-colons reading is
// the one ParseAPIKey documents for these fields: not a scheme taken for the
// endpoint, not an IPv6 literal cut at its first colon, not a port taken for
// the client id.
func sdkReadingApplies(f *[4]string) bool {
	schemeCut := strings.HasPrefix(f[1], "//") && (strings.EqualFold(f[0], "https") || strings.EqualFold(f[0], "http") || f[0] == "dns")
	portCut := isPort(f[1]) && strings.Contains(f[3], ":")
	return !schemeCut && !portCut && !strings.HasPrefix(f[0], "[")
}
