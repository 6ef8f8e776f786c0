// Package fakecmd is a test kit: it turns the running binary (a test binary,
// or the benchmark report program) into the external command that authwire
// runs for tokens and proxy tokens, so tests need no shell scripts and no
// build step. Shipped programs (cmd/authwire, examples/...) never link it.
//
// Call [Main] first thing in TestMain (or main); then pass the argv of one of
// the behaviours ([Print], [Fetch], [JSON], [Fail], [Hang], [Flood],
// [HangWithChild]) as a command.
package fakecmd

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// marker is the first argument that selects fake-command mode.
const marker = "authwire-fakecmd"

// Main runs the fake command and exits the process when the binary was
// started as one; otherwise it returns at once.
func Main() {
	if len(os.Args) < 3 || os.Args[1] != marker {
		return
	}
	os.Exit(run(os.Args[2], os.Args[3:], os.Stdout, os.Stderr))
}

// Print prints token.
func Print(token string) []string { return argv("print", token) }

// JSON prints {"access_token": token, "expires_in": expiresIn}.
func JSON(token string, expiresIn int) []string {
	return argv("json", token, strconv.Itoa(expiresIn))
}

// Fetch prints the body of a GET of url, trusting the PEM roots in caFile
// when it is not empty. Against authtest's CommandTokenURL or ProxyTokenURL
// this lets the server count command runs.
func Fetch(url, caFile string) []string { return argv("fetch", url, caFile) }

// Fail writes stderr to standard error and exits with code.
func Fail(code int, stderr string) []string { return argv("fail", strconv.Itoa(code), stderr) }

// Hang blocks until killed.
func Hang() []string { return argv("hang") }

// Flood writes n bytes to stream ("stdout" or "stderr") and exits 0.
func Flood(stream string, n int64) []string {
	return argv("flood", stream, strconv.FormatInt(n, 10))
}

// HangWithChild starts a child that blocks until killed and shares the
// command's stdout, writes the child's pid to pidFile, and blocks until
// killed itself: a command whose timeout must kill more than one process.
func HangWithChild(pidFile string) []string { return argv("spawn", pidFile) }

func argv(args ...string) []string {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	return append([]string{exe, marker}, args...)
}

func run(mode string, args []string, stdout, stderr io.Writer) int {
	switch {
	case mode == "print" && len(args) == 1:
		fmt.Fprintln(stdout, args[0])
	case mode == "json" && len(args) == 2:
		fmt.Fprintf(stdout, "{\"access_token\": %q, \"expires_in\": %s}\r\n", args[0], args[1])
	case mode == "fetch" && len(args) == 2:
		return fetch(args[0], args[1], stdout, stderr)
	case mode == "fail" && len(args) == 2:
		fmt.Fprint(stderr, args[1])
		code, _ := strconv.Atoi(args[0])
		return code
	case mode == "hang":
		select {}
	case mode == "flood" && len(args) == 2:
		return flood(args[0], args[1], stdout, stderr)
	case mode == "spawn" && len(args) == 1:
		return spawn(args[0], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "fakecmd: bad arguments %q\n", append([]string{mode}, args...))
		return 2
	}
	return 0
}

func fetch(url, caFile string, stdout, stderr io.Writer) int {
	client := &http.Client{Timeout: 30 * time.Second}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			fmt.Fprintln(stderr, "fakecmd:", err)
			return 1
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	}
	resp, err := client.Get(url)
	if err != nil {
		fmt.Fprintln(stderr, "fakecmd:", err)
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(stderr, "fakecmd: status", resp.Status)
		return 1
	}
	if _, err := io.Copy(stdout, resp.Body); err != nil {
		fmt.Fprintln(stderr, "fakecmd:", err)
		return 1
	}
	return 0
}

func flood(stream, size string, stdout, stderr io.Writer) int {
	n, err := strconv.ParseInt(size, 10, 64)
	if err != nil {
		fmt.Fprintln(stderr, "fakecmd:", err)
		return 2
	}
	w := stdout
	if stream == "stderr" {
		w = stderr
	}
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = 'a'
	}
	for n > 0 {
		k := min(n, int64(len(chunk)))
		if _, err := w.Write(chunk[:k]); err != nil {
			return 1
		}
		n -= k
	}
	return 0
}

func spawn(pidFile string, stdout, stderr io.Writer) int {
	child := exec.Command(argv("hang")[0], argv("hang")[1:]...)
	child.Stdout = stdout
	if err := child.Start(); err != nil {
		fmt.Fprintln(stderr, "fakecmd:", err)
		return 1
	}
	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(child.Process.Pid)), 0o600); err != nil {
		fmt.Fprintln(stderr, "fakecmd:", err)
		return 1
	}
	select {}
}
