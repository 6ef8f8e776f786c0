package credcmd

import "bytes"

// cappedBuffer holds a command's stdout up to max bytes. A write past max
// is refused: full is called once with [ErrOutputTooLarge] (it stops the
// run) and then set to nil, which marks the overflow. It has no ReadFrom,
// so io.Copy goes through Write and the cap holds.
type cappedBuffer struct {
	buf  bytes.Buffer
	max  int
	full func(error)
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if b.full == nil {
		return 0, ErrOutputTooLarge
	}
	if len(p) > b.max-b.buf.Len() {
		b.full(ErrOutputTooLarge)
		b.full = nil
		return 0, ErrOutputTooLarge
	}
	return b.buf.Write(p)
}

// Bytes returns what was written.
func (b *cappedBuffer) Bytes() []byte { return b.buf.Bytes() }

// tailBuffer counts a command's stderr up to max bytes and keeps its last
// tail bytes for error messages. Past max it behaves as cappedBuffer.
type tailBuffer struct {
	buf     []byte
	written int
	max     int
	tail    int
	full    func(error)
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	if b.full == nil {
		return 0, ErrOutputTooLarge
	}
	if b.written += len(p); b.written > b.max {
		b.full(ErrOutputTooLarge)
		b.full = nil
		return 0, ErrOutputTooLarge
	}
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.tail; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string { return string(b.buf) }
