//go:build conformancegen

package main

import (
	"errors"
	"maps"
	"net/http"
	"slices"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/anypb"

	conformancev1 "github.com/authwire/authwire/conformance/gen/connectrpc/conformance/v1"
)

// addHeaders adds every value of src to dst.
func addHeaders(dst http.Header, src []*conformancev1.Header) {
	for _, h := range src {
		for _, v := range h.GetValue() {
			dst.Add(h.GetName(), v)
		}
	}
}

// headers converts h, sorted by name so the output is stable.
func headers(h http.Header) []*conformancev1.Header {
	names := slices.Sorted(maps.Keys(h))
	out := make([]*conformancev1.Header, 0, len(names))
	for _, k := range names {
		out = append(out, &conformancev1.Header{Name: k, Value: h[k]})
	}
	return out
}

// protoError describes err as the suite expects: its connect code, message
// and details; an error that is not a *connect.Error is Unknown with its
// text. nil stays nil.
func protoError(err error) *conformancev1.Error {
	if err == nil {
		return nil
	}
	ce := new(connect.Error)
	if !errors.As(err, &ce) {
		msg := err.Error()
		return &conformancev1.Error{Code: conformancev1.Code_CODE_UNKNOWN, Message: &msg}
	}
	msg := ce.Message()
	out := &conformancev1.Error{Code: conformancev1.Code(ce.Code()), Message: &msg}
	for _, d := range ce.Details() {
		out.Details = append(out.Details, &anypb.Any{TypeUrl: "type.googleapis.com/" + d.Type(), Value: d.Bytes()})
	}
	return out
}
