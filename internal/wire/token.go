package wire

import "strings"

// IsTokenChar reports whether c may appear in an RFC 9110 token (tchar):
// a header name, an auth scheme, a challenge parameter's name.
func IsTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// IsToken reports whether s is an RFC 9110 token: one or more tchars.
func IsToken(s string) bool {
	for i := range len(s) {
		if !IsTokenChar(s[i]) {
			return false
		}
	}
	return s != ""
}
