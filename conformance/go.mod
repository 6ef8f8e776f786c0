module github.com/authwire/authwire/conformance

go 1.26.0

require github.com/authwire/authwire v0.0.0

replace github.com/authwire/authwire => ../
