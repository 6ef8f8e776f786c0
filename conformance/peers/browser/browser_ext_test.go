package browser_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/authwire/authwire/conformance/peers/browser"
)

// TestVisitSubmitsForms walks a login form, a consent form whose hidden
// input sits outside it (form attribute), and a final page, keeping the
// session cookie throughout.
func TestVisitSubmitsForms(t *testing.T) {
	t.Parallel()
	var login, consent url.Values
	mux := http.NewServeMux()
	mux.HandleFunc("GET /start", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "s1"})
		w.Write([]byte(`<html><body><form action="/login" method="post">
			<input type="hidden" name="step" value="login">
			<input type="text" name="user"><input type="password" name="pw">
			<button type="submit" name="abort" value="yes">Abort</button>
		</form><form action="/other"><input name="ignored" value="x"></form></body></html>`))
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("session"); err != nil || c.Value != "s1" {
			http.Error(w, "no session", http.StatusForbidden)
			return
		}
		r.ParseForm()
		login = r.PostForm
		http.Redirect(w, r, "/consent", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /consent", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<form id="c" method="post" action="/consent"></form><input form="c" type="hidden" name="confirm" value="yes">`))
	})
	mux.HandleFunc("POST /consent", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		consent = r.PostForm
		http.Redirect(w, r, "/done", http.StatusFound)
	})
	mux.HandleFunc("GET /done", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<p>done</p>")) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	b := browser.New("alice", "pw-1", nil)
	final, page, err := b.Visit(t.Context(), srv.URL+"/start")
	if err != nil {
		t.Fatalf("Visit: %v (pages %q)", err, b.Pages)
	}
	if final.Path != "/done" || page != "<p>done</p>" {
		t.Fatalf("ended at %s with %q", final, page)
	}
	if login.Get("user") != "alice" || login.Get("pw") != "pw-1" || login.Get("step") != "login" || login.Has("abort") || login.Has("ignored") {
		t.Errorf("login form sent %v", login)
	}
	if consent.Get("confirm") != "yes" {
		t.Errorf("consent form sent %v", consent)
	}
}

func TestVisitReportsErrorPages(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "denied", http.StatusForbidden)
	}))
	t.Cleanup(srv.Close)
	if _, _, err := browser.New("a", "b", nil).Visit(t.Context(), srv.URL); err == nil {
		t.Fatal("a 403 page was not an error")
	}
}
