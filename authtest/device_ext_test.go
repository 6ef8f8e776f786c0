package authtest_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/authwire/authwire/authtest"
)

// startDevice begins a device login for the public client with x/oauth2.
func startDevice(t *testing.T, srv *authtest.Server) *oauth2.DeviceAuthResponse {
	t.Helper()
	da, err := oauthConfig(srv, "").DeviceAuth(oauthContext(t, srv), oauth2.SetAuthURLParam("audience", srv.URL()))
	if err != nil {
		t.Fatalf("device authorization: %v", err)
	}
	return da
}

// pollForm is a device code poll from the public client.
func pollForm(deviceCode string) url.Values {
	return url.Values{"grant_type": {deviceGrant}, "device_code": {deviceCode}, "client_id": {publicClient}}
}

// polls polls deviceCode n times and returns the error code of each answer,
// "" for a token.
func polls(t *testing.T, srv *authtest.Server, deviceCode string, n int) []string {
	t.Helper()
	var got []string
	for range n {
		res := postForm(t, srv, srv.TokenURL(), pollForm(deviceCode))
		var answer struct {
			errorAnswer
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		}
		decodeJSON(t, res.Body, &answer)
		switch {
		case res.StatusCode == http.StatusOK && answer.AccessToken != "" && answer.RefreshToken != "":
			got = append(got, "")
		case res.StatusCode == http.StatusBadRequest && answer.Error != "":
			got = append(got, answer.Error)
		default:
			t.Fatalf("poll answer: %d %+v", res.StatusCode, answer)
		}
	}
	return got
}

func TestDeviceFlow(t *testing.T) {
	t.Parallel()
	eachTransport(t, nil, func(t *testing.T, srv *authtest.Server) {
		srv.SetDevicePending(3)
		before := time.Now()
		da := startDevice(t, srv)
		if !regexp.MustCompile(`^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$`).MatchString(da.UserCode) {
			t.Errorf("user code %q", da.UserCode)
		}
		if da.DeviceCode == "" || da.VerificationURI != srv.URL()+"/oauth2/device" || da.Interval != 5 ||
			da.VerificationURIComplete != da.VerificationURI+"?user_code="+da.UserCode {
			t.Errorf("device authorization = %+v", da)
		}
		if left := da.Expiry.Sub(before); left < 590*time.Second || left > 601*time.Second {
			t.Errorf("device code lifetime %v, want 600s", left)
		}

		pending := "authorization_pending"
		if diff := cmp.Diff([]string{pending, pending, pending, "", "invalid_grant"}, polls(t, srv, da.DeviceCode, 5)); diff != "" {
			t.Errorf("poll answers (-want +got):\n%s", diff)
		}
		want := authtest.Counters{DeviceAuthorizations: 1, TokenRequests: 5, DevicePolls: 5, DeviceGrants: 1, TokensIssued: 1}
		if diff := cmp.Diff(want, srv.Counters()); diff != "" {
			t.Errorf("counters (-want +got):\n%s", diff)
		}

		page := fetchWith(t, srv.HTTPClient(), da.VerificationURIComplete)
		if body := readBody(t, page); page.StatusCode != http.StatusOK || !strings.Contains(body, da.UserCode) {
			t.Errorf("verification page: %d %s", page.StatusCode, body)
		}
	})
}

func TestDeviceTokensWork(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C())
	da := startDevice(t, srv)
	res := postForm(t, srv, srv.TokenURL(), pollForm(da.DeviceCode))
	var tok fullTokenAnswer
	decodeJSON(t, res.Body, &tok)
	if res.StatusCode != http.StatusOK || tok.RefreshToken == nil || tok.Scope != publicScopes || tok.TokenType != "Bearer" {
		t.Fatalf("first poll: %d %+v", res.StatusCode, tok)
	}
	if _, err := unary(t, authtest.NewTestClient(srv.HTTPClient(), srv.URL()), bearer(tok.AccessToken)); err != nil {
		t.Errorf("access token: %v", err)
	}
	if res := postForm(t, srv, srv.TokenURL(), refreshForm(*tok.RefreshToken)); res.StatusCode != http.StatusOK {
		t.Errorf("refresh: status %d", res.StatusCode)
	}
}

