package authtest

import (
	"crypto/rand"
	"fmt"
	"html"
	"math"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// deviceCodeGrantType is the grant_type of device code polls (RFC 8628
// section 3.4).
const deviceCodeGrantType = "urn:ietf:params:oauth:grant-type:device_code"

// deviceCodeLifetime is the expires_in of device codes.
const deviceCodeLifetime = 10 * time.Minute

// A DevicePoll is how the token endpoint answers one poll of a device code
// (RFC 8628 section 3.5); see [Server.SetDeviceScript].
type DevicePoll int

const (
	// DeviceApprove issues an access and a refresh token: the user
	// approved. Later polls with the code fail with invalid_grant.
	DeviceApprove DevicePoll = iota
	// DevicePending answers authorization_pending: the user has not
	// answered yet.
	DevicePending
	// DeviceSlowDown answers slow_down.
	DeviceSlowDown
	// DeviceExpired answers expired_token, to this poll and every later one.
	DeviceExpired
	// DeviceDenied answers access_denied, to this poll and every later one.
	DeviceDenied
)

// String returns the error code the poll answers, or "approve".
func (p DevicePoll) String() string {
	switch p {
	case DeviceApprove:
		return "approve"
	case DevicePending:
		return "authorization_pending"
	case DeviceSlowDown:
		return "slow_down"
	case DeviceExpired:
		return "expired_token"
	case DeviceDenied:
		return "access_denied"
	}
	return fmt.Sprintf("DevicePoll(%d)", int(p))
}

// deviceCode is an issued device code and its state.
type deviceCode struct {
	clientID string
	scope    string
	expiry   time.Time
	script   []DevicePoll // answers still to give, then approve
	ended    DevicePoll   // DeviceExpired or DeviceDenied once either was given
	redeemed bool         // tokens were issued
}

// deviceStore holds the device codes and the device knobs. It is safe for
// concurrent use.
type deviceStore struct {
	mu       sync.Mutex
	codes    map[string]*deviceCode
	script   []DevicePoll // copied into each new code
	slowDown int          // polls still to answer slow_down, any code
}

// issue stores a new device code for clientID and scope.
func (s *deviceStore) issue(clientID, scope string, expiry time.Time) string {
	code := randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.codes == nil {
		s.codes = make(map[string]*deviceCode)
	}
	s.codes[code] = &deviceCode{clientID: clientID, scope: scope, expiry: expiry, script: slices.Clone(s.script)}
	return code
}

// poll answers one poll of code by clientID at now: the scope to issue
// tokens for, or the error to answer.
func (s *deviceStore) poll(code, clientID string, now time.Time) (string, *oauthError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.codes[code]
	switch {
	case !ok:
		return "", invalidGrant("unknown device code")
	case c.clientID != clientID:
		return "", invalidGrant("device code was issued to another client")
	case c.redeemed:
		return "", invalidGrant("device code was already used")
	case c.ended != DeviceApprove:
		return "", devicePollError(c.ended)
	case !now.Before(c.expiry):
		c.ended = DeviceExpired
		return "", devicePollError(c.ended)
	case s.slowDown > 0:
		s.slowDown--
		return "", devicePollError(DeviceSlowDown)
	}
	answer := DeviceApprove
	if len(c.script) > 0 {
		answer, c.script = c.script[0], c.script[1:]
	}
	switch answer {
	case DeviceApprove:
		c.redeemed = true
		return c.scope, nil
	case DeviceExpired, DeviceDenied:
		c.ended = answer
	}
	return "", devicePollError(answer)
}

func devicePollError(p DevicePoll) *oauthError {
	descriptions := map[DevicePoll]string{
		DevicePending:  "the user has not answered yet",
		DeviceSlowDown: "polling too fast",
		DeviceExpired:  "the device code expired",
		DeviceDenied:   "the user denied the request",
	}
	return &oauthError{status: http.StatusBadRequest, Code: p.String(), Description: descriptions[p]}
}

// deviceAuthResponse is the device authorization answer of RFC 8628
// section 3.2.
type deviceAuthResponse struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete"`
	ExpiresIn               int64  `json:"expires_in"`
	Interval                int64  `json:"interval,omitempty"`
}

