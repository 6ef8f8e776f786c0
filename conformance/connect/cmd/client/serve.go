//go:build conformancegen

package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"google.golang.org/protobuf/proto"

	conformancev1 "github.com/authwire/authwire/conformance/gen/connectrpc/conformance/v1"
)

// maxMessage bounds one size-prefixed message; the suite's largest requests
// (message-limit cases) are a few MiB.
const maxMessage = 64 << 20

// serve reads requests from in until EOF, runs each with inv on its own
// goroutine (at most parallel at once) and writes every response to out. It returns after
// the last call has finished and its response has been written.
func serve(ctx context.Context, in io.Reader, out io.Writer, s *stacks, inv invoker, parallel int) error {
	w := &responseWriter{w: out}
	slots := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		req := new(conformancev1.ClientCompatRequest)
		if err := readMessage(in, req); err != nil {
			if errors.Is(err, io.EOF) {
				wg.Wait()
				return w.failure()
			}
			return err
		}
		if err := w.failure(); err != nil {
			return err
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			w.write(handle(ctx, s, inv, req))
		})
	}
}

// handle runs one request. A failure to run the call at all (a malformed
// request, a stack that cannot be built) is a ClientErrorResult; everything
// the RPC itself returns is in the ClientResponseResult.
func handle(ctx context.Context, s *stacks, inv invoker, req *conformancev1.ClientCompatRequest) *conformancev1.ClientCompatResponse {
	resp := &conformancev1.ClientCompatResponse{TestName: req.GetTestName()}
	result, err := inv(ctx, s, req)
	if err != nil {
		resp.Result = &conformancev1.ClientCompatResponse_Error{
			Error: &conformancev1.ClientErrorResult{Message: err.Error()},
		}
		return resp
	}
	resp.Result = &conformancev1.ClientCompatResponse_Response{Response: result}
	return resp
}

// readMessage reads one message prefixed by its size as a big-endian uint32.
// A clean EOF before the prefix is io.EOF.
func readMessage(r io.Reader, m proto.Message) error {
	var prefix [4]byte
	if _, err := io.ReadFull(r, prefix[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("client: truncated size prefix: %w", err)
		}
		return err
	}
	size := binary.BigEndian.Uint32(prefix[:])
	if size > maxMessage {
		return fmt.Errorf("client: request of %d bytes exceeds %d", size, maxMessage)
	}
	buf := make([]byte, size)
	if _, err := io.ReadFull(r, buf); err != nil {
		return fmt.Errorf("client: truncated request: %w", io.ErrUnexpectedEOF)
	}
	if err := proto.Unmarshal(buf, m); err != nil {
		return fmt.Errorf("client: malformed request: %w", err)
	}
	return nil
}

// responseWriter writes size-prefixed messages, one at a time, and keeps the
// first write error.
type responseWriter struct {
	mu  sync.Mutex
	w   io.Writer
	err error
}

func (rw *responseWriter) write(m proto.Message) {
	b, err := proto.Marshal(m)
	if err == nil && len(b) > maxMessage {
		err = fmt.Errorf("client: response of %d bytes exceeds %d", len(b), maxMessage)
	}
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.err != nil {
		return
	}
	if err != nil {
		rw.err = err
		return
	}
	frame := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(b)), uint32(len(b)))
	_, rw.err = rw.w.Write(append(frame, b...))
}

func (rw *responseWriter) failure() error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	return rw.err
}
