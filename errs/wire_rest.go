package errs

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/authwire/authwire/internal/wire"
)

// restResponseError classifies a REST response: statuses below 400 are
// success; the status gives the code, which a JSON error body refines.
func restResponseError(resp *http.Response, limit int64) *Error {
	if resp.StatusCode < 400 {
		return nil
	}
	e := &Error{Code: restCodeFromHTTP(resp.StatusCode)}
	mt := mediaType(headerValue(resp.Header, "Content-Type"))
	switch {
	case isJSONMediaType(mt):
		applyJSONBody(e, wire.PeekAll(resp, limit))
	case mt == "":
		body := wire.PeekAll(resp, limit)
		if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '{' {
			applyJSONBody(e, body)
		} else {
			e.Message = cleanMessage(string(body[:min(len(body), maxMessage)]))
		}
	case mt == "text/plain":
		e.Message = textMessage(resp)
	}
	return e
}

func isJSONMediaType(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// jsonErrorBody holds the members of the JSON error bodies REST APIs send:
//
//	google.rpc.Status (grpc-gateway v2)    {"code":5,"message":…,"details":[{"@type":…}]}
//	grpc-gateway v1                         {"error":…,"code":5,"message":…}
//	Google APIs                             {"error":{"code":404,"status":"NOT_FOUND","message":…}}
//	Connect error                           {"code":"not_found","message":…}
//	OAuth 2.0 (RFC 6749 §5.2)               {"error":"invalid_grant","error_description":…,"error_uri":…}
//
// Each member is decoded on its own, so one of an unexpected type does not
// hide the others.
type jsonErrorBody struct {
	Code             json.RawMessage `json:"code"`
	Message          json.RawMessage `json:"message"`
	Status           json.RawMessage `json:"status"`
	Details          json.RawMessage `json:"details"`
	Error            json.RawMessage `json:"error"`
	ErrorDescription json.RawMessage `json:"error_description"`
	ErrorURI         json.RawMessage `json:"error_uri"`
}

// applyJSONBody refines e with what a JSON error body says; a body it does
// not understand leaves e alone.
func applyJSONBody(e *Error, body []byte) {
	var f jsonErrorBody
	if json.Unmarshal(body, &f) != nil {
		return
	}
	if n, ok := jsonInt(f.Code); ok {
		// google.rpc.Status. Code 0 in an error answer says nothing.
		switch {
		case n > 0 && n <= 1<<32-1:
			e.Code = Code(n)
		case n < 0:
			e.Code = Unknown
		}
		e.Message = cleanMessage(jsonString(f.Message))
		e.Details = jsonDetails(f.Details)
		return
	}
	if name := jsonString(f.Code); name != "" {
		if c, ok := codeFromName(name); ok {
			e.Code = c
		}
		e.Message = cleanMessage(jsonString(f.Message))
		e.Details = jsonDetails(f.Details)
		return
	}
	if len(f.Error) > 0 && f.Error[0] == '{' {
		var g jsonErrorBody
		if json.Unmarshal(f.Error, &g) == nil {
			if c, ok := codeFromName(strings.ToLower(jsonString(g.Status))); ok {
				e.Code = c
			}
			e.Message = cleanMessage(jsonString(g.Message))
			e.Details = jsonDetails(g.Details)
		}
		return
	}
	if oe, ok := f.oauth(); ok {
		e.Code = OAuthCode(oe.ErrorCode)
		e.Err = oe
		e.Hint = oauthHint(oe.ErrorCode)
		return
	}
	e.Message = cleanMessage(jsonString(f.Message))
}

// oauth returns the OAuth 2.0 error the body holds.
func (f *jsonErrorBody) oauth() (*OAuthError, bool) {
	code := cleanMessage(jsonString(f.Error))
	if code == "" {
		return nil, false
	}
	return &OAuthError{
		ErrorCode:        code,
		ErrorDescription: cleanMessage(jsonString(f.ErrorDescription)),
		ErrorURI:         cleanMessage(jsonString(f.ErrorURI)),
	}, true
}

// jsonString returns raw's value when it is a JSON string, else "".
func jsonString(raw json.RawMessage) string {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// jsonInt returns raw's value when it is a JSON integer.
func jsonInt(raw json.RawMessage) (int64, bool) {
	var n int64
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) || json.Unmarshal(raw, &n) != nil {
		return 0, false
	}
	return n, true
}

// jsonDetails reads the details of a JSON error: protobuf JSON Anys
// ({"@type":…, fields…}) give their type; Connect details ({"type":…,
// "value":base64}) their type and value. Malformed details are dropped.
func jsonDetails(raw json.RawMessage) []Detail {
	var items []struct {
		AtType string          `json:"@type"`
		Type   string          `json:"type"`
		Value  json.RawMessage `json:"value"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &items) != nil {
		return nil
	}
	var ds []Detail
	for _, it := range items {
		switch {
		case it.AtType != "":
			ds = append(ds, Detail{Type: wire.TypeName(it.AtType)})
		case it.Type != "":
			d := Detail{Type: wire.TypeName(it.Type)}
			if v, err := wire.DecodeBinaryHeader(jsonString(it.Value)); err == nil && len(v) > 0 {
				d.Value = v
			}
			ds = append(ds, d)
		}
	}
	return ds
}
