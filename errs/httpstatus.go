package errs

// CodeFromHTTP returns the code of an HTTP status for the protocol p.
//
// For Connect, gRPC and gRPC-Web it is the table the gRPC and Connect
// specifications give for responses that carry no status of their own, the
// one connect-go applies, so that both libraries agree:
// https://github.com/grpc/grpc/blob/master/doc/http-grpc-status-mapping.md
// and https://connectrpc.com/docs/protocol/#http-to-error-code. (A 404 there
// means the procedure does not exist: Unimplemented.)
//
// For REST it reads the status as a REST API means it, the inverse of
// grpc-gateway's code→status table
// (https://github.com/grpc-ecosystem/grpc-gateway/blob/main/runtime/errors.go)
// where one exists, and RFC 9110 §15 otherwise: a 404 is NotFound and a 409
// AlreadyExists, which is what flyteadmin's REST API means by them. 429 and
// 502/503 are Unavailable for every protocol, so the retry layer and
// [KindOf] treat them alike.
//
// Success and redirect statuses (below 400) are OK.
func CodeFromHTTP(p Protocol, status int) Code {
	if status < 400 && status >= 100 {
		return OK
	}
	if p == ProtocolREST || p == ProtocolUnknown {
		return restCodeFromHTTP(status)
	}
	return rpcCodeFromHTTP(status)
}

// rpcCodeFromHTTP is the gRPC/Connect HTTP→code table, for every status
// (connect-go applies it to any non-200 status, redirects included).
// Literals, to compare with the specification.
func rpcCodeFromHTTP(status int) Code {
	switch status {
	case 400:
		return Internal
	case 401:
		return Unauthenticated
	case 403:
		return PermissionDenied
	case 404:
		return Unimplemented
	case 429:
		return Unavailable
	case 502, 503, 504:
		return Unavailable
	default:
		return Unknown
	}
}

// restCodeFromHTTP is the REST table. Literals, to compare with the
// specifications.
func restCodeFromHTTP(status int) Code {
	switch status {
	case 400: // Bad Request
		return InvalidArgument
	case 401: // Unauthorized
		return Unauthenticated
	case 403: // Forbidden
		return PermissionDenied
	case 404: // Not Found
		return NotFound
	case 405, 501: // Method Not Allowed, Not Implemented
		return Unimplemented
	case 407: // Proxy Authentication Required
		return Unauthenticated
	case 408, 504: // Request Timeout, Gateway Timeout
		return DeadlineExceeded
	case 409: // Conflict
		return AlreadyExists
	case 412: // Precondition Failed
		return FailedPrecondition
	case 416: // Range Not Satisfiable
		return OutOfRange
	case 429: // Too Many Requests
		return Unavailable
	case 499: // Client Closed Request (nginx, grpc-gateway)
		return Canceled
	case 500: // Internal Server Error
		return Internal
	case 502, 503: // Bad Gateway, Service Unavailable
		return Unavailable
	default:
		return Unknown
	}
}
