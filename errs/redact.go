package errs

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// maxMessage bounds a server's message quoted in an error, in bytes.
const maxMessage = 1024

// RedactURL returns u as "scheme://host/path": without user info, query or
// fragment, which may hold credentials or tokens. It returns "" for nil.
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath, Opaque: u.Opaque}
	if r.Opaque != "" {
		// An opaque URL ("host:port" parsed as scheme:opaque) may carry
		// anything; keep only what precedes a query.
		r.Opaque, _, _ = strings.Cut(r.Opaque, "?")
	}
	return r.String()
}

// procedureOf names the call req makes: the path for RPCs, the method and
// redacted URL for REST.
func procedureOf(req *http.Request, p Protocol) string {
	if req == nil || req.URL == nil {
		return ""
	}
	if p.rpc() {
		return req.URL.Path
	}
	m := req.Method
	if m == "" {
		m = http.MethodGet
	}
	return m + " " + RedactURL(req.URL)
}

// cleanMessage makes a server's text fit for an error string: valid UTF-8,
// one line (control and bidirectional-formatting characters become spaces),
// trimmed, at most maxMessage
// bytes.
func cleanMessage(s string) string {
	if len(s) > 4*maxMessage {
		s = s[:4*maxMessage] // ample for what survives the trimming below
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexFunc(s, isControl) >= 0 {
		s = strings.Map(func(r rune) rune {
			if isControl(r) {
				return ' '
			}
			return r
		}, s)
	}
	s = strings.TrimSpace(s)
	if len(s) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// isControl reports whether r is a control character (C0, DEL, C1), a line
// or paragraph separator, or a bidirectional-formatting character, which
// could reorder or hide what a terminal shows.
func isControl(r rune) bool {
	switch {
	case r < ' ', r >= 0x7f && r <= 0x9f, r == 0x2028, r == 0x2029:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
