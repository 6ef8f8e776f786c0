package transport_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/transport"
)

// closingServer accepts HTTP/1.1 connections on loopback and closes each one
// after reading a whole request, without answering, so every call ends in
// net/http's io.EOF.
func closingServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if req, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
				_, _ = io.Copy(io.Discard, req.Body)
			}
			c.Close()
		}
	}()
	return ln.Addr().String()
}

// TestConnectionClosedKeepsTheStackError: a server that closes the
// connection makes net/http report io.EOF, which connect-go turns into
// io.ErrUnexpectedEOF, dropping the error it was given; the bridged error
// hides the io.EOF so that connect clients of both versions keep the
// stack's *errs.Error, its hint and its code.
func TestConnectionClosedKeepsTheStackError(t *testing.T) {
	t.Parallel()
	addr := closingServer(t)
	cfg := &config.Platform{Endpoint: "http://" + addr, Insecure: true, AuthType: config.AuthNone}
	// HTTP/1.1, whose transport reports a connection closed before the
	// response as io.EOF.
	base := &http.Transport{}
	t.Cleanup(base.CloseIdleConnections)
	c := newClient(t, cfg, noRetries, transport.WithBaseTransport(base))
	for _, version := range []struct {
		name  string
		calls map[string]rpcCall
	}{{"v1", callsV1}, {"v2", callsV2}} {
		t.Run(version.name, func(t *testing.T) {
			t.Parallel()
			err := version.calls["unary"](t.Context(), c, "http://"+addr, "connect")
			assertCodesAgree(t, err, errs.Unavailable)
			if e, _ := errors.AsType[*errs.Error](err); e == nil || e.Hint == "" || e.Protocol != errs.ProtocolConnect {
				t.Errorf("the stack's error, its hint or its protocol is lost: %v", err)
			}
		})
	}
}
