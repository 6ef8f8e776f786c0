// Package oskeyring is the OS keyring (macOS Keychain, Windows Credential
// Manager, the Secret Service over D-Bus on Linux) as an [authn.Keyring],
// through github.com/zalando/go-keyring. It is a package of its own so that
// only programs that keep interactive logins in the keyring link it:
//
//	transport.New(ctx, cfg, transport.WithAuthnOptions(authn.WithKeyring(oskeyring.Keyring{})))
//
// Without a keyring, the token cache "auto" keeps tokens in files.
package oskeyring

import (
	"errors"
	"fmt"

	"github.com/zalando/go-keyring"

	"github.com/authwire/authwire/authn"
)

// Keyring is the OS keyring. Its zero value is ready to use and safe for
// concurrent use.
type Keyring struct{}

var _ authn.Keyring = Keyring{}

// Get returns the secret of service and user.
func (Keyring) Get(service, user string) (string, error) {
	v, err := keyring.Get(service, user)
	return v, translate(err)
}

// Set stores secret as the item of service and user.
func (Keyring) Set(service, user, secret string) error {
	return translate(keyring.Set(service, user, secret))
}

// Delete removes the item of service and user.
func (Keyring) Delete(service, user string) error {
	return translate(keyring.Delete(service, user))
}

// translate maps go-keyring's sentinel errors to authn's, keeping the cause.
func translate(err error) error {
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return fmt.Errorf("%w: %w", authn.ErrKeyringNotFound, err)
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return fmt.Errorf("%w: %w", authn.ErrKeyringTooBig, err)
	}
	return err
}
