package steady

/*
#include "steady.h"
*/
import "C"

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Header is one record header; Value is nil when the header has none.
type Header struct {
	Name  string
	Value []byte
}

// Message is one Kafka record, copied into Go. Ack it once it is processed, from any goroutine.
// Its fields stay readable, with the same data, after Ack and after the consumer is closed.
// It keeps only its own data and what acking it needs, never its Consumer.
type Message struct {
	Topic     string
	Partition int32
	Offset    int64
	// Key and Value are nil when the record has none.
	Key   []byte
	Value []byte
	// Headers in record order.
	Headers []Header
	// Timestamp is the create or log-append time; zero when unknown.
	Timestamp time.Time

	// mu serialises Acks; ptr is nil once an Ack succeeded.
	mu      sync.Mutex
	ptr     *C.steady_message
	cleanup runtime.Cleanup
	// closed is set once the consumer that delivered it is closed.
	closed *atomic.Bool
}

// goBytes copies a C buffer; nil stays nil.
func goBytes(p *C.uint8_t, n C.size_t) []byte {
	if p == nil {
		return nil
	}
	return C.GoBytes(unsafe.Pointer(p), C.int(n))
}

// newMessage copies the record of m into Go and keeps m for Ack; closed is its consumer's flag.
func newMessage(m *C.steady_message, closed *atomic.Bool) *Message {
	msg := &Message{
		Topic:     C.GoString(C.steady_message_topic(m)),
		Partition: int32(C.steady_message_partition(m)),
		Offset:    int64(C.steady_message_offset(m)),
		ptr:       m,
		closed:    closed,
	}
	if ts := int64(C.steady_message_timestamp(m)); ts >= 0 {
		msg.Timestamp = time.UnixMilli(ts)
	}
	var p *C.uint8_t
	var n C.size_t
	if C.steady_message_key(m, &p, &n) == C.STEADY_RESULT_OK {
		msg.Key = goBytes(p, n)
	}
	if C.steady_message_payload(m, &p, &n) == C.STEADY_RESULT_OK {
		msg.Value = goBytes(p, n)
	}
	for i := C.size_t(0); i < C.steady_message_header_count(m); i++ {
		var name *C.char
		if C.steady_message_header(m, i, &name, &p, &n) == C.STEADY_RESULT_OK {
			msg.Headers = append(msg.Headers, Header{Name: C.GoString(name), Value: goBytes(p, n)})
		}
	}
	msg.cleanup = runtime.AddCleanup(msg, func(p *C.steady_message) { C.steady_message_free(p) }, m)
	return msg
}

// Ack marks the record processed (any goroutine, any order; steady commits only a contiguous
// prefix). The first successful Ack releases the C message; a second Ack has no effect and
// returns nil. Once the consumer is closed, Ack returns an error matching ErrClosed.
func (m *Message) Ack() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ptr == nil {
		if m.closed.Load() {
			return newError(ResultClosed, "consumer is closed")
		}
		return nil
	}
	err := call(func(e **C.steady_error) C.steady_result { return C.steady_message_ack(m.ptr, e) })
	if err == nil {
		m.cleanup.Stop()
		C.steady_message_free(m.ptr)
		m.ptr = nil
	}
	runtime.KeepAlive(m)
	return err
}
