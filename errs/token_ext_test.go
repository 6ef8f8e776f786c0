package errs_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/authwire/authwire/errs"
)

// tokenLayer stands for the bearer layer: it asks the token endpoint for a
// token before every call, and reports a refusal the way the stack does.
type tokenLayer struct {
	tokenURL, clientID, clientSecret string
	next                             http.RoundTripper
}

func (l *tokenLayer) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		defer req.Body.Close()
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	treq, err := http.NewRequestWithContext(req.Context(), http.MethodPost, l.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	treq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	treq.SetBasicAuth(l.clientID, l.clientSecret)
	resp, err := l.next.RoundTrip(treq)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if ferr := errs.FromResponse(resp); ferr != nil {
		return nil, &errs.Error{Code: errs.CodeOf(ferr), Op: "authn",
			Message: fmt.Sprintf("token request for client %q rejected", l.clientID), Err: ferr}
	}
	return nil, errors.New("unused in this test")
}

func TestTokenEndpointRefusalIsNotRetried(t *testing.T) {
	t.Parallel()
	clientSecret := secret(t, "cs-")
	var hits atomic.Int32
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("WWW-Authenticate", `Basic realm="idp"`)
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":"invalid_client","error_description":"Client authentication failed"}`)
	}))
	t.Cleanup(idp.Close)

	layer := &tokenLayer{tokenURL: idp.URL + "/oauth2/token", clientID: "my-app", clientSecret: clientSecret, next: http.DefaultTransport}
	client := &http.Client{Transport: errs.NewRetryTransport(layer, errs.Policy{Clock: newFakeClock(true)})}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://flyte.test/api/v1/projects", nil)
	_, err := client.Do(req)
	if err == nil {
		t.Fatal("the call succeeded")
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
	if errs.KindOf(err) != errs.KindAuthentication || !errors.Is(err, errs.ErrUnauthenticated) {
		t.Errorf("kind %v, want Authentication: %v", errs.KindOf(err), err)
	}
	oe, ok := errors.AsType[*errs.OAuthError](err)
	if !ok || oe.ErrorCode != "invalid_client" || oe.ErrorDescription != "Client authentication failed" {
		t.Errorf("OAuth cause %+v", oe)
	}
	msg := err.Error()
	for _, want := range []string{`"my-app"`, "invalid_client", "clientId"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	noSecrets(t, err, clientSecret)
}
