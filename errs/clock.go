package errs

import (
	"context"
	"time"
)

// Clock is the retry layer's time source. Tests give a fake one so that
// backoff waits and per-attempt timeouts take no real time. It must read the
// same time as the contexts' deadlines.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has passed, unless stop
	// is called first; stop reports whether it prevented the call, like
	// (*time.Timer).Stop.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// realClock is the system's time.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// sleep waits d on clk, or until ctx is done, whichever comes first; it
// returns ctx's error in the second case.
func sleep(ctx context.Context, clk Clock, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	done := make(chan struct{})
	stop := clk.AfterFunc(d, func() { close(done) })
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		stop()
		return ctx.Err()
	}
}
