package config_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authwire/authwire/config"
)

func TestValidateOrderIsFixed(t *testing.T) {
	t.Parallel()
	p := config.Platform{
		Insecure:           true,
		CACertFilePath:     "/ca.pem",
		AuthType:           config.AuthExternalCommand,
		PerRetryTimeout:    -time.Second,
		TokenRefreshWindow: -time.Second,
		PKCE:               config.PKCEConfig{Timeout: -time.Second},
		DeviceFlow:         config.DeviceFlowConfig{PollInterval: -time.Second},
	}
	want := []string{"endpoint", "caCertFilePath", "command", "perRetryTimeout", "tokenRefreshWindow", "pkceConfig.timeout", "deviceFlowConfig.pollInterval"}
	first := p.Validate().Error()
	for range 20 {
		err := p.Validate()
		if err.Error() != first {
			t.Fatalf("Validate changed its message:\n%s\n---\n%s", first, err)
		}
		var got []string
		for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
			var fe *config.FieldError
			if !errors.As(e, &fe) {
				t.Fatalf("%v is not a *FieldError", e)
			}
			got = append(got, fe.Key)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("keys (-want +got):\n%s", diff)
		}
	}
}
