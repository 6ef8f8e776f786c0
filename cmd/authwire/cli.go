package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/authwire/authwire/authn"
)

// Exit statuses.
const (
	exitOK     = 0 // the command succeeded
	exitFailed = 1 // a check or a call failed
	exitUsage  = 2 // bad flags or arguments, or a configuration that cannot be used
)

// Output formats of --output.
const (
	outputText = "text"
	outputJSON = "json"
)

// cli is one invocation: its streams, environment and global flags.
type cli struct {
	// stdin is kept for commands that read input; none does yet (logins
	// use the browser or the device flow, and prompt on stderr).
	stdin          io.Reader
	stdout, stderr io.Writer
	env            func(string) (string, bool)

	// dial replaces the base transport's dialer when set (tests resolve
	// their own host names with it).
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// keyring and openBrowser serve interactive logins.
	keyring     authn.Keyring
	openBrowser func(ctx context.Context, url string) error

	configPath string
	output     string
}

// command is a subcommand: its name, one-line summary, and entry point,
// which parses its own flags from args.
type command struct {
	name    string
	summary string
	run     func(c *cli, ctx context.Context, args []string) int
}

// commands lists the subcommands in the order the usage text shows them.
// It is filled in by init to break the reference cycle through help.
var commands []command

func init() {
	commands = []command{
		{"token", "print a valid access token (for scripts)", (*cli).token},
		{"doctor", "check the configuration and each step to an authenticated call", (*cli).doctor},
		{"help", "show help for a command", (*cli).help},
	}
}

// run is the whole program: it parses the global flags, dispatches to the
// subcommand named in args and returns the exit status. env replaces
// os.LookupEnv for everything the configuration reads. Nothing is written
// outside stdout and stderr; run never exits the process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) (string, bool)) int {
	return newCLI(stdin, stdout, stderr, env).main(ctx, args)
}

func newCLI(stdin io.Reader, stdout, stderr io.Writer, env func(string) (string, bool)) *cli {
	if env == nil {
		env = func(string) (string, bool) { return "", false }
	}
	return &cli{
		stdin: stdin, stdout: stdout, stderr: stderr, env: env,
		output:      outputText,
		keyring:     desktop.keyring,
		openBrowser: desktop.browser,
	}
}

func (c *cli) main(ctx context.Context, args []string) int {
	fs := c.flagSet("authwire")
	if code, done := c.parse(fs, args, c.usage); done {
		return code
	}
	if fs.NArg() == 0 {
		c.usage(c.stderr)
		return exitUsage
	}
	name, rest := fs.Arg(0), fs.Args()[1:]
	for _, cmd := range commands {
		if cmd.name == name {
			return cmd.run(c, ctx, rest)
		}
	}
	return c.usageError("authwire", fmt.Errorf("unknown command %q", name))
}

// flagSet returns a flag set with the global flags, which every command
// accepts too, so they may come before or after the command's name.
func (c *cli) flagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors and usage are printed by parse
	fs.Usage = func() {}
	fs.StringVar(&c.configPath, "config", c.configPath, "")
	fs.StringVar(&c.output, "output", c.output, "")
	return fs
}

// parse parses args into fs. done is true when the command must stop now
// with code: after --help (usage on stdout, status 0) or a usage error
// (the message on stderr, status 2).
func (c *cli) parse(fs *flag.FlagSet, args []string, usage func(io.Writer)) (code int, done bool) {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		usage(c.stdout)
		return exitOK, true
	case err != nil:
		return c.usageError(fs.Name(), err), true
	}
	switch c.output {
	case outputText, outputJSON:
	default:
		return c.usageError(fs.Name(), fmt.Errorf("--output %q: want text or json", c.output)), true
	}
	return 0, false
}

// usageError reports a usage mistake on stderr and returns exitUsage.
func (c *cli) usageError(name string, err error) int {
	fmt.Fprintf(c.stderr, "%s: %v\n", name, err)
	if name == "authwire" {
		fmt.Fprintln(c.stderr, "Run 'authwire --help' for usage.")
	} else {
		fmt.Fprintf(c.stderr, "Run 'authwire %s --help' for usage.\n", strings.TrimPrefix(name, "authwire "))
	}
	return exitUsage
}

// noArgs reports a usage error for a command that takes no arguments.
func (c *cli) noArgs(name string, args []string) (int, bool) {
	if len(args) == 0 {
		return 0, false
	}
	return c.usageError(name, fmt.Errorf("unexpected argument %q", args[0])), true
}

const globalFlagsHelp = `Global flags (accepted before or after the command):
  --config PATH     the config file: flytectl YAML or flytekit INI
                    (default: the first of ./config.yaml, ./.flyte/config.yaml,
                    <git root>/.flyte/config.yaml, $UCTL_CONFIG,
                    $FLYTECTL_CONFIG, ~/.union/config.yaml,
                    ~/.flyte/config.yaml, ~/.flyte/config; FLYTE_* variables
                    override the file)
  --output FORMAT   text (default) or json: one JSON object on stdout
  --help            show help
`

const exitStatusHelp = `Exit status: 0 success, 1 a check or call failed, 2 usage or configuration error.
`

// usage prints the program's usage.
func (c *cli) usage(w io.Writer) {
	fmt.Fprint(w, "Usage: authwire [--config PATH] [--output text|json] <command> [flags]\n\n")
	fmt.Fprint(w, "authwire reads your Flyte configuration and talks to the Flyte endpoint through\nthe authwire stack.\n\nCommands:\n")
	for _, cmd := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprint(w, "\n"+globalFlagsHelp+"\n"+exitStatusHelp)
}

// commandUsage returns a usage printer for a command: its synopsis, a
// description, its own flags, and the global flags.
func commandUsage(synopsis, description, flags string) func(io.Writer) {
	return func(w io.Writer) {
		fmt.Fprintf(w, "Usage: authwire %s\n\n%s\n", synopsis, description)
		if flags != "" {
			fmt.Fprintf(w, "\nFlags:\n%s", flags)
		}
		fmt.Fprint(w, "\n"+globalFlagsHelp+"\n"+exitStatusHelp)
	}
}

// help is "authwire help [command]".
func (c *cli) help(ctx context.Context, args []string) int {
	fs := c.flagSet("authwire help")
	usage := commandUsage("help [command]", "Shows the usage of authwire or of one command.", "")
	if code, done := c.parse(fs, args, usage); done {
		return code
	}
	switch fs.NArg() {
	case 0:
		c.usage(c.stdout)
		return exitOK
	case 1:
		for _, cmd := range commands {
			if cmd.name == fs.Arg(0) {
				return cmd.run(c, ctx, []string{"--help"})
			}
		}
		return c.usageError("authwire help", fmt.Errorf("unknown command %q", fs.Arg(0)))
	}
	return c.usageError("authwire help", fmt.Errorf("unexpected argument %q", fs.Arg(1)))
}
