// Package credcmd runs the external commands that print credentials: the
// bearer-token command (authType ExternalCommand) and the proxy command. One
// implementation serves both, so they behave alike: argv without a shell, a
// timeout, stderr (never stdout) in errors, trimmed output, and optional JSON
// output with an expiry.
//
// Bounds: a run lasts at most its timeout ([DefaultTimeout] unless set);
// stdout may hold at most 1 MiB and stderr at most 1 MiB (its last 4 KiB
// go into error messages). A command that writes more is stopped and fails
// with an error matching [ErrOutputTooLarge].
//
// When a run times out (or its caller gives up, or it writes too much), the
// command is killed. On Unix it runs in its own process group and the whole
// group is killed, so the processes it started die with it; such a command
// must not read from the terminal, since its group is not the terminal's
// foreground group. On Windows only the command's own process is killed:
// processes it started may survive it, and Run returns at most two seconds
// after the kill even if they still hold its output pipes.
package credcmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/internal/credcache"
)

// DefaultTimeout bounds a command when [Command.Timeout] is zero. It is long
// enough for commands that open a browser (gcloud, az) and short enough that
// a hung command does not hang the program.
const DefaultTimeout = 2 * time.Minute

const (
	maxStdout     = 1 << 20 // a token, or a small JSON document
	maxStderr     = 1 << 20 // what a command may write to stderr in all
	maxStderrTail = 4 << 10 // the tail kept for error messages
	waitDelay     = 2 * time.Second
)

// Command is an external credential command.
type Command struct {
	// Argv is the program and its arguments; it is run without a shell.
	Argv []string
	// Key names the configuration key, for errors ("command", "proxyCommand").
	Key string
	// Timeout bounds one run; zero means DefaultTimeout.
	Timeout time.Duration
	// Now replaces time.Now for expires_in; nil means time.Now.
	Now func() time.Time
}

// errTimeout is the cause of a run that reached Command.Timeout, as opposed
// to the caller's own deadline.
var errTimeout = errors.New("timed out")

// ErrOutputTooLarge is the cause of a run that wrote more than 1 MiB to
// stdout or to stderr: the command was stopped and its output dropped.
var ErrOutputTooLarge = errors.New("credcmd: command output too large")

// Result is what a command printed.
type Result struct {
	Token  string
	Expiry time.Time // zero when neither expires_in nor a JWT exp is known
}

// output is the optional JSON form of a command's output.
type output struct {
	AccessToken string      `json:"access_token"`
	ExpiresIn   json.Number `json:"expires_in"`
}

// Validate reports an unusable argv as an *errs.Error with code
// InvalidArgument, so the stack can reject it at construction.
func (c *Command) Validate() error {
	if len(c.Argv) == 0 || strings.TrimSpace(c.Argv[0]) == "" {
		return &errs.Error{Code: errs.InvalidArgument, Op: "credcmd", Message: c.key() + " is empty", Hint: "set " + c.key() + " to an argv list such as [\"gcloud\", \"auth\", \"print-identity-token\"]"}
	}
	return nil
}

// EffectiveTimeout is the timeout Run applies to a command whose Timeout
// is d: d, or DefaultTimeout when d is not positive.
func EffectiveTimeout(d time.Duration) time.Duration {
	if d <= 0 {
		return DefaultTimeout
	}
	return d
}

// FlightTimeout bounds a shared credential fetch that may run a command
// whose Timeout is d: the fetch's own bound plus the command's timeout.
func FlightTimeout(d time.Duration) time.Duration {
	return credcache.DefaultFlightTimeout + EffectiveTimeout(d)
}

