package authn

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/authwire/authwire/errs"
)

// maxAnswer bounds an answer of the device authorization or token endpoint
// read during a device login (x/oauth2 bounds the answers it reads alike).
const maxAnswer = 1 << 20

// errAnswerTooLarge is the cause of an answer longer than maxAnswer; it
// ends the device login at once.
var errAnswerTooLarge = fmt.Errorf("the server answered with more than %d bytes", maxAnswer)

// deviceAuthorization is a device authorization answer (RFC 8628 section
// 3.2).
type deviceAuthorization struct {
	DeviceCode              string      `json:"device_code"`
	UserCode                string      `json:"user_code"`
	VerificationURI         string      `json:"verification_uri"`
	VerificationURL         string      `json:"verification_url"` // a common misspelling
	VerificationURIComplete string      `json:"verification_uri_complete"`
	ExpiresIn               json.Number `json:"expires_in"`
	Interval                json.Number `json:"interval"`
}

// authorize asks the device authorization endpoint for a device code. It
// is x/oauth2's Config.DeviceAuth with the request bound to ctx and
// tokenRequestTimeout, the answer read at most maxAnswer bytes, and the
// body closed. A refusal is an *oauth2.RetrieveError, for requestError.
func (d *deviceLogin) authorize(ctx context.Context, ls *loginSettings) (*oauth2.DeviceAuthResponse, error) {
	form := url.Values{"client_id": {ls.conf.ClientID}}
	if len(ls.conf.Scopes) > 0 {
		form.Set("scope", strings.Join(ls.conf.Scopes, " "))
	}
	if ls.audience != "" {
		form.Set("audience", ls.audience)
	}
	ctx, cancel := context.WithTimeout(ctx, tokenRequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ls.conf.Endpoint.DeviceAuthURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := d.client().Do(req)
	if err != nil {
		return nil, err
	}
	body, err := readAnswer(resp)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		re := &oauth2.RetrieveError{Response: resp, Body: body}
		if oe, ok := errs.ParseOAuthError(body); ok {
			re.ErrorCode, re.ErrorDescription, re.ErrorURI = oe.ErrorCode, oe.ErrorDescription, oe.ErrorURI
		}
		return nil, re
	}
	var a deviceAuthorization
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("the device authorization endpoint answered HTTP %s with no JSON", resp.Status)
	}
	da := &oauth2.DeviceAuthResponse{
		DeviceCode: a.DeviceCode, UserCode: a.UserCode,
		VerificationURI: a.VerificationURI, VerificationURIComplete: a.VerificationURIComplete,
	}
	if da.VerificationURI == "" {
		da.VerificationURI = a.VerificationURL
	}
	if secs, err := a.ExpiresIn.Int64(); err == nil && secs > 0 && secs < 1<<31 {
		da.Expiry = time.Now().Add(time.Duration(secs) * time.Second)
	}
	if secs, err := a.Interval.Int64(); err == nil {
		da.Interval = secs
	}
	return da, nil
}

// client is the session, or http.DefaultClient without one.
func (d *deviceLogin) client() *http.Client {
	if d.session == nil {
		return http.DefaultClient
	}
	return d.session
}

// readAnswer reads resp's body, at most maxAnswer bytes, and closes it.
func readAnswer(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	body, tooLarge, err := readBounded(resp.Body, maxAnswer)
	switch {
	case err != nil:
		return nil, err
	case tooLarge:
		return nil, errAnswerTooLarge
	}
	return body, nil
}
