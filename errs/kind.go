package errs

// Kind is the Flyte exception family a failure belongs to, the categories
// flytekit raises (FlyteAuthenticationException,
// FlyteEntityAlreadyExistsException, ...). It is derived from the [Code];
// [Code.Kind] holds the table.
type Kind uint8

// The kinds. KindNone is the kind of no error.
const (
	KindNone Kind = iota
	// KindAuthentication is flytekit's FlyteAuthenticationException:
	// Unauthenticated.
	KindAuthentication
	// KindPermissionDenied is PermissionDenied: the caller is known but not
	// allowed.
	KindPermissionDenied
	// KindEntityAlreadyExists is flytekit's FlyteEntityAlreadyExistsException:
	// AlreadyExists.
	KindEntityAlreadyExists
	// KindEntityNotExist is flytekit's FlyteEntityNotExistException: NotFound.
	KindEntityNotExist
	// KindInvalidInput is flytekit's FlyteInvalidInputException:
	// InvalidArgument.
	KindInvalidInput
	// KindSystemUnavailable is flytekit's FlyteSystemUnavailableException:
	// Unavailable.
	KindSystemUnavailable
	// KindTimeout is flytekit's FlyteTimeout: DeadlineExceeded.
	KindTimeout
	// KindSystem is flytekit's FlyteSystemException: every other code.
	KindSystem
)

var kindNames = [...]string{
	KindNone:                "None",
	KindAuthentication:      "Authentication",
	KindPermissionDenied:    "PermissionDenied",
	KindEntityAlreadyExists: "EntityAlreadyExists",
	KindEntityNotExist:      "EntityNotExist",
	KindInvalidInput:        "InvalidInput",
	KindSystemUnavailable:   "SystemUnavailable",
	KindTimeout:             "Timeout",
	KindSystem:              "System",
}

// String returns the kind's name as in the Flyte exception family
// ("EntityNotExist").
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "System"
}

// Kind returns the Flyte kind of the code: Unauthenticated → Authentication,
// PermissionDenied → PermissionDenied, AlreadyExists → EntityAlreadyExists,
// NotFound → EntityNotExist, InvalidArgument → InvalidInput, Unavailable →
// SystemUnavailable, DeadlineExceeded → Timeout, OK → None, and everything
// else → System.
func (c Code) Kind() Kind {
	switch c {
	case OK:
		return KindNone
	case Unauthenticated:
		return KindAuthentication
	case PermissionDenied:
		return KindPermissionDenied
	case AlreadyExists:
		return KindEntityAlreadyExists
	case NotFound:
		return KindEntityNotExist
	case InvalidArgument:
		return KindInvalidInput
	case Unavailable:
		return KindSystemUnavailable
	case DeadlineExceeded:
		return KindTimeout
	default:
		return KindSystem
	}
}

// KindOf returns the Flyte kind of err: CodeOf(err).Kind(). It is KindNone
// for nil and KindSystem for an error nobody classified.
func KindOf(err error) Kind { return CodeOf(err).Kind() }
