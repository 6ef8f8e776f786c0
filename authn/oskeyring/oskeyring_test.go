package oskeyring_test

import (
	"errors"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/authn/oskeyring"
)

// TestErrorsMatchAuthn uses go-keyring's global mock, so it does not run in
// parallel.
func TestErrorsMatchAuthn(t *testing.T) {
	keyring.MockInit()
	var kr oskeyring.Keyring
	if _, err := kr.Get("flyte.example.com", "authwire:app"); !errors.Is(err, authn.ErrKeyringNotFound) {
		t.Errorf("Get of a missing item = %v; want authn.ErrKeyringNotFound", err)
	}
	if err := kr.Delete("flyte.example.com", "authwire:app"); !errors.Is(err, authn.ErrKeyringNotFound) {
		t.Errorf("Delete of a missing item = %v; want authn.ErrKeyringNotFound", err)
	}
	if err := kr.Set("flyte.example.com", "authwire:app", "secret"); err != nil {
		t.Fatal(err)
	}
	if v, err := kr.Get("flyte.example.com", "authwire:app"); v != "secret" || err != nil {
		t.Errorf("Get = %q, %v; want the secret", v, err)
	}
	keyring.MockInitWithError(keyring.ErrSetDataTooBig)
	if err := kr.Set("flyte.example.com", "authwire:app", "secret"); !errors.Is(err, authn.ErrKeyringTooBig) {
		t.Errorf("Set of a too large secret = %v; want authn.ErrKeyringTooBig", err)
	}
}
