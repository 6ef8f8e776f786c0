package authn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/oauth2"

	"github.com/authwire/authwire/errs"
)

// DefaultTokenDir returns the directory of the file token store:
// "authwire" under the user cache directory (os.UserCacheDir:
// $XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on macOS,
// %LocalAppData% on Windows).
func DefaultTokenDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", &errs.Error{Code: errs.FailedPrecondition, Op: "authn", Message: "no user cache directory for the token cache", Err: err}
	}
	return filepath.Join(dir, "authwire"), nil
}

// NewFileTokenStore returns a store that keeps each key's token in its own
// JSON file in dir ("" means [DefaultTokenDir]), readable by the user only
// (0600 in a 0700 directory). A token is written to a temporary file that is
// synced and renamed over the old one, so a crash leaves the old token or the
// new one. A file that cannot be parsed is ignored with a warning through log
// (nil discards) and replaced by the next login.
func NewFileTokenStore(dir string, log *slog.Logger) TokenStore {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &fileStore{dir: dir, log: log}
}

type fileStore struct {
	dir string
	log *slog.Logger

	beforeRename func() error // test hook: a crash between write and rename
}

func (s *fileStore) path(key TokenKey) (string, error) {
	dir := s.dir
	if dir == "" {
		var err error
		if dir, err = DefaultTokenDir(); err != nil {
			return "", err
		}
	}
	return filepath.Join(dir, tokenFileName(key)), nil
}

// tokenFileName is readable (endpoint and client id, unsafe characters
// replaced) and unique (a hash of the exact key).
func tokenFileName(key TokenKey) string {
	sum := sha256.Sum256([]byte(key.Endpoint + "\x00" + key.ClientID))
	safe := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-':
				return r
			}
			return '_'
		}, truncate(s, 60))
	}
	return safe(key.Endpoint) + "_" + safe(key.ClientID) + "_" + hex.EncodeToString(sum[:6]) + ".json"
}

func (s *fileStore) Load(ctx context.Context, key TokenKey) (*oauth2.Token, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &errs.Error{Code: errs.Internal, Op: "authn", Message: "cannot read the token cache", Err: err}
	}
	tok, ok := decodeToken(b)
	if !ok {
		s.log.LogAttrs(ctx, slog.LevelWarn, "authn: ignoring a damaged token cache file; the next login replaces it", slog.String("path", p))
		return nil, nil
	}
	return tok, nil
}

func (s *fileStore) Save(_ context.Context, key TokenKey, tok *oauth2.Token) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	b, err := encodeToken(tok)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(p, b, s.beforeRename); err != nil {
		return &errs.Error{Code: errs.Internal, Op: "authn", Message: "cannot write the token cache", Err: err}
	}
	return nil
}

func (s *fileStore) Delete(_ context.Context, key TokenKey) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &errs.Error{Code: errs.Internal, Op: "authn", Message: "cannot delete the token cache", Err: err}
	}
	return nil
}

// writeFileAtomic writes b to path through a synced temporary file in the same
// directory (0700, created if needed) and a rename; the file is 0600.
func writeFileAtomic(path string, b []byte, beforeRename func() error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if fi, err := os.Stat(dir); err != nil {
		return err
	} else if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return err
		}
	}
	f, err := os.CreateTemp(dir, ".tmp-*") // mode 0600
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err := f.Write(b); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if beforeRename != nil {
		if err := beforeRename(); err != nil {
			return err
		}
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil { // make the rename durable; best effort
		_ = d.Sync()
		d.Close()
	}
	return nil
}
