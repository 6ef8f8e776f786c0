package authn

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/authwire/authwire/errs"
)

const (
	// defaultDeviceTimeout bounds a device login when
	// deviceFlowConfig.timeout is not set (the server's expires_in may end
	// it sooner).
	defaultDeviceTimeout = 10 * time.Minute
	// defaultDeviceInterval is the polling interval when neither the server
	// nor deviceFlowConfig.pollInterval sets one (RFC 8628 section 3.2).
	defaultDeviceInterval = 5 * time.Second
	// slowDownStep is added to the interval on each slow_down (RFC 8628
	// section 3.5).
	slowDownStep = 5 * time.Second
	// maxTransientPolls is how many failed polls in a row (network errors,
	// 5xx, answers that are not JSON) end the login.
	maxTransientPolls = 5
)

// deviceGrantType is the grant type of the device access token request.
const deviceGrantType = "urn:ietf:params:oauth:grant-type:device_code"

// deviceLogin is the device authorization grant (RFC 8628): flytekit's
// DeviceCodeAuthenticator. The user approves on any device; this program
// polls the token endpoint meanwhile.
type deviceLogin struct {
	session  *http.Client
	prompt   io.Writer
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error
	timeout  time.Duration
	interval time.Duration // deviceFlowConfig.pollInterval; 0 = the server's
}

// login asks for a device code, tells the user where to approve it, and
// polls until the token arrives, the user or the server refuses, or the
// deadline (the sooner of expires_in and d.timeout, on d.now) passes.
func (d *deviceLogin) login(ctx context.Context, ls *loginSettings) (*oauth2.Token, error) {
	if ls.conf.Endpoint.DeviceAuthURL == "" {
		return nil, &errs.Error{
			Code: errs.InvalidArgument, Op: "authn",
			Message: "device flow not offered by the server: it publishes no device_authorization_endpoint",
			Hint:    "use authType Pkce, or ClientSecret for programs without a user",
		}
	}
	var opts []oauth2.AuthCodeOption
	if ls.audience != "" {
		opts = append(opts, oauth2.SetAuthURLParam("audience", ls.audience))
	}
	rctx, cancel := context.WithTimeout(withSession(ctx, d.session), tokenRequestTimeout)
	da, err := ls.conf.DeviceAuth(rctx, opts...)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, requestError(err, "device authorization request", ls.conf.ClientID)
	}
	if da.DeviceCode == "" {
		return nil, &errs.Error{Code: errs.Unauthenticated, Op: "authn", Message: "the device authorization answer carried no device code"}
	}
	limit, expires := d.timeout, false
	if !da.Expiry.IsZero() {
		if left := time.Until(da.Expiry); left < limit {
			limit, expires = left, true
		}
	}
	deadline := d.now().Add(limit)
	d.tellUser(ls.key.Endpoint, da)

	interval := d.interval
	if interval <= 0 {
		interval = time.Duration(da.Interval) * time.Second
	}
	if interval <= 0 {
		interval = defaultDeviceInterval
	}
	for failures := 0; ; {
		if err := d.sleep(ctx, interval); err != nil {
			return nil, err
		}
		if !d.now().Before(deadline) {
			e := &errs.Error{Code: errs.DeadlineExceeded, Op: "authn", Message: fmt.Sprintf("the device login was not approved within %s", limit.Round(time.Second)), Hint: "start the login again and approve it sooner, or raise deviceFlowConfig.timeout"}
			if expires {
				e.Err = errs.ErrDeviceCodeExpired
			}
			return nil, e
		}
		tok, le, err := d.poll(ctx, ls, da.DeviceCode)
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case err != nil:
			if failures++; failures >= maxTransientPolls {
				return nil, &errs.Error{Code: errs.Unavailable, Op: "authn", Message: fmt.Sprintf("the token endpoint failed %d times in a row during the device login", failures), Err: err}
			}
			continue
		case tok != nil:
			return tok, nil
		}
		failures = 0
		switch le.ErrorCode {
		case "authorization_pending":
		case "slow_down":
			interval += slowDownStep
		default: // expired_token, access_denied, or a client error
			return nil, errs.FromOAuth("authn", "the device login was refused", le)
		}
	}
}

// tellUser writes where to approve the login: the complete verification URI
// when the server gives one (the code is in it), else the URI and the code.
func (d *deviceLogin) tellUser(endpoint string, da *oauth2.DeviceAuthResponse) {
	var msg string
	if da.VerificationURIComplete != "" {
		msg = fmt.Sprintf("To log in to %s, open this page in a browser and check that it shows the code %s:\n\n    %s\n\n",
			printable(endpoint), printable(da.UserCode), printable(da.VerificationURIComplete))
	} else {
		msg = fmt.Sprintf("To log in to %s, open %s in a browser and enter the code:\n\n    %s\n\n",
			printable(endpoint), printable(da.VerificationURI), printable(da.UserCode))
	}
	writePrompt(d.prompt, msg)
}

// deviceTokenAnswer is a token endpoint answer with a token (RFC 6749
// section 5.1); errs.ParseOAuthError reads an error answer.
type deviceTokenAnswer struct {
	AccessToken  string      `json:"access_token"`
	TokenType    string      `json:"token_type"`
	RefreshToken string      `json:"refresh_token"`
	ExpiresIn    json.Number `json:"expires_in"`
}

// poll asks the token endpoint once. It returns a token, the server's OAuth2
// error, or a transient failure (network, 5xx, an answer that is neither).
func (d *deviceLogin) poll(ctx context.Context, ls *loginSettings, deviceCode string) (*oauth2.Token, *errs.OAuthError, error) {
	form := url.Values{"grant_type": {deviceGrantType}, "device_code": {deviceCode}, "client_id": {ls.conf.ClientID}}
	ctx, cancel := context.WithTimeout(ctx, tokenRequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ls.conf.Endpoint.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	client := d.session
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, nil, err
	}
	var a deviceTokenAnswer
	if resp.StatusCode >= 500 || json.Unmarshal(body, &a) != nil {
		return nil, nil, fmt.Errorf("token endpoint answered HTTP %s", resp.Status)
	}
	switch {
	case resp.StatusCode == http.StatusOK && a.AccessToken != "":
		tok := &oauth2.Token{AccessToken: a.AccessToken, TokenType: a.TokenType, RefreshToken: a.RefreshToken}
		if secs, err := a.ExpiresIn.Int64(); err == nil && secs > 0 {
			tok.Expiry = d.now().Add(time.Duration(secs) * time.Second)
		}
		var raw map[string]any
		if json.Unmarshal(body, &raw) == nil {
			tok = tok.WithExtra(raw)
		}
		return tok, nil, nil
	}
	if oe, ok := errs.ParseOAuthError(body); ok {
		return nil, oe, nil
	}
	return nil, nil, fmt.Errorf("token endpoint answered HTTP %s with neither a token nor an error", resp.Status)
}
