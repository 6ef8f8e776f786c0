package wire

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strconv"
)

// Decompress undoes a content encoding ("", "identity" or "gzip"),
// returning at most limit bytes of decompressed data: a longer result is
// cut at limit. A malformed gzip stream and any other encoding are errors.
func Decompress(b []byte, encoding string, limit int64) ([]byte, error) {
	switch encoding {
	case "", "identity":
		return b, nil
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, errMalformedGzip
		}
		out, err := io.ReadAll(io.LimitReader(zr, limit))
		if err != nil {
			return nil, errMalformedGzip
		}
		return out, nil
	}
	return nil, errors.New("unknown encoding " + strconv.Quote(encoding))
}

var errMalformedGzip = errors.New("malformed gzip data")