// Run runs the command once and parses its output. Output is trimmed
// (CRLF included); a leading '{' selects the JSON form
// {"access_token": ..., "expires_in": seconds}; otherwise the whole output is
// the token, and a JWT's exp claim gives the expiry. Errors are *errs.Error
// values that carry the exit status and the tail of stderr, never stdout.
func (c *Command) Run(ctx context.Context) (Result, error) {
	if err := c.Validate(); err != nil {
		return Result{}, err
	}
	timeout := EffectiveTimeout(c.Timeout)
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, errTimeout)
	defer cancel()
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)

	cmd := exec.CommandContext(ctx, c.Argv[0], c.Argv[1:]...)
	stdout := &cappedBuffer{max: maxStdout, full: stop}
	stderr := &tailBuffer{max: maxStderr, tail: maxStderrTail, full: stop}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	killProcessGroup(cmd)
	cmd.WaitDelay = waitDelay // do not wait forever on pipes held by children
	err := cmd.Run()
	if errors.Is(context.Cause(ctx), ErrOutputTooLarge) {
		return Result{}, c.tooLarge(stdout.full == nil)
	}
	if err != nil {
		return Result{}, c.runError(ctx, timeout, err, stderr.String())
	}
	return c.parse(stdout.Bytes())
}

// tooLarge is the error of a run stopped for writing too much; onStdout
// says which stream overflowed.
func (c *Command) tooLarge(onStdout bool) error {
	stream, hint := "stderr", "write less to stderr"
	if onStdout {
		stream, hint = "stdout", "print only the token (or the JSON form) on stdout; send messages to stderr"
	}
	return &errs.Error{Code: errs.Unauthenticated, Op: "credcmd", Message: fmt.Sprintf("%s %q wrote more than 1 MiB to %s and was stopped", c.key(), c.Argv[0], stream), Hint: hint, Err: ErrOutputTooLarge}
}

func (c *Command) runError(ctx context.Context, timeout time.Duration, err error, stderr string) error {
	if errors.Is(context.Cause(ctx), errTimeout) {
		return &errs.Error{Code: errs.Unauthenticated, Op: "credcmd", Message: fmt.Sprintf("%s %q timed out after %s", c.key(), c.Argv[0], timeout), Hint: stderrHint(stderr), Err: context.DeadlineExceeded}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return c.fail(fmt.Sprintf("exited with status %d", exitErr.ExitCode()), stderr)
	}
	return &errs.Error{Code: errs.Unauthenticated, Op: "credcmd", Message: fmt.Sprintf("%s %q could not be run", c.key(), c.Argv[0]), Err: err}
}

func (c *Command) parse(out []byte) (Result, error) {
	s := strings.TrimSpace(string(out))
	if s == "" {
		return Result{}, c.fail("printed nothing", "")
	}
	if strings.HasPrefix(s, "{") {
		var o output
		if err := json.Unmarshal([]byte(s), &o); err != nil {
			return Result{}, c.fail("printed malformed JSON (want {\"access_token\": ..., \"expires_in\": seconds})", "")
		}
		if o.AccessToken == "" {
			return Result{}, c.fail("printed JSON without access_token", "")
		}
		r := Result{Token: o.AccessToken}
		if secs, err := o.ExpiresIn.Float64(); err == nil && secs > 0 {
			r.Expiry = c.now().Add(time.Duration(secs * float64(time.Second)))
		} else if exp, ok := credcache.JWTExpiry(r.Token); ok {
			r.Expiry = exp
		}
		return r, nil
	}
	s = strings.TrimPrefix(s, "Bearer ")
	if strings.ContainsAny(s, " \t\r\n") {
		return Result{}, c.fail("printed more than one token (want the token alone on stdout; send messages to stderr)", "")
	}
	r := Result{Token: s}
	if exp, ok := credcache.JWTExpiry(s); ok {
		r.Expiry = exp
	}
	return r, nil
}

func (c *Command) fail(msg, stderr string) error {
	return &errs.Error{Code: errs.Unauthenticated, Op: "credcmd", Message: fmt.Sprintf("%s %q %s", c.key(), c.Argv[0], msg), Hint: stderrHint(stderr)}
}

func (c *Command) key() string {
	if c.Key == "" {
		return "command"
	}
	return c.Key
}

func (c *Command) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func stderrHint(stderr string) string {
	stderr = strings.TrimSpace(stderr)
	if stderr == "" {
		return ""
	}
	return "stderr: " + stderr
}
