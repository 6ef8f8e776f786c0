package resource

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Introspection returns an [Introspector] that asks endpoint (RFC 7662)
// through client, authenticating with HTTP Basic (form-encoded id and
// secret) when clientID is not empty.
func Introspection(client *http.Client, endpoint, clientID, clientSecret string) Introspector {
	if client == nil {
		client = &http.Client{Transport: &http.Transport{Proxy: nil}}
	}
	return func(ctx context.Context, token string) (bool, error) {
		form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
		if err != nil {
			return false, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		if clientID != "" {
			req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(clientSecret))
		}
		resp, err := client.Do(req)
		if err != nil {
			return false, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if err != nil {
			return false, err
		}
		if resp.StatusCode != http.StatusOK {
			return false, fmt.Errorf("resource: introspection answered %s: %.200s", resp.Status, body)
		}
		var answer struct {
			Active bool `json:"active"`
		}
		if err := json.Unmarshal(body, &answer); err != nil {
			return false, fmt.Errorf("resource: introspection answer: %w", err)
		}
		return answer.Active, nil
	}
}
