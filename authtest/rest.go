package authtest

import (
	"encoding/json"
	"io"
	"net/http"

	"connectrpc.com/connect"
)

// echo is the protected REST route: GET /api/v1/echo?msg=x answers
// {"msg":"x"}; POST echoes a JSON body (compacted). It passes the same guard as the RPC
// service; failures answer the HTTP status the Connect protocol gives their
// code, with a JSON body {"code", "message"}.
func (s *Server) echo(w http.ResponseWriter, r *http.Request) {
	if !s.guardREST(w, r) {
		return
	}
	if r.Method == http.MethodGet {
		writeJSON(w, http.StatusOK, map[string]string{"msg": r.URL.Query().Get("msg")})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil || !json.Valid(body) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"code": connect.CodeInvalidArgument.String(), "message": "authtest: body is not JSON"})
		return
	}
	writeJSON(w, http.StatusOK, json.RawMessage(body))
}

// guardREST runs guard for a protected REST route. When the call fails it
// answers the HTTP status the Connect protocol gives the code, with a JSON
// body {"code", "message"} (and a Bearer challenge for Unauthenticated), and
// reports false.
func (s *Server) guardREST(w http.ResponseWriter, r *http.Request) bool {
	err := s.guard(r.Context(), r.Header)
	if err == nil {
		return true
	}
	code := connect.CodeOf(err)
	if code == connect.CodeUnauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	}
	writeJSON(w, httpStatus(code), map[string]string{"code": code.String(), "message": errorMessage(err)})
	return false
}

// httpStatus maps a code to the HTTP status of the Connect protocol
// (https://connectrpc.com/docs/protocol#error-codes).
func httpStatus(code connect.Code) int {
	switch code {
	case connect.CodeCanceled:
		return 499
	case connect.CodeInvalidArgument, connect.CodeFailedPrecondition, connect.CodeOutOfRange:
		return 400
	case connect.CodeDeadlineExceeded:
		return 504
	case connect.CodeNotFound:
		return 404
	case connect.CodeAlreadyExists, connect.CodeAborted:
		return 409
	case connect.CodePermissionDenied:
		return 403
	case connect.CodeResourceExhausted:
		return 429
	case connect.CodeUnimplemented:
		return 501
	case connect.CodeUnavailable:
		return 503
	case connect.CodeUnauthenticated:
		return 401
	}
	return 500 // Unknown, Internal, DataLoss
}
