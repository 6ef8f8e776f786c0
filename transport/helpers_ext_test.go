package transport_test

import (
	"time"

	"github.com/authwire/authwire/authn"
)

func authnCommandTimeout(d time.Duration) authn.FlowOption { return authn.WithCommandTimeout(d) }
