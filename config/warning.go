package config

import "strings"

// Warning is a setting [Load] accepted but that is probably not what the
// user meant, such as a misspelt key. See [WithWarnings].
type Warning struct {
	// Key is the key's path as written: "admin.insecureSkipVerfy",
	// "credentials.clientid".
	Key string
	// File and Line locate the key.
	File string
	Line int
	// Message says what is wrong: "unknown key, ignored (did you mean
	// insecureSkipVerify?)".
	Message string
}

// String returns the warning as one line, in the form of [FieldError]:
// "config: FILE:LINE: KEY: MESSAGE".
func (w Warning) String() string {
	return messagePrefix(w.File, w.Line, w.Key) + w.Message
}

// suggest returns the candidate closest to name, when it is close enough to
// be a likely misspelling (case-insensitive edit distance at most 2, or 3
// for long names), else "".
func suggest(name string, candidates []string) string {
	if len(name) > 64 {
		return ""
	}
	best, bestDist := "", 4
	limit := 2
	if len(name) >= 12 {
		limit = 3
	}
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(name), strings.ToLower(c)); d <= limit && d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
