// Package wire reads what Connect, gRPC and gRPC-Web responses say on the
// wire, once for every layer: the bearer layer's rejection check
// (package authn) and the errs layer's classification (package errs) both
// read responses through it.
//
// It holds:
//
//   - protocol detection from a request or a response ([RequestProtocol],
//     [ResponseProtocol], [ContentTypeProtocol]) and how a body is framed
//     ([EnvelopeOf]);
//   - the first frame of a body ([Peek]): at most the 5-byte envelope
//     prefix is read, plus an end frame of at most [MaxEndFrame] bytes when
//     the body starts with one; the bytes read are put back ([PeekedBody]),
//     so a stream is never buffered;
//   - end frames: the Connect end-of-stream message ([ParseEndStream]) and
//     the gRPC-Web trailer frame ([ParseTrailerBlock]), gzip-compressed or
//     not ([Decompress]), read at the start of a body or while the caller
//     reads it ([Watch]);
//   - gRPC statuses in headers and trailers ([HeaderStatus]), with
//     grpc-status-details-bin decoded as google.rpc.Status
//     ([ParseStatusProto], with protowire);
//   - bounded reads of error bodies that put what they read back
//     ([PeekAll]) and bounded drains of discarded responses ([Drain]).
//
// Statuses use the gRPC code numbering and are what connect-go reports for
// the same bytes: a malformed status is a [Status] with code Internal or
// Unknown and a "protocol error" message, never a Go error.
//
// Nothing here buffers a message: a body is read ahead only to its first
// frame header (and a small end frame), an error body only up to a bound
// the caller gives.
package wire
