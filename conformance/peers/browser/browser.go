// Package browser is a scripted user agent for tests of interactive OAuth2
// logins: it follows redirects with a cookie jar and submits the HTML forms
// it meets (login, consent, device confirmation) the way a user clicking
// the default button would, filling in a login and password where asked.
package browser

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"
)

// Browser is one user's browser session. It is not safe for concurrent use.
type Browser struct {
	client   *http.Client
	login    string
	password string
	// Pages lists the URLs of the pages the last Visit went through.
	Pages []string
}

// New returns a browser that signs in as login with password when a page
// asks for them. It trusts the roots of tlsConf (nil: the system's) and
// ignores proxy settings.
func New(login, password string, tlsConf *tls.Config) *Browser {
	jar, _ := cookiejar.New(nil) // never fails without options
	b := &Browser{login: login, password: password}
	b.client = &http.Client{
		Jar:       jar,
		Transport: &http.Transport{Proxy: nil, TLSClientConfig: tlsConf},
		Timeout:   30 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 20 {
				return errors.New("browser: too many redirects")
			}
			b.Pages = append(b.Pages, req.URL.Redacted())
			return nil
		},
	}
	return b
}

// maxForms bounds the forms one Visit submits.
const maxForms = 10

// Visit opens rawURL and submits each page's first form until it reaches a
// page without one, which it returns with the URL it was served from.
func (b *Browser) Visit(ctx context.Context, rawURL string) (final *url.URL, page string, err error) {
	b.Pages = []string{rawURL}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, "", err
	}
	for range maxForms {
		final, page, err = b.do(req)
		if err != nil {
			return final, page, err
		}
		f, ok := firstForm(page)
		if !ok {
			return final, page, nil
		}
		if req, err = b.submit(ctx, final, f); err != nil {
			return final, page, err
		}
	}
	return final, page, fmt.Errorf("browser: more than %d forms from %s", maxForms, rawURL)
}

func (b *Browser) do(req *http.Request) (*url.URL, string, error) {
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.Request.URL, "", err
	}
	if resp.StatusCode >= 400 {
		return resp.Request.URL, string(body), fmt.Errorf("browser: %s answered %s: %.300s", resp.Request.URL.Redacted(), resp.Status, body)
	}
	return resp.Request.URL, string(body), nil
}

// submit builds the request that submitting f from the page at base makes.
func (b *Browser) submit(ctx context.Context, base *url.URL, f form) (*http.Request, error) {
	action, err := base.Parse(f.action)
	if err != nil {
		return nil, fmt.Errorf("browser: form action %q: %w", f.action, err)
	}
	values := url.Values{}
	for _, in := range f.inputs {
		switch {
		case in.typ == "password":
			values.Set(in.name, b.password)
		case in.typ == "text" || in.typ == "email" || (in.typ == "" && in.value == ""):
			if in.value != "" {
				values.Set(in.name, in.value)
			} else {
				values.Set(in.name, b.login)
			}
		default:
			values.Add(in.name, in.value)
		}
	}
	if strings.EqualFold(f.method, http.MethodGet) {
		action.RawQuery = values.Encode()
		return http.NewRequestWithContext(ctx, http.MethodGet, action.String(), nil)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(values.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}

type input struct{ name, typ, value string }

type form struct {
	action, method string
	inputs         []input
}

// firstForm parses the first <form> of page and its <input> elements
// (inside it, or associated with it by a form attribute). Buttons are left
// out: submitting means pressing the default button, which adds nothing.
func firstForm(page string) (form, bool) {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return form{}, false
	}
	var f form
	var found bool
	var formID string
	var walk func(n *html.Node, inForm bool)
	walk = func(n *html.Node, inForm bool) {
		childInForm := inForm
		if n.Type == html.ElementNode {
			switch n.Data {
			case "form":
				childInForm = !found // inputs of later forms are not ours
				if !found {
					found = true
					f.action, f.method, formID = attr(n, "action"), attr(n, "method"), attr(n, "id")
				}
			case "input":
				owner := attr(n, "form")
				if name := attr(n, "name"); name != "" && ((inForm && owner == "") || (formID != "" && owner == formID)) {
					f.inputs = append(f.inputs, input{name: name, typ: strings.ToLower(attr(n, "type")), value: attr(n, "value")})
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, childInForm)
		}
	}
	walk(doc, false)
	return f, found
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
