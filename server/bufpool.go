package server

import (
	"io"
	"sync"
)

// bufPool reuses the byte buffers of the bid routes (POST /v1/footprints
// and /v1/comparisons): the request body is read into one and the answer
// encoded into one, so that a steady load allocates neither. It is a field
// of the Server (its zero value is ready), not package state.
type bufPool struct{ p sync.Pool }

// maxPooledBuf is the largest buffer kept for reuse: a rare large body or
// answer is left to the garbage collector rather than held by the pool.
const maxPooledBuf = 256 << 10

// get returns an empty buffer.
func (b *bufPool) get() *[]byte {
	if p, ok := b.p.Get().(*[]byte); ok {
		*p = (*p)[:0]
		return p
	}
	buf := make([]byte, 0, 16<<10)
	return &buf
}

// put gives a buffer back; its bytes must no longer be referenced.
func (b *bufPool) put(p *[]byte) {
	if cap(*p) <= maxPooledBuf {
		b.p.Put(p)
	}
}

// readAllInto appends all of r to buf, as io.ReadAll does into a new
// slice, and returns the extended buffer.
func readAllInto(buf []byte, r io.Reader) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return buf, err
		}
	}
}