func TestDeviceScripts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		script []authtest.DevicePoll
		want   []string
	}{
		{"approve at once", nil, []string{"", "invalid_grant"}},
		{"denied", []authtest.DevicePoll{authtest.DevicePending, authtest.DeviceDenied}, []string{"authorization_pending", "access_denied", "access_denied"}},
		{"expired", []authtest.DevicePoll{authtest.DeviceExpired}, []string{"expired_token", "expired_token"}},
		{"slow down in the script", []authtest.DevicePoll{authtest.DeviceSlowDown, authtest.DevicePending, authtest.DeviceApprove, authtest.DeviceDenied}, []string{"slow_down", "authorization_pending", "", "invalid_grant"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := authtest.New(t, authtest.WithH2C())
			srv.SetDeviceScript(tt.script...)
			da := startDevice(t, srv)
			srv.SetDeviceScript() // codes issued before keep their script
			if diff := cmp.Diff(tt.want, polls(t, srv, da.DeviceCode, len(tt.want))); diff != "" {
				t.Errorf("poll answers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeviceSlowDownKnob(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C())
	srv.SetDevicePending(1)
	a, b := startDevice(t, srv), startDevice(t, srv)
	srv.SlowDownDevicePolls(2)
	got := append(polls(t, srv, a.DeviceCode, 1), polls(t, srv, b.DeviceCode, 1)...)
	// Slowed-down polls do not advance the script.
	got = append(got, polls(t, srv, a.DeviceCode, 2)...)
	want := []string{"slow_down", "slow_down", "authorization_pending", ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("poll answers (-want +got):\n%s", diff)
	}
	srv.SlowDownDevicePolls(5)
	srv.SlowDownDevicePolls(0)
	if diff := cmp.Diff([]string{"authorization_pending", ""}, polls(t, srv, b.DeviceCode, 2)); diff != "" {
		t.Errorf("after cancelling (-want +got):\n%s", diff)
	}
}

func TestDeviceCodeExpiresOnTheClock(t *testing.T) {
	t.Parallel()
	clock := authtest.NewClock(time.Date(2032, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := authtest.New(t, authtest.WithH2C(), authtest.WithClock(clock.Now))
	srv.SetDevicePending(100)
	da := startDevice(t, srv)
	clock.Advance(599 * time.Second)
	clock.Advance(time.Second)
	if diff := cmp.Diff([]string{"expired_token", "expired_token"}, polls(t, srv, da.DeviceCode, 2)); diff != "" {
		t.Errorf("poll answers (-want +got):\n%s", diff)
	}
	// Expiry comes before a pending slow-down.
	srv.SlowDownDevicePolls(1)
	if got := polls(t, srv, da.DeviceCode, 1); got[0] != "expired_token" {
		t.Errorf("expired code while slowing down: %s", got[0])
	}
}

func TestDeviceInterval(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		d    time.Duration
		want int64
	}{{0, 0}, {1500 * time.Millisecond, 2}, {time.Minute, 60}} {
		srv := authtest.New(t, authtest.WithH2C(), authtest.WithDeviceInterval(tt.d))
		res := postForm(t, srv, srv.URL()+"/oauth2/device/auth", url.Values{"client_id": {publicClient}})
		var raw map[string]any
		decodeJSON(t, res.Body, &raw)
		interval, ok := raw["interval"]
		switch {
		case tt.want == 0 && ok:
			t.Errorf("%v: interval %v, want none", tt.d, interval)
		case tt.want != 0 && interval != float64(tt.want):
			t.Errorf("%v: interval %v, want %d", tt.d, interval, tt.want)
		}
	}
	if _, err := authtest.Start(authtest.WithDeviceInterval(-time.Second)); err == nil {
		t.Error("negative interval accepted")
	}
}

func TestDeviceRefusals(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C())
	auth := srv.URL() + "/oauth2/device/auth"
	wantOAuthError(t, "device authorization without client", postForm(t, srv, auth, url.Values{"scope": {"all"}}), 401, "invalid_client")
	wantOAuthError(t, "device authorization by an unknown client", postForm(t, srv, auth, url.Values{"client_id": {"x"}}), 401, "invalid_client")
	if res := get(t, srv, auth, nil); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET device authorization: status %d", res.StatusCode)
	}
	da := startDevice(t, srv)
	checkRefusals(t, srv, func(*testing.T) url.Values { return pollForm(da.DeviceCode) }, []refusal{
		{"no client", func(v url.Values) { v.Del("client_id") }, nil, 401, "invalid_client"},
		{"another client", func(v url.Values) { v.Del("client_id") }, basicCredentials(srv), 400, "invalid_grant"},
		{"no device code", func(v url.Values) { v.Del("device_code") }, nil, 400, "invalid_request"},
		{"unknown device code", func(v url.Values) { v.Set("device_code", "nope") }, nil, 400, "invalid_grant"},
	})
	// None of the refused polls used the code up.
	if got := polls(t, srv, da.DeviceCode, 1); got[0] != "" {
		t.Errorf("poll after the refusals: %s", got[0])
	}
}

func TestDeviceConfidentialClient(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C())
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL()+"/oauth2/device/auth", strings.NewReader("scope=all"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	secret, _ := basicCredentials(srv).Password()
	req.SetBasicAuth(basicCredentials(srv).Username(), secret)
	res, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var da struct {
		DeviceCode string `json:"device_code"`
	}
	decodeJSON(t, res.Body, &da)
	poll := url.Values{"grant_type": {deviceGrant}, "device_code": {da.DeviceCode}}
	if res := postToken(t, srv, poll, basicCredentials(srv), nil); res.StatusCode != http.StatusOK {
		t.Errorf("poll by the confidential client: status %d", res.StatusCode)
	}
}

func TestFailTokenRequestsAppliesToDevicePolls(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C())
	da := startDevice(t, srv)
	srv.FailTokenRequests(1, http.StatusBadGateway, "bad gateway")
	if res := postForm(t, srv, srv.TokenURL(), pollForm(da.DeviceCode)); res.StatusCode != http.StatusBadGateway {
		t.Errorf("failed poll: status %d", res.StatusCode)
	}
	if got := polls(t, srv, da.DeviceCode, 1); got[0] != "" {
		t.Errorf("poll after the failure: %s", got[0])
	}
	if c := srv.Counters(); c.TokenRequests != 2 || c.DevicePolls != 1 || c.DeviceGrants != 1 {
		t.Errorf("TokenRequests = %d, DevicePolls = %d, DeviceGrants = %d", c.TokenRequests, c.DevicePolls, c.DeviceGrants)
	}
}

func TestDevicePollString(t *testing.T) {
	t.Parallel()
	want := map[authtest.DevicePoll]string{
		authtest.DeviceApprove:  "approve",
		authtest.DevicePending:  "authorization_pending",
		authtest.DeviceSlowDown: "slow_down",
		authtest.DeviceExpired:  "expired_token",
		authtest.DeviceDenied:   "access_denied",
		authtest.DevicePoll(42): "DevicePoll(42)",
	}
	for p, s := range want {
		if p.String() != s {
			t.Errorf("%d: %q, want %q", int(p), p.String(), s)
		}
	}
}
