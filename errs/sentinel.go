package errs

import (
	"context"
	"errors"
)

// sentinel is a comparable error matched by [Error.Is] on its code.
type sentinel struct{ code Code }

func (s *sentinel) Error() string { return "errs: " + s.code.String() }

// Sentinels for errors.Is checks: errors.Is(err, errs.ErrNotFound) holds for
// any error with an [*Error] of code NotFound in its chain, whatever the
// protocol. (connect-go's own *connect.Error does not take part in errors.Is;
// [CodeOf] and [KindOf] read it.)
var (
	ErrUnauthenticated    error = &sentinel{Unauthenticated}
	ErrPermissionDenied   error = &sentinel{PermissionDenied}
	ErrNotFound           error = &sentinel{NotFound}
	ErrAlreadyExists      error = &sentinel{AlreadyExists}
	ErrInvalidArgument    error = &sentinel{InvalidArgument}
	ErrUnavailable        error = &sentinel{Unavailable}
	ErrDeadlineExceeded   error = &sentinel{DeadlineExceeded}
	ErrFailedPrecondition error = &sentinel{FailedPrecondition}
	ErrResourceExhausted  error = &sentinel{ResourceExhausted}
	ErrUnimplemented      error = &sentinel{Unimplemented}
	ErrInternal           error = &sentinel{Internal}
)

func contextCode(err error) (Code, bool) {
	switch {
	case errors.Is(err, context.Canceled):
		return Canceled, true
	case errors.Is(err, context.DeadlineExceeded):
		return DeadlineExceeded, true
	}
	return 0, false
}
