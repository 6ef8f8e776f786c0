package benchserver

import (
	"bufio"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"time"
)

// Target is a server as the clients see it, wherever it runs.
type Target struct {
	H2CURL string
	TLSURL string
	Pool   *x509.CertPool // trusts the server's certificate
	Creds  Credentials
	// Child is true when the server runs in another process, so this
	// process's allocation counters see the client only.
	Child bool

	stats func() (Stats, error)
	close func()
}

// Stats returns the server's counters.
func (t *Target) Stats() (Stats, error) { return t.stats() }

// Close stops the server.
func (t *Target) Close() { t.close() }

// InProcess starts a server in this process.
func InProcess() (*Target, error) {
	creds := NewCredentials()
	s, err := Start(creds)
	if err != nil {
		return nil, err
	}
	pool, err := CertPool(s.CertPEM)
	if err != nil {
		s.Close()
		return nil, err
	}
	return &Target{
		H2CURL: s.H2CURL, TLSURL: s.TLSURL, Pool: pool, Creds: creds,
		stats: func() (Stats, error) { return s.Stats(), nil },
		close: s.Close,
	}, nil
}

// childEnv carries the credentials to a child server and marks it as one.
const childEnv = "AUTHWIRE_BENCH_SERVER"

// announcement is the line a child server prints when it is ready.
type announcement struct {
	H2CURL, TLSURL string
	CertPEM        []byte
}

// Spawn starts a server in a child process: the running executable again,
// which must call [ServeIfChild] first thing in main or TestMain. The child
// exits when its standard input closes, so it never outlives this process.
func Spawn() (*Target, error) {
	creds := NewCredentials()
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("benchserver: %w", err)
	}
	blob, err := json.Marshal(creds)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childEnv+"="+string(blob))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("benchserver: start child: %w", err)
	}
	stop := func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	var a announcement
	if err == nil {
		err = json.Unmarshal(line, &a)
	}
	if err != nil {
		stop()
		return nil, fmt.Errorf("benchserver: child did not announce itself: %w", err)
	}
	go io.Copy(io.Discard, stdout)
	pool, err := CertPool(a.CertPEM)
	if err != nil {
		stop()
		return nil, err
	}
	statsClient := &http.Client{Timeout: 10 * time.Second}
	return &Target{
		H2CURL: a.H2CURL, TLSURL: a.TLSURL, Pool: pool, Creds: creds, Child: true,
		stats: func() (Stats, error) { return fetchStats(statsClient, a.H2CURL+StatsPath) },
		close: stop,
	}, nil
}

func fetchStats(c *http.Client, url string) (Stats, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		return Stats{}, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return Stats{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Stats{}, errors.New("benchserver: stats: " + resp.Status)
	}
	var s Stats
	err = json.NewDecoder(resp.Body).Decode(&s)
	return s, err
}

// ServeIfChild turns the process into a child server when [Spawn] started
// it, and exits when the parent closes standard input; otherwise it returns
// at once. Call it first thing in main or TestMain.
func ServeIfChild() {
	blob, ok := os.LookupEnv(childEnv)
	if !ok {
		return
	}
	os.Exit(serveChild(blob, os.Stdin, os.Stdout))
}

func serveChild(blob string, stdin io.Reader, stdout io.Writer) int {
	var creds Credentials
	if err := json.Unmarshal([]byte(blob), &creds); err != nil {
		fmt.Fprintln(os.Stderr, "benchserver: bad credentials:", err)
		return 2
	}
	s, err := Start(creds)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Close()
	line, _ := json.Marshal(announcement{H2CURL: s.H2CURL, TLSURL: s.TLSURL, CertPEM: s.CertPEM})
	if _, err := stdout.Write(append(line, '\n')); err != nil {
		return 1
	}
	io.Copy(io.Discard, stdin)
	return 0
}
