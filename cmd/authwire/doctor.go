package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/proxyauth"
	"github.com/authwire/authwire/transport"
)

const doctorFlagsHelp = `  --probe PROCEDURE  the unary gRPC procedure of the authenticated call
                    (default /flyteidl.service.AdminService/GetVersion);
                    it is sent an empty request and any answer is accepted
  --timeout D       bound each network check (default 20s); a login has
                    its own timeouts
`

const doctorDescription = `Checks, in order, everything between the configuration and an authenticated
call, and prints one verdict line per step:

  config    the config file is found and valid (and its warnings)
  dns       the endpoint's host resolves (or the HTTP proxy's)
  tcp       a TCP connection opens (through the HTTP proxy, if any)
  tls       the TLS handshake succeeds and the certificate is trusted
  http2     HTTP/2 is negotiated over TLS, or cleartext h2c works (insecure)
  proxy     proxyCommand prints a token and the proxy accepts it
  metadata  the AuthMetadataService answers (gRPC and REST routes)
  token     the configured flow obtains a token
  call      an authenticated gRPC call is accepted

It stops at the first failure and says what to change.`

// defaultProbe is the procedure of the authenticated call: every Flyte admin
// serves it, and it has no side effects.
const defaultProbe = "/flyteidl.service.AdminService/GetVersion"

