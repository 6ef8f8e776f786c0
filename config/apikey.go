package config

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// APIKey is what a Flyte API key holds: flyte-sdk's FLYTE_API_KEY, base64
// of "endpoint:client_id:client_secret:org", which means authType
// ClientSecret with these credentials. See [ParseAPIKey].
type APIKey struct {
	// Endpoint is the Flyte endpoint as the key writes it ("host",
	// "host:port", "dns:///host", "https://host:port").
	Endpoint string
	// ClientID and ClientSecret are the OAuth2 client credentials.
	ClientID     string
	ClientSecret string
	// Org is the organization the key belongs to; "" when the key names
	// none (an empty field, or "None" as flyte-sdk writes it).
	Org string
}

// String returns the key's fields with the secret left out, so an APIKey
// can be logged.
func (k APIKey) String() string {
	return "APIKey{Endpoint: " + strconv.Quote(k.Endpoint) + ", ClientID: " + strconv.Quote(k.ClientID) +
		", ClientSecret: <redacted>, Org: " + strconv.Quote(k.Org) + "}"
}

// ParseAPIKey decodes a flyte-sdk API key. A key flyte-sdk reads into a
// usable endpoint and credentials is read the same way (with the one
// exception below), and keys flyte-sdk cannot read are accepted too:
//
//   - base64 is read as Python's base64.b64decode reads it: characters
//     outside the standard alphabet (whitespace, line breaks) are skipped,
//     and decoding stops at the padding that ends a group; in addition,
//     missing padding is accepted. The result must be UTF-8 text.
//   - The text "host:id:secret:org" is split on its first three colons, as
//     flyte-sdk does: an org may hold colons ("h:id:secret:a:b" has org
//     "a:b").
//   - When the endpoint carries a scheme ("dns:///host", "https://host",
//     "http://host") or a port ("host:8443"), or is a bracketed IPv6 literal,
//     the last three fields are the client id, secret and org, and the rest
//     is the endpoint: "https://host:8443:id:secret:org". A key is read this
//     way when it starts with one of these three schemes; or when it has
//     more than four fields, starts with "[" or has a port number (digits,
//     at most 65535) as its second field, and this reading gives an
//     endpoint that parses, a client id and a secret. flyte-sdk's reading
//     of such keys would take the scheme or the port for the endpoint or the
//     client id; the one key both readings accept, a numeric client id with
//     an org that holds colons, is read as a port.
//
// An empty org, or "None", means no org. The endpoint must parse with
// [ParseEndpoint]; the client id and secret must not be empty.
//
// Errors are one-line [*FieldError] values for key FLYTE_API_KEY; they never
// include the key or any part of it.
func ParseAPIKey(key string) (APIKey, error) {
	bad := func(reason string) (APIKey, error) {
		return APIKey{}, &FieldError{Key: apiKeyEnv, Reason: reason}
	}
	raw, ok := decodeBase64Lenient(key)
	if !ok {
		return bad("malformed: not base64 (want base64 of endpoint:client_id:client_secret:org)")
	}
	if !utf8.Valid(raw) {
		clear(raw)
		return bad("malformed: does not decode to text (want base64 of endpoint:client_id:client_secret:org)")
	}
	k, ok := splitAPIKey(string(raw))
	clear(raw)
	switch {
	case !ok:
		return bad("malformed: want base64 of endpoint:client_id:client_secret:org, with four fields separated by colons")
	case k.Endpoint == "":
		return bad("malformed: the endpoint is empty")
	case k.ClientID == "":
		return bad("malformed: the client id is empty")
	case k.ClientSecret == "":
		return bad("malformed: the client secret is empty")
	}
	if _, err := ParseEndpoint(k.Endpoint, false); err != nil {
		reason := "the endpoint is malformed"
		if fe, ok := errors.AsType[*FieldError](err); ok && fe.Reason != "malformed" {
			reason = "the endpoint " + fe.Reason
		}
		return bad("malformed: " + reason)
	}
	if k.Org == "None" {
		k.Org = ""
	}
	return k, nil
}

// schemePrefix matches the endpoint schemes a key may start with.
var schemePrefix = regexp.MustCompile(`^(dns:///|(?i:https?)://)`)

// splitAPIKey splits the decoded text of a key into its fields (see
// ParseAPIKey for the rule). ok is false when it has fewer than four.
func splitAPIKey(s string) (k APIKey, ok bool) {
	prefix := schemePrefix.FindString(s)
	fields := strings.Split(s[len(prefix):], ":")
	n := len(fields)
	if n < 4 {
		return APIKey{}, false
	}
	last3 := APIKey{
		Endpoint:     prefix + strings.Join(fields[:n-3], ":"),
		ClientID:     fields[n-3],
		ClientSecret: fields[n-2],
		Org:          fields[n-1],
	}
	if prefix != "" {
		return last3, true
	}
	first3 := APIKey{
		Endpoint:     fields[0],
		ClientID:     fields[1],
		ClientSecret: fields[2],
		Org:          strings.Join(fields[3:], ":"),
	}
	if n > 4 && (strings.HasPrefix(fields[0], "[") || isPort(fields[1])) && usable(last3) {
		return last3, true
	}
	return first3, true
}

// usable reports whether k has an endpoint that parses, a client id and a
// secret.
func usable(k APIKey) bool {
	if k.ClientID == "" || k.ClientSecret == "" {
		return false
	}
	_, err := ParseEndpoint(k.Endpoint, false)
	return err == nil
}

// isPort reports whether s is a TCP port number: 1 to 5 digits, at most
// 65535.
func isPort(s string) bool {
	if len(s) == 0 || len(s) > 5 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	n, _ := strconv.Atoi(s)
	return n <= 65535
}

// decodeBase64Lenient decodes standard base64 as Python's binascii.a2b_base64
// does without strict mode: bytes outside the alphabet are skipped, "=" only
// counts once two characters of a group are in, and a group completed by
// padding ends the input. Unlike Python, a final group of two or three
// characters without padding is accepted. ok is false for a final group of
// one character, which no encoder produces, and for input that decodes to
// nothing.
func decodeBase64Lenient(s string) (out []byte, ok bool) {
	out = make([]byte, 0, len(s)*3/4)
	var (
		acc       byte // the bits of the group not yet written
		pos, pads int  // characters in the current group; "=" seen since the last character
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' {
			if pos >= 2 {
				pads++
				if pos+pads >= 4 {
					return out, true
				}
			}
			continue
		}
		v := base64Value(c)
		if v < 0 {
			continue
		}
		pads = 0
		b := byte(v)
		switch pos {
		case 0:
			acc = b
		case 1:
			out = append(out, acc<<2|b>>4)
			acc = b & 0x0f
		case 2:
			out = append(out, acc<<4|b>>2)
			acc = b & 0x03
		case 3:
			out = append(out, acc<<6|b)
		}
		pos = (pos + 1) % 4
	}
	return out, pos != 1 && len(out) > 0
}

// base64Value is the value of c in the standard alphabet, or -1.
func base64Value(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}