// deviceAuthorization is the device authorization endpoint (RFC 8628
// section 3.1). The client must identify itself (client_id) or, if
// confidential, authenticate; scope is granted as asked and audience is
// accepted and ignored.
func (s *Server) deviceAuthorization(w http.ResponseWriter, r *http.Request) {
	s.counters.inc(&s.counters.deviceAuthorizations)
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		(&oauthError{status: http.StatusBadRequest, Code: "invalid_request", Description: "malformed form body"}).write(w)
		return
	}
	clientID, oerr := s.requireClient(r)
	if oerr != nil {
		oerr.write(w)
		return
	}
	userCode := newUserCode()
	verify := s.url + deviceVerifyPath
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, deviceAuthResponse{
		DeviceCode:              s.devices.issue(clientID, r.PostForm.Get("scope"), s.set.now().Add(deviceCodeLifetime)),
		UserCode:                userCode,
		VerificationURI:         verify,
		VerificationURIComplete: verify + "?" + url.Values{"user_code": {userCode}}.Encode(),
		ExpiresIn:               int64(deviceCodeLifetime / time.Second),
		Interval:                int64(math.Ceil(s.set.deviceInterval.Seconds())),
	})
}

// deviceCodeGrant answers a device code poll (RFC 8628 section 3.4) as the
// code's script and the slow-down knob say: an error of section 3.5, or an
// access and a refresh token.
func (s *Server) deviceCodeGrant(w http.ResponseWriter, r *http.Request) {
	s.counters.inc(&s.counters.devicePolls)
	clientID, oerr := s.requireClient(r)
	var code, scope string
	if oerr == nil {
		code, oerr = requiredParam(r, "device_code")
	}
	if oerr == nil {
		scope, oerr = s.devices.poll(code, clientID, s.set.now())
	}
	if oerr != nil {
		oerr.write(w)
		return
	}
	_, access, refresh := s.tokens.startGrant(clientID, scope)
	s.counters.inc(&s.counters.deviceGrants)
	s.writeTokens(w, tokenResponse{AccessToken: access, RefreshToken: refresh, Scope: scope})
}

// deviceVerification is the page verification_uri points to. Approval
// needs no visit: the page only shows the user code it was given.
func (s *Server) deviceVerification(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><title>Device login</title></head><body><h1>Device login</h1><p>authtest approves device codes by itself. User code: %s</p></body></html>\n",
		html.EscapeString(r.URL.Query().Get("user_code")))
}

// userCodeAlphabet has no vowels, so user codes spell no words (RFC 8628
// section 6.1).
const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

// newUserCode returns a random user code such as "WDJB-MJHT".
func newUserCode() string {
	b := make([]byte, 0, 9)
	for i := range 8 {
		if i == 4 {
			b = append(b, '-')
		}
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(userCodeAlphabet))))
		if err != nil {
			n = big.NewInt(int64(i)) // crypto/rand does not fail on supported platforms
		}
		b = append(b, userCodeAlphabet[n.Int64()])
	}
	return string(b)
}

// SetDeviceScript sets how the token endpoint answers the polls of device
// codes issued after the call: the i-th poll of a code answers polls[i],
// and once the script is used up the code is approved. DeviceExpired and
// DeviceDenied end a code. With no polls (the default) a code is approved at
// its first poll. Codes also expire on the server's clock after their
// expires_in (600 seconds), and [Server.SlowDownDevicePolls] comes first.
// Safe for concurrent use.
func (s *Server) SetDeviceScript(polls ...DevicePoll) {
	s.devices.mu.Lock()
	defer s.devices.mu.Unlock()
	s.devices.script = slices.Clone(polls)
}

// SetDevicePending makes device codes issued after the call answer
// authorization_pending n times before they are approved: shorthand for
// [Server.SetDeviceScript] with n DevicePending. Safe for concurrent use.
func (s *Server) SetDevicePending(n int) {
	s.SetDeviceScript(slices.Repeat([]DevicePoll{DevicePending}, max(n, 0))...)
}

// SlowDownDevicePolls makes the next k device code polls, of any live code,
// answer slow_down before any script answer; such polls do not advance the
// code's script. k <= 0 cancels pending slow-downs. Safe for concurrent use.
func (s *Server) SlowDownDevicePolls(k int) {
	s.devices.mu.Lock()
	defer s.devices.mu.Unlock()
	s.devices.slowDown = max(k, 0)
}