// step is the verdict of one check.
type step struct {
	Name     string   `json:"name"`
	OK       bool     `json:"ok"`
	Skipped  bool     `json:"skipped,omitempty"`
	Detail   string   `json:"detail"`
	Hint     string   `json:"hint,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// doctorReport is the JSON form of a doctor run.
type doctorReport struct {
	Command string `json:"command"`
	OK      bool   `json:"ok"`
	Config  string `json:"config,omitempty"`
	Steps   []step `json:"steps"`
}

// doctor holds one run of the checks and what each check learns for the
// next ones.
type doctor struct {
	c         *cli
	procedure string // --probe
	timeout   time.Duration
	now       func() time.Time

	l       *loaded
	cfg     *config.Platform
	ep      config.Endpoint
	baseURL string
	// The stack, built by transport.New, and the pieces it shares with the
	// checks: the session (proxy layer over base) and the client-config
	// store. auth is nil for authType None.
	rt      http.RoundTripper
	session *http.Client
	store   authn.ConfigStore
	auth    *authn.Authenticator
	probe   *probe              // the traced request of the network checks
	meta    *authn.ClientConfig // what the AuthMetadataService said, when it answered
	// proxyToken runs proxyCommand for the proxy check and the stack.
	proxyToken *reusedProxyToken
}

// check is one named step.
type check struct {
	name string
	run  func(ctx context.Context) step
}

// doctor is "authwire doctor".
func (c *cli) doctor(ctx context.Context, args []string) int {
	d := &doctor{c: c, now: time.Now}
	return d.main(ctx, args)
}

// main parses the flags and runs the checks.
func (d *doctor) main(ctx context.Context, args []string) int {
	c := d.c
	fs := c.flagSet("authwire doctor")
	fs.StringVar(&d.procedure, "probe", defaultProbe, "")
	fs.DurationVar(&d.timeout, "timeout", 20*time.Second, "")
	usage := commandUsage("doctor [--probe PROCEDURE] [--timeout D]", doctorDescription, doctorFlagsHelp)
	if code, done := c.parse(fs, args, usage); done {
		return code
	}
	if code, done := c.noArgs(fs.Name(), fs.Args()); done {
		return code
	}
	if err := checkProcedure(d.procedure); err != nil {
		return c.usageError(fs.Name(), err)
	}
	if d.timeout <= 0 {
		return c.usageError(fs.Name(), fmt.Errorf("--timeout %v: want a positive duration", d.timeout))
	}
	defer func() {
		if d.rt != nil {
			closeIdle(d.rt)
		}
		if d.session != nil {
			d.session.CloseIdleConnections()
		}
	}()

	report := doctorReport{Command: "doctor", OK: true}
	for _, ch := range d.checks() {
		s := ch.run(ctx)
		s.Name = ch.name
		s.Detail, s.Hint = oneLine(s.Detail), oneLine(s.Hint)
		report.Steps = append(report.Steps, s)
		if c.output == outputText {
			printStep(c.stdout, s)
		}
		if !s.OK {
			report.OK = false
			break
		}
	}
	if d.l != nil {
		report.Config = d.l.path
	}
	if c.output == outputJSON {
		if err := writeJSON(c.stdout, report); err != nil {
			fmt.Fprintln(c.stderr, "authwire doctor:", err)
			return exitFailed
		}
	} else if report.OK {
		fmt.Fprintln(c.stdout, "all checks passed")
	} else {
		last := report.Steps[len(report.Steps)-1]
		fmt.Fprintf(c.stdout, "stopped at %s: fix it and run authwire doctor again\n", last.Name)
	}
	if !report.OK {
		return exitFailed
	}
	return exitOK
}

// checks lists the steps in order.
func (d *doctor) checks() []check {
	return []check{
		{"config", d.checkConfig},
		{"dns", d.withTimeout(d.checkDNS)},
		{"tcp", d.withTimeout(d.checkTCP)},
		{"tls", d.withTimeout(d.checkTLS)},
		{"http2", d.withTimeout(d.checkHTTP2)},
		{"proxy", d.withTimeout(d.checkProxy)},
		{"metadata", d.withTimeout(d.checkMetadata)},
		{"token", d.checkToken}, // a login takes as long as the user does
		{"call", d.withTimeout(d.checkCall)},
	}
}

// withTimeout bounds a network check by --timeout.
func (d *doctor) withTimeout(f func(ctx context.Context) step) func(ctx context.Context) step {
	return func(ctx context.Context) step {
		ctx, cancel := context.WithTimeout(ctx, d.timeout)
		defer cancel()
		return f(ctx)
	}
}

// printStep writes one verdict line, then its warnings and its advice.
func printStep(w io.Writer, s step) {
	mark := "ok"
	switch {
	case s.Skipped:
		mark = "skip"
	case !s.OK:
		mark = "FAIL"
	}
	fmt.Fprintf(w, "%-4s  %-8s  %s\n", mark, s.Name, s.Detail)
	const indent = "                "
	for _, warn := range s.Warnings {
		fmt.Fprintf(w, "%swarning: %s\n", indent, warn)
	}
	if s.Hint != "" {
		fmt.Fprintf(w, "%sfix: %s\n", indent, s.Hint)
	}
}

func passed(format string, args ...any) step {
	return step{OK: true, Detail: fmt.Sprintf(format, args...)}
}

func skipped(format string, args ...any) step {
	return step{OK: true, Skipped: true, Detail: fmt.Sprintf(format, args...)}
}

func failed(hint, format string, args ...any) step {
	return step{Detail: fmt.Sprintf(format, args...), Hint: hint}
}

// failedErr is a failed step whose detail is err, with err's own advice
// unless hint is given.
func failedErr(hint string, err error) step {
	msg, h := explain(err)
	if hint == "" {
		hint = h
	}
	return step{Detail: msg, Hint: hint}
}

// checkConfig loads the configuration and builds the stack from it, which
// reads the CA file, the client secret and the commands' settings. The
// warnings of the loader go with the verdict, whatever it is.
func (d *doctor) checkConfig(context.Context) step {
	s := d.loadConfig()
	if d.l != nil {
		s.Warnings = d.l.warnings
	}
	return s
}

func (d *doctor) loadConfig() step {
	l, err := d.c.loadConfig()
	d.l = l
	if err != nil {
		return failedErr(configHint(l), err)
	}
	d.cfg = l.cfg
	if d.ep, err = config.ParseEndpoint(d.cfg.Endpoint, d.cfg.Insecure); err != nil {
		return failedErr(configHint(l), err)
	}
	d.baseURL = d.ep.URL()
	if len(d.cfg.ProxyCommand) > 0 {
		d.proxyToken = &reusedProxyToken{src: proxyauth.Command(d.cfg.ProxyCommand, 0)}
	}
	if d.session, err = transport.Session(d.cfg, d.transportOptions()...); err != nil {
		return failedErr("", err)
	}
	d.store = authn.NewRemoteConfigStore(d.session, d.baseURL)
	// No retries: the checks report a failure as it happened.
	opts := []transport.Option{transport.WithConfigStore(d.store), transport.WithRetryPolicy(errs.Policy{MaxRetries: -1})}
	for _, o := range d.transportOptions() {
		opts = append(opts, o)
	}
	if d.rt, err = d.c.newStack(d.cfg, opts...); err != nil {
		return failedErr("", err)
	}
	d.auth = transport.AuthenticatorOf(d.rt)
	return passed("%s", l.describe())
}

// transportOptions are the options of the session and the stack the doctor
// builds: baseOptions and proxyCommand's token shared with the check.
func (d *doctor) transportOptions() []transport.SessionOption {
	var opts []transport.SessionOption
	for _, o := range d.baseOptions() {
		opts = append(opts, o)
	}
	if d.proxyToken != nil {
		opts = append(opts, transport.WithProxyTokenSource(d.proxyToken))
	}
	return opts
}

// baseOptions are the options of every transport the doctor builds: the
// test dialer, if any.
func (d *doctor) baseOptions() []transport.BaseOption {
	if d.c.dial == nil {
		return nil
	}
	return []transport.BaseOption{transport.WithDialer(d.c.dial)}
}

// checkProcedure validates a --probe value: "/package.Service/Method".
func checkProcedure(p string) error {
	svc, method, ok := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if !strings.HasPrefix(p, "/") || !ok || svc == "" || method == "" || strings.Contains(method, "/") {
		return fmt.Errorf("--probe %q: want a procedure such as %s", p, defaultProbe)
	}
	if _, err := url.Parse(p); err != nil {
		return fmt.Errorf("--probe %q: %w", p, err)
	}
	return nil
}
