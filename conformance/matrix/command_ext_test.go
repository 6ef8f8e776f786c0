package matrix_test

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"testing"
	"time"
)

// commandMarker is the first argument that turns the test binary into the
// external token or proxy command: the stack runs it as a real process, so
// the command path is exercised exactly as users' commands are.
const commandMarker = "authwire-matrix-command"

func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == commandMarker {
		os.Exit(runCommand(os.Args[2], os.Args[3:]))
	}
	os.Exit(m.Run())
}

// fetchCommand is the argv of a command that prints the body of a GET of
// url (authtest's CommandTokenURL or ProxyTokenURL, which count the runs),
// trusting caFile when it is not empty.
func fetchCommand(url, caFile string) []string { return commandArgv("fetch", url, caFile) }

// failCommand is the argv of a command that writes msg to stderr and exits
// with status 3.
func failCommand(msg string) []string { return commandArgv("fail", msg) }

func commandArgv(args ...string) []string {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	return append([]string{exe, commandMarker}, args...)
}

func runCommand(mode string, args []string) int {
	switch {
	case mode == "fetch" && len(args) == 2:
		return fetch(args[0], args[1])
	case mode == "fail" && len(args) == 1:
		fmt.Fprint(os.Stderr, args[0])
		return 3
	}
	fmt.Fprintf(os.Stderr, "matrix command: bad arguments %q\n", args)
	return 2
}

func fetch(url, caFile string) int {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{Proxy: nil}}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "matrix command:", err)
			return 1
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		client.Transport = &http.Transport{Proxy: nil, TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	}
	resp, err := client.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "matrix command:", err)
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "matrix command: status", resp.Status)
		return 1
	}
	if _, err := io.Copy(os.Stdout, resp.Body); err != nil {
		fmt.Fprintln(os.Stderr, "matrix command:", err)
		return 1
	}
	return 0
}
