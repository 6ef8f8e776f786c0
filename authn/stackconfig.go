package authn

import (
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/internal/stackconfig"
)

func init() {
	stackconfig.AuthnOption = func(ep config.Endpoint) any {
		return optionFunc(func(o *options) { o.endpoint = &ep })
	}
}
