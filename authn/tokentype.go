package authn

import (
	"fmt"
	"strings"

	"golang.org/x/oauth2"

	"github.com/authwire/authwire/errs"
)

// checkTokenType refuses a token that is not a bearer token, whichever flow
// or token source obtained it (the token endpoint's token_type): the bearer
// layer sends every token as "Bearer", and a token bound to a key (DPoP,
// RFC 9449) or to a MAC is useless, or worse, sent that way. An empty
// token_type is a bearer token, as x/oauth2 reads it; the comparison ignores
// case (RFC 6749 section 5.1).
func checkTokenType(tok *oauth2.Token) error {
	if tok.TokenType == "" || strings.EqualFold(tok.TokenType, "bearer") {
		return nil
	}
	return &errs.Error{
		Code:    errs.FailedPrecondition,
		Op:      "authn",
		Message: fmt.Sprintf("the token source returned a token of type %q; only Bearer tokens are supported", truncate(tok.TokenType, 40)),
		Hint:    "configure the client at the identity provider to issue Bearer tokens (DPoP and MAC tokens are not supported)",
	}
}
