package authn

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"github.com/authwire/authwire/errs"
)

// defaultRedirectURI is flytekit's redirect URI, used when the server
// publishes none.
const defaultRedirectURI = "http://localhost:53593/callback"

// callbackResult is what the login callback brought: a code, or why not.
type callbackResult struct {
	code string
	err  error
}

// callbackServer receives the authorization redirect of one PKCE login on a
// loopback address (RFC 8252 section 7.3). It answers every request; the
// first request to the callback path that carries a code, an error or a
// state ends the login.
type callbackServer struct {
	redirectURI string // as sent to the server: the port actually bound
	path        string
	state       string
	results     chan callbackResult // capacity 1: the first answer wins
	srv         *http.Server
}

// startCallback listens where redirectURI points: its port on 127.0.0.1 and,
// if it can, ::1 for "localhost", else its literal loopback address. Port 0
// picks a free port, which the returned server's redirectURI carries.
func startCallback(ctx context.Context, redirectURI, state string, log *slog.Logger) (*callbackServer, error) {
	u, err := url.Parse(redirectURI)
	if err != nil || u.Scheme != "http" || !isLoopback(u.Hostname()) {
		return nil, &errs.Error{
			Code: errs.InvalidArgument, Op: "authn",
			Message: "redirect URI " + truncate(redirectURI, 200) + " is not a loopback http URL, so the login callback cannot be received here",
			Hint:    "register a redirect URI such as " + defaultRedirectURI + " for the client",
		}
	}
	hosts := []string{u.Hostname()}
	if u.Hostname() == "localhost" {
		hosts = []string{"127.0.0.1", "::1"}
	}
	port := u.Port()
	if port == "" {
		port = "80"
	}
	var lc net.ListenConfig
	var lns []net.Listener
	for i, h := range hosts {
		ln, err := lc.Listen(ctx, "tcp", net.JoinHostPort(h, port))
		if err != nil {
			if i == 0 {
				return nil, listenError(err, port, redirectURI)
			}
			log.LogAttrs(ctx, slog.LevelDebug, "authn: login callback not on "+h, slog.String("error", err.Error()))
			continue
		}
		if port == "0" {
			_, port, _ = net.SplitHostPort(ln.Addr().String())
			u.Host = net.JoinHostPort(u.Hostname(), port)
		}
		lns = append(lns, ln)
	}
	c := &callbackServer{
		redirectURI: u.String(),
		path:        u.EscapedPath(),
		state:       state,
		results:     make(chan callbackResult, 1),
	}
	if c.path == "" {
		c.path = "/"
	}
	c.srv = &http.Server{Handler: c, ReadHeaderTimeout: 10 * time.Second}
	for _, ln := range lns {
		go func() { _ = c.srv.Serve(ln) }() // returns ErrServerClosed at close
	}
	return c, nil
}

func listenError(err error, port, redirectURI string) error {
	e := &errs.Error{
		Code: errs.Unauthenticated, Op: "authn",
		Message: "cannot receive the login callback on port " + port + " (redirect URI " + redirectURI + ")",
		Err:     err,
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		e.Message = "port " + port + " of the login callback is in use (redirect URI " + redirectURI + ")"
		e.Err = nil
		e.Hint = "another login may be waiting there: finish or close it, or stop the program holding the port"
	}
	return e
}

// close stops the server once the answer page has been written.
func (c *callbackServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if c.srv.Shutdown(ctx) != nil {
		c.srv.Close()
	}
}

func (c *callbackServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.EscapedPath() != c.path || r.Method != http.MethodGet {
		http.NotFound(w, r) // favicon and the like: not the answer
		return
	}
	q := r.URL.Query()
	state, code, oerr := q.Get("state"), q.Get("code"), q.Get("error")
	var res callbackResult
	var p page
	status := http.StatusBadRequest
	switch {
	case state == "" && code == "" && oerr == "":
		p = page{Title: "Nothing to do here", Message: "This address receives the answer of a login, and this request carried none."}
		render(w, status, p)
		return
	case state != c.state && (state != "" || oerr == ""):
		res.err = &errs.Error{Code: errs.Unauthenticated, Op: "authn", Err: ErrStateMismatch, Hint: "start the login again and finish it in the browser tab it opens"}
		p = page{Title: "Login rejected", Message: "This answer does not belong to the login in progress (its state does not match), so it was rejected. Start the login again from your program."}
	case oerr != "":
		oe := errs.NewOAuthError(oerr, q.Get("error_description"), q.Get("error_uri"))
		res.err = errs.FromOAuth("authn", "the login was refused", oe)
		p = page{Title: "Login failed", Message: "The authorization server refused the login:", Detail: oe.ErrorCode + ": " + oe.ErrorDescription}
	case code == "":
		res.err = &errs.Error{Code: errs.Unauthenticated, Op: "authn", Message: "the login callback carried no authorization code"}
		p = page{Title: "Login failed", Message: "The answer carried no authorization code."}
	default:
		res.code = code
		status = http.StatusOK
		p = page{Title: "Logged in", Message: "You are logged in. You can close this window and return to your program."}
	}
	select {
	case c.results <- res:
	default:
		status = http.StatusConflict
		p = page{Title: "Login already finished", Message: "This login has already received its answer. You can close this window."}
	}
	render(w, status, p)
}

// page is an answer page; html/template escapes every field.
type page struct {
	Title, Message, Detail string
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body style="font-family: sans-serif; margin: 3em; max-width: 40em">
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
{{with .Detail}}<pre style="white-space: pre-wrap">{{.}}</pre>{{end}}
</body>
</html>
`))

func render(w http.ResponseWriter, status int, p page) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer") // the URL held the code
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(status)
	_ = pageTemplate.Execute(w, p) // a browser that went away needs no page
}
