package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/authwire/authwire/errs"
)

// explain splits err into the message to print and the advice it carries:
// the Hint of the first *errs.Error in the chain that has one, taken out of
// the message so it is printed once.
func explain(err error) (msg, hint string) {
	msg = err.Error()
	for e := err; e != nil; e = errors.Unwrap(e) {
		if ae, ok := e.(*errs.Error); ok && ae != nil && ae.Hint != "" { //nolint:errorlint // the loop walks the chain itself
			hint = ae.Hint
			msg = strings.Replace(msg, " ("+hint+")", "", 1)
			break
		}
	}
	return oneLine(msg), oneLine(hint)
}

// oneLine folds a message onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// writeJSON writes v as one indented JSON object.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// failure is the JSON object of a command that failed.
type failure struct {
	Command string `json:"command"`
	OK      bool   `json:"ok"`
	Error   string `json:"error"`
	Hint    string `json:"hint,omitempty"`
}

// fail reports err for the command name and returns code: on stderr in
// text mode, as a JSON object on stdout in JSON mode.
func (c *cli) fail(name string, code int, err error, hint string) int {
	msg, h := explain(err)
	if hint == "" {
		hint = h
	}
	if c.output == outputJSON {
		if werr := writeJSON(c.stdout, failure{Command: name, Error: msg, Hint: hint}); werr != nil {
			fmt.Fprintf(c.stderr, "authwire %s: %v\n", name, werr)
		}
		return code
	}
	fmt.Fprintf(c.stderr, "authwire %s: %s\n", name, msg)
	if hint != "" {
		fmt.Fprintf(c.stderr, "fix: %s\n", hint)
	}
	return code
}
