// Package stackconfig hands a configuration that transport.New has already
// validated and parsed to the constructors of the layers, so that each stack
// validates its configuration once and parses its endpoint once.
//
// authn.New is public and validates what it is given. transport.New, which
// has done that, passes the parsed endpoint through the hook below instead;
// package authn sets the hook in its init, as gRPC's internal package does
// for options that are not part of its public API.
package stackconfig

import "github.com/authwire/authwire/config"

// AuthnOption returns an authn.Option (typed any to avoid an import cycle)
// that tells authn.New the configuration is valid and its endpoint is ep, so
// it neither validates nor parses it again. Package authn sets it.
var AuthnOption func(ep config.Endpoint) any
