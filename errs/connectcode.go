package errs

import (
	"reflect"
	"strings"
)

// connectPackage is the import path of connect-go, whose *Error values carry
// the code of every failure a connect client reports.
const connectPackage = "connectrpc.com/connect"

// connectCode returns the code of the first connect-go *connect.Error in
// err's chain. This package imports only the standard library, so it finds
// the type by its package path and calls its Code method by reflection; the
// numbering of connect.Code is this package's.
func connectCode(err error) (Code, bool) {
	for err != nil {
		if c, ok := connectErrorCode(err); ok {
			return c, true
		}
		switch u := err.(type) { //nolint:errorlint // walks the chain itself, as errors.As does
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if c, ok := connectCode(e); ok {
					return c, true
				}
			}
			return 0, false
		default:
			return 0, false
		}
	}
	return 0, false
}

// connectErrorCode returns err's code when err is a non-nil *connect.Error.
func connectErrorCode(err error) (Code, bool) {
	t := reflect.TypeOf(err)
	if t.Kind() != reflect.Pointer || t.Elem().Name() != "Error" || !isConnectPackage(t.Elem().PkgPath()) {
		return 0, false
	}
	v := reflect.ValueOf(err)
	if v.IsNil() {
		return 0, false
	}
	m := v.MethodByName("Code")
	if !m.IsValid() {
		return 0, false
	}
	mt := m.Type()
	if mt.NumIn() != 0 || mt.NumOut() != 1 || mt.Out(0).Kind() != reflect.Uint32 {
		return 0, false
	}
	return Code(m.Call(nil)[0].Uint()), true
}

// isConnectPackage reports whether path is connect-go's package, of any
// major version.
func isConnectPackage(path string) bool {
	rest, ok := strings.CutPrefix(path, connectPackage)
	return ok && (rest == "" || strings.HasPrefix(rest, "/v"))
}
