package authn

import (
	"context"
	"log/slog"
	"time"
)

// Hooks for the black-box tests: waits and backends that must not be real.

// WithSleep replaces the wait between device-flow polls.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return optionFunc(func(o *options) { o.sleep = sleep })
}

// NewKeyringTokenStoreWith is NewKeyringTokenStore over kr with timeout.
func NewKeyringTokenStoreWith(kr Keyring, timeout time.Duration, fallback TokenStore, log *slog.Logger) TokenStore {
	return newKeyringStore(kr, timeout, fallback, log)
}

// CrashBeforeRename makes the file store s fail between writing the
// temporary file and renaming it, as a crash would.
func CrashBeforeRename(s TokenStore, err error) {
	s.(*fileStore).beforeRename = func() error { return err }
}

// TokenFileName is the file name of key in a file store.
var TokenFileName = tokenFileName

// LockKey takes the process-wide login lock of key.
var LockKey = lockKey
