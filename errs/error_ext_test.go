package errs_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"connectrpc.com/connect"

	"github.com/authwire/authwire/errs"
)

func TestCodeOfAndKindOf(t *testing.T) {
	t.Parallel()
	var typedNil *errs.Error
	tests := []struct {
		name string
		err  error
		code errs.Code
		kind errs.Kind
	}{
		{"nil", nil, errs.OK, errs.KindNone},
		{"plain", errors.New("boom"), errs.Unknown, errs.KindSystem},
		{"zero code", &errs.Error{Message: "x"}, errs.Unknown, errs.KindSystem},
		{"typed nil", typedNil, errs.Unknown, errs.KindSystem},
		{"wrapped", fmt.Errorf("outer: %w", &errs.Error{Code: errs.NotFound}), errs.NotFound, errs.KindEntityNotExist},
		{"joined", errors.Join(errors.New("a"), &errs.Error{Code: errs.AlreadyExists}), errs.AlreadyExists, errs.KindEntityAlreadyExists},
		{"canceled", fmt.Errorf("x: %w", context.Canceled), errs.Canceled, errs.KindSystem},
		{"deadline", context.DeadlineExceeded, errs.DeadlineExceeded, errs.KindTimeout},
		{"connect error", connect.NewError(connect.CodeUnauthenticated, errors.New("no")), errs.Unauthenticated, errs.KindAuthentication},
		{"wrapped connect error", fmt.Errorf("call: %w", connect.NewError(connect.CodePermissionDenied, nil)), errs.PermissionDenied, errs.KindPermissionDenied},
		{"connect error around ours", connect.NewError(connect.CodeInvalidArgument, &errs.Error{Code: errs.InvalidArgument}), errs.InvalidArgument, errs.KindInvalidInput},
		{"connect error in a join", errors.Join(errors.New("a"), connect.NewError(connect.CodeUnavailable, nil)), errs.Unavailable, errs.KindSystemUnavailable},
		{"typed nil connect error", (*connect.Error)(nil), errs.Unknown, errs.KindSystem},
		{"connect wire error", connect.NewWireError(connect.CodeInternal, errors.New("x")), errs.Internal, errs.KindSystem},
		{"our error wins over the context", &errs.Error{Code: errs.Unavailable, Err: context.Canceled}, errs.Unavailable, errs.KindSystemUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := errs.CodeOf(tc.err); got != tc.code {
				t.Errorf("CodeOf = %v, want %v", got, tc.code)
			}
			if got := errs.KindOf(tc.err); got != tc.kind {
				t.Errorf("KindOf = %v, want %v", got, tc.kind)
			}
		})
	}
}

func TestKindTable(t *testing.T) {
	t.Parallel()
	want := map[errs.Code]errs.Kind{
		errs.OK:               errs.KindNone,
		errs.Unauthenticated:  errs.KindAuthentication,
		errs.PermissionDenied: errs.KindPermissionDenied,
		errs.AlreadyExists:    errs.KindEntityAlreadyExists,
		errs.NotFound:         errs.KindEntityNotExist,
		errs.InvalidArgument:  errs.KindInvalidInput,
		errs.Unavailable:      errs.KindSystemUnavailable,
		errs.DeadlineExceeded: errs.KindTimeout,
	}
	for c := errs.Code(0); c <= 20; c++ {
		k, ok := want[c]
		if !ok {
			k = errs.KindSystem
		}
		if got := c.Kind(); got != k {
			t.Errorf("%v.Kind() = %v, want %v", c, got, k)
		}
	}
	if got := errs.KindEntityNotExist.String(); got != "EntityNotExist" {
		t.Errorf("String = %q", got)
	}
	if got := (&errs.Error{Code: errs.NotFound}).Kind(); got != errs.KindEntityNotExist {
		t.Errorf("Error.Kind = %v", got)
	}
}

func TestSentinels(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("get task: %w", &errs.Error{Code: errs.NotFound})
	if !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("errors.Is(NotFound error, ErrNotFound) is false")
	}
	if errors.Is(err, errs.ErrAlreadyExists) {
		t.Errorf("a NotFound error matches ErrAlreadyExists")
	}
	for _, s := range []error{errs.ErrUnauthenticated, errs.ErrPermissionDenied, errs.ErrInvalidArgument,
		errs.ErrUnavailable, errs.ErrDeadlineExceeded, errs.ErrFailedPrecondition, errs.ErrResourceExhausted,
		errs.ErrUnimplemented, errs.ErrInternal} {
		e := &errs.Error{Code: errs.CodeOf(sentinelCode(s))}
		if !errors.Is(e, s) {
			t.Errorf("an error of code %v does not match %v", e.Code, s)
		}
	}
}

// sentinelCode turns a sentinel into an error of its code by name.
func sentinelCode(s error) error {
	for c := errs.Code(1); c <= 16; c++ {
		if "errs: "+c.String() == s.Error() {
			return &errs.Error{Code: c}
		}
	}
	return nil
}

func TestErrorString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  *errs.Error
		want string
	}{
		{&errs.Error{Code: errs.InvalidArgument, Op: "authn", Message: "invalid configuration", Err: errors.New("no clientId"), Hint: "set clientId"},
			"authn: invalid configuration: no clientId (set clientId)"},
		{&errs.Error{Code: errs.NotFound, Op: "server", Procedure: "GET https://flyte.test/api/v1/tasks/x", HTTPStatus: 404, Message: "no such task"},
			"server: GET https://flyte.test/api/v1/tasks/x: not_found (HTTP 404): no such task"},
		{&errs.Error{Code: errs.Unavailable, Op: "retry", Procedure: "/svc/M", HTTPStatus: 200, Attempts: 4, Message: "down"},
			"retry: /svc/M: unavailable: giving up after 4 attempts: down"},
		{&errs.Error{Op: "x"}, "x"},
		{nil, "errs: <nil>"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

func TestCodeNames(t *testing.T) {
	t.Parallel()
	for c := errs.Code(0); c <= 17; c++ {
		if got, want := c.String(), connect.Code(c).String(); got != want && c != 0 {
			t.Errorf("Code(%d).String() = %q, connect says %q", c, got, want)
		}
	}
}
