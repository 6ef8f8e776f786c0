package wire

import (
	"strconv"
	"strings"
)

// The codes this package produces itself, numbered as in
// https://grpc.io/docs/guides/status-codes/.
const (
	CodeOK              uint32 = 0
	CodeUnknown         uint32 = 2
	CodeInternal        uint32 = 13
	CodeUnauthenticated uint32 = 16
)

// codeNames are the Connect names of the codes, by number.
var codeNames = [...]string{
	"ok", "canceled", "unknown", "invalid_argument", "deadline_exceeded", "not_found",
	"already_exists", "permission_denied", "resource_exhausted", "failed_precondition",
	"aborted", "out_of_range", "unimplemented", "internal", "unavailable", "data_loss",
	"unauthenticated",
}

// CodeName returns the Connect name of code c ("not_found"), or false for
// a number outside the set.
func CodeName(c uint32) (string, bool) {
	if int(c) < len(codeNames) {
		return codeNames[c], true
	}
	return "", false
}

// CodeFromName returns the code a Connect error names ("not_found"). Like
// connect-go, it accepts "code_N" only for numbers outside the known set
// (they become Unknown) and never accepts "ok": an error that says "ok" has
// no usable code.
func CodeFromName(name string) (uint32, bool) {
	for c := 1; c < len(codeNames); c++ {
		if codeNames[c] == name {
			return uint32(c), true
		}
	}
	if n, ok := strings.CutPrefix(name, "code_"); ok {
		if v, err := strconv.ParseUint(n, 10, 32); err == nil && v >= uint64(len(codeNames)) {
			return CodeUnknown, true
		}
	}
	return 0, false
}
