// Package idl speaks the two messages of Flyte's AuthMetadataService
// (flyteidl.service.AuthMetadataService) without generated code.
//
// The current flyteidl Go modules are not served by the module proxy, and the
// old standalone github.com/flyteorg/flyteidl module registers the same proto
// file names as today's flyteidl, so importing it would panic at init in any
// program that also imports current flyteidl. This package therefore encodes
// the small contract by hand: the binary Protobuf form with
// [google.golang.org/protobuf/encoding/protowire] and the JSON form with
// [encoding/json], accepting both the snake_case names of flyteadmin's REST
// routes and the lowerCamelCase names of the canonical Protobuf JSON mapping.
// Nothing is registered in the global Protobuf registry.
//
// [CodecOptions] plugs these types into connect-go clients and handlers, so
// the RPCs work over the Connect, gRPC and gRPC-Web protocols.
package idl
