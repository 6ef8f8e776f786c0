package errs

import (
	"fmt"

	"github.com/authwire/authwire/internal/wire"
)

// Code is a gRPC/Connect status code. The numbering is the gRPC one, so a
// Code converts to connect.Code and to grpc codes.Code by a plain conversion.
type Code uint32

// The codes, numbered as in https://grpc.io/docs/guides/status-codes/.
const (
	OK                 Code = 0
	Canceled           Code = 1
	Unknown            Code = 2
	InvalidArgument    Code = 3
	DeadlineExceeded   Code = 4
	NotFound           Code = 5
	AlreadyExists      Code = 6
	PermissionDenied   Code = 7
	ResourceExhausted  Code = 8
	FailedPrecondition Code = 9
	Aborted            Code = 10
	OutOfRange         Code = 11
	Unimplemented      Code = 12
	Internal           Code = 13
	Unavailable        Code = 14
	DataLoss           Code = 15
	Unauthenticated    Code = 16
)

// String returns the Connect name of the code ("not_found"), or "code_N"
// for a number outside the set.
func (c Code) String() string {
	if name, ok := wire.CodeName(uint32(c)); ok {
		return name
	}
	return fmt.Sprintf("code_%d", uint32(c))
}

// codeFromName returns the code a Connect error body names ("not_found").
// Like connect-go, it accepts "code_N" only for numbers outside the known
// set (they become Unknown) and never accepts "ok": an error body that says
// "ok" has no usable code.
func codeFromName(name string) (Code, bool) {
	c, ok := wire.CodeFromName(name)
	return Code(c), ok
}
