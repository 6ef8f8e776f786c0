// Package errs holds authwire's one error type, [Error], its codes (the
// gRPC/Connect code set, [Code]), the Flyte exception family ([Kind]), the
// reading of failures off the wire and off the network, and the retry layer
// ([NewRetryTransport], [Transport]) — flytekit's wrap_exceptions_channel and
// RetryExceptionWrapperInterceptor. transport.New puts the retry layer over
// the bearer layer, under only the bridge that hands connect-go clients
// their codes.
//
// The retry layer lives here, not in a package of its own, because what it
// decides is what this package reads: whether a failure is transient, and
// whether it provably happened before the server saw the request, are
// answers of the same classification that builds the *Error. A separate
// package would have to export that classification, or read the response
// a second time.
//
// # One error type, every protocol
//
// [CodeOf] and [KindOf] work on any error: an [*Error] anywhere in the
// chain, a connect-go *connect.Error (so the errors connect-go builds from a
// server's answer read the same through both libraries), or a context
// error. The sentinels make errors.Is checks work on every *Error:
//
//	if errors.Is(err, errs.ErrNotFound) { … }
//	switch errs.KindOf(err) {
//	case errs.KindAuthentication: …  // flytekit's FlyteAuthenticationException
//	case errs.KindEntityNotExist: …  // FlyteEntityNotExistException
//	}
//
// The kinds follow flytekit: Unauthenticated → Authentication,
// PermissionDenied → PermissionDenied, AlreadyExists → EntityAlreadyExists,
// NotFound → EntityNotExist, InvalidArgument → InvalidInput, Unavailable →
// SystemUnavailable, DeadlineExceeded → Timeout, any other code → System.
//
// An *Error carries the code, the protocol and the call (procedure, or
// method and URL without user info or query), the HTTP status, the server's
// message and details, the number of attempts, a hint saying which setting
// to change, and the cause. It never carries a token, a secret, a URL query
// or more than a bounded excerpt of what a server sent.
//
// # Reading failures
//
// [FromResponse] reads a response the way its protocol reports failures —
// Connect's JSON error bodies, gRPC's grpc-status headers and trailers,
// REST statuses refined by grpc-gateway's google.rpc.Status bodies, OAuth
// 2.0 error bodies ([OAuthError]) and Bearer challenges — reading at most
// 1 MiB of an error body and putting it back for the caller. For Connect,
// gRPC and gRPC-Web its code is the one connect-go computes for the same
// response. [CodeFromHTTP] is the HTTP status table.
//
// [FromTransportError] reads a Go error from the network: certificate
// problems, TLS or h2c spoken to the wrong kind of server, DNS, refused
// connections, proxies, timeouts and HTTP/2 stream resets each get a code
// and a hint naming the setting to change (caCertFilePath,
// insecureSkipVerify, insecure, endpoint, httpProxyURL).
//
// # Retries
//
// [NewRetryTransport] returns a [*Transport] that retries, inside RoundTrip, the
// transient failures of calls that are safe to send again: Unavailable
// answers and HTTP 429/503 for idempotent requests (GET, Connect GET,
// Flyte's read-only procedures from a built-in table, calls whose context
// carries [WithIdempotent], or what [Policy].IsIdempotent accepts; every
// call under [Policy].RetryNonIdempotent), and failures that provably happened
// before the server saw the request (a refused connection, an HTTP/2
// REFUSED_STREAM) for any request that can be replayed. It never retries
// Unauthenticated, PermissionDenied, InvalidArgument, NotFound or
// AlreadyExists, never buffers a request body (it replays through
// Request.GetBody), waits with exponential backoff and full jitter, honours
// Retry-After, and stops when the caller's context ends. Responses are
// handed on untouched so that connect-go decodes its errors itself; Go
// errors come back as *Error values.
//
// Connect clients see these codes through connect.CodeOf once the stack
// converts the *Error values RoundTrip returns into *connect.Error values
// (connect-go turns any other RoundTrip error into Unavailable); the
// transport package does that for the stack it builds.
//
// # OAuth errors
//
// [OAuthError] is the one model of an OAuth 2.0 error answer, kept in the
// chain of the *Error that reports it ([FromOAuth]); [OAuthCode] is the one
// mapping of RFC 6749, 6750 and 8628 error codes to codes.
//
// The package imports only the standard library and authwire's internal
// wire reader (internal/wire), which the bearer layer reads responses with
// too. The table of Flyte's read-only procedures lives here, as data,
// beside the rule that uses it: the retry layer needs no IDL to apply it.
package errs
