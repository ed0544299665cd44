package steady

/*
#include <stdlib.h>
#include "steady.h"

// Ack, and free once acked: one crossing.
static steady_result steady_go_ack(steady_message *m, steady_error **err) {
	steady_result r = steady_message_ack(m, err);
	if (r == STEADY_RESULT_OK) {
		steady_message_free(m);
	}
	return r;
}

// Nack (delay_ms < 0: the back-off), and free once it is taken: one crossing.
static steady_result steady_go_nack(steady_message *m, const char *error, int64_t delay_ms,
                                    steady_error **err) {
	steady_result r = steady_message_nack(m, error, delay_ms, err);
	if (r == STEADY_RESULT_OK) {
		steady_message_free(m);
	}
	return r;
}

// Reject, and free once it is taken: one crossing.
static steady_result steady_go_reject(steady_message *m, const char *error, steady_error **err) {
	steady_result r = steady_message_reject(m, error, err);
	if (r == STEADY_RESULT_OK) {
		steady_message_free(m);
	}
	return r;
}

// Ack of many, and free once all are acked: one crossing.
static steady_result steady_go_ack_all(steady_message **ms, size_t n, steady_error **err) {
	steady_result r = steady_messages_ack((const steady_message *const *)ms, n, err);
	if (r == STEADY_RESULT_OK) {
		steady_messages_free(ms, n);
	}
	return r;
}

// These helpers keep no Go pointer and never call back into Go (steady logs from a thread of
// its own): the out-parameters on the caller's stack stay there, and the calls take cgo's
// cheaper path. The Poll helpers are in consumer.go.
#cgo noescape steady_go_ack
#cgo nocallback steady_go_ack
#cgo noescape steady_go_ack_all
#cgo nocallback steady_go_ack_all
#cgo nocallback steady_go_nack
#cgo nocallback steady_go_reject
*/
import "C"

import (
	"runtime"
	"strings"
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
//
// Memory: the first successful Ack releases the record's C side (and Consumer.Ack does for
// many at once). A message never acked keeps it until the message, and every other message
// of its PollBatch (or of the same run of Polls), are unreachable; one cleanup per batch then
// releases what was not acked.
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

	// chunk holds the C message at index idx until it is acked, nacked or rejected.
	chunk   *chunk
	idx     int32
	attempt uint32
	// closed is set once the consumer that delivered it is closed.
	closed *atomic.Bool
}

// chunk holds the C messages of one batch (or of a run of Polls) that are not acked yet; its
// messages keep it reachable, and its cleanup frees what they never acked.
type chunk struct {
	slots []unsafe.Pointer // *C.steady_message, accessed atomically
	// used counts the slots handed out (Poll's chunk is filled one slot at a time).
	used atomic.Int32
}

// pollChunkSize is how many Polls share one chunk (and one cleanup).
const pollChunkSize = 256

func newChunk(n int) *chunk {
	ch := &chunk{slots: make([]unsafe.Pointer, n)}
	runtime.AddCleanup(ch, freeSlots, ch.slots)
	return ch
}

// freeSlots releases the C messages of a chunk nobody can ack any more.
func freeSlots(slots []unsafe.Pointer) {
	for i := range slots {
		if p := atomic.SwapPointer(&slots[i], nil); p != nil {
			C.steady_message_free((*C.steady_message)(p))
		}
	}
}

// take removes the C message of slot idx (nil when it is acked or being acked).
func (ch *chunk) take(idx int32) *C.steady_message {
	return (*C.steady_message)(atomic.SwapPointer(&ch.slots[idx], nil))
}

// put stores the C message of slot idx.
func (ch *chunk) put(idx int32, m *C.steady_message) {
	atomic.StorePointer(&ch.slots[idx], unsafe.Pointer(m))
}

// topicNames interns topic names per consumer: every message of one topic from one C consumer
// has the same C pointer (steady_message_fields_t), so the name is copied into Go once.
type topicNames struct {
	last atomic.Pointer[topicName]
	mu   sync.Mutex
	all  map[*C.char]string
}

type topicName struct {
	ptr  *C.char
	name string
}

func (n *topicNames) topic(f *C.steady_message_fields_t) string {
	if last := n.last.Load(); last != nil && last.ptr == f.topic {
		return last.name
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	name, ok := n.all[f.topic]
	if !ok {
		if n.all == nil {
			n.all = make(map[*C.char]string)
		}
		name = C.GoStringN(f.topic, C.int(f.topic_len))
		n.all[f.topic] = name
	}
	n.last.Store(&topicName{f.topic, name})
	return name
}

// cBytes is the C buffer p[0..n] without a copy, for reading; nil stays nil.
func cBytes(p *C.uint8_t, n C.size_t) []byte {
	if p == nil {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))
}

// fill copies the record that m (held in ch at idx) and f describe into msg.
func (msg *Message) fill(m *C.steady_message, f *C.steady_message_fields_t, topic string, ch *chunk, idx int32, closed *atomic.Bool) {
	msg.Topic = topic
	msg.Partition = int32(f.partition)
	msg.Offset = int64(f.offset)
	msg.chunk, msg.idx, msg.closed = ch, idx, closed
	msg.attempt = uint32(f.attempt)
	if f.timestamp >= 0 {
		msg.Timestamp = time.UnixMilli(int64(f.timestamp))
	}
	// Key and value share one allocation (each capped, so an append to one cannot reach the
	// other).
	key, value := cBytes(f.key, f.key_len), cBytes(f.payload, f.payload_len)
	if key != nil || value != nil {
		data := make([]byte, len(key)+len(value))
		if key != nil {
			msg.Key = data[:len(key):len(key)]
			copy(msg.Key, key)
		}
		if value != nil {
			msg.Value = data[len(key):]
			copy(msg.Value, value)
		}
	}
	if f.header_count > 0 {
		msg.Headers = make([]Header, 0, int(f.header_count))
		var p *C.uint8_t
		var n C.size_t
		for i := C.size_t(0); i < f.header_count; i++ {
			var name *C.char
			if C.steady_message_header(m, i, &name, &p, &n) == C.STEADY_RESULT_OK {
				var v []byte
				if p != nil {
					v = C.GoBytes(unsafe.Pointer(p), C.int(n))
				}
				msg.Headers = append(msg.Headers, Header{Name: C.GoString(name), Value: v})
			}
		}
	}
	ch.put(idx, m)
}

// Ack marks the record processed (any goroutine, any order; steady commits only a contiguous
// prefix). The first successful Ack releases the C message; a later Ack, or one made while
// another Ack of the same message is running, has no effect and returns nil. Once the consumer
// is closed, Ack returns an error matching ErrClosed.
func (m *Message) Ack() error {
	p := m.chunk.take(m.idx)
	if p == nil {
		if m.closed.Load() {
			return newError(ResultClosed, "consumer is closed")
		}
		return nil
	}
	var cerr *C.steady_error
	if code := C.steady_go_ack(p, &cerr); code != C.STEADY_RESULT_OK {
		m.chunk.put(m.idx, p) // not acked: it can be acked again, or freed by the cleanup
		return takeError(Result(code), cerr)
	}
	return nil
}

// Attempt is how many times the record was delivered, this time included: 1 on the first
// delivery, 2 on the first redelivery after a Nack, …
func (m *Message) Attempt() uint32 { return m.attempt }

// Nack says the handler failed (reason is kept as the record's last error and, should it be
// dead-lettered, in its steady.error header): the record is delivered again, as a new Message
// with Attempt one higher, after the back-off (steady.retry.backoff.ms, doubled per attempt up
// to steady.retry.backoff.max.ms), or dead-lettered once it had steady.retry.max.attempts
// deliveries (see Reject). Until it is acked or dead-lettered nothing after it is committed.
// Like Ack: any goroutine; it releases the C message; a Nack, Ack or Reject after a successful
// one has no effect and returns nil; a nack of a partition the consumer lost is ignored; after
// the consumer's Close it returns an error matching ErrClosed.
func (m *Message) Nack(reason string) error { return m.nack(reason, -1) }

// NackAfter is Nack with the application's delay instead of the back-off (a negative d counts
// as 0).
func (m *Message) NackAfter(reason string, d time.Duration) error {
	return m.nack(reason, max(d.Milliseconds(), 0))
}

func (m *Message) nack(reason string, delayMs int64) error {
	return m.settle(reason, func(p *C.steady_message, r *C.char, e **C.steady_error) C.steady_result {
		return C.steady_go_nack(p, r, C.int64_t(delayMs), e)
	})
}

// Reject says the record can never be processed (reason says why): it is dead-lettered now,
// without retries. With steady.dlq.topic set it is produced there — same key, value and
// headers, plus steady.source.topic, steady.source.partition, steady.source.offset,
// steady.attempts and steady.error — and counts as acked once the broker acknowledged it;
// without, it is parked (pending, never committed past). Either way an EventDeadLettered
// follows (with steady.events.enable=true). Otherwise like Nack.
func (m *Message) Reject(reason string) error {
	return m.settle(reason, func(p *C.steady_message, r *C.char, e **C.steady_error) C.steady_result {
		return C.steady_go_reject(p, r, e)
	})
}

// settle runs a nack or reject of the C message with reason as a C string; like Ack.
func (m *Message) settle(reason string, f func(*C.steady_message, *C.char, **C.steady_error) C.steady_result) error {
	if strings.IndexByte(reason, 0) >= 0 {
		return newError(ResultInvalidArgument, "reason holds a NUL byte")
	}
	p := m.chunk.take(m.idx)
	if p == nil {
		if m.closed.Load() {
			return newError(ResultClosed, "consumer is closed")
		}
		return nil
	}
	r := C.CString(reason)
	defer C.free(unsafe.Pointer(r))
	var cerr *C.steady_error
	if code := f(p, r, &cerr); code != C.STEADY_RESULT_OK {
		m.chunk.put(m.idx, p)
		return takeError(Result(code), cerr)
	}
	return nil
}

// ackAll acks and releases messages with one crossing into C (Consumer.Ack).
func ackAll(messages []*Message) error {
	ptrs := make([]*C.steady_message, 0, len(messages))
	taken := make([]*Message, 0, len(messages))
	var err error
	for _, m := range messages {
		if m == nil {
			continue
		}
		if p := m.chunk.take(m.idx); p != nil {
			ptrs = append(ptrs, p)
			taken = append(taken, m)
		} else if m.closed.Load() && err == nil {
			err = newError(ResultClosed, "consumer is closed")
		}
	}
	if len(ptrs) == 0 {
		return err
	}
	var cerr *C.steady_error
	if code := C.steady_go_ack_all(&ptrs[0], C.size_t(len(ptrs)), &cerr); code != C.STEADY_RESULT_OK {
		// The ones before the failure are acked; each goes again on its own, which acks what
		// is left (a second ack of the others is harmless) and reports the failure.
		if cerr != nil {
			C.steady_error_free(cerr)
		}
		for i, m := range taken {
			m.chunk.put(m.idx, ptrs[i])
		}
		for _, m := range taken {
			if e := m.Ack(); e != nil && err == nil {
				err = e
			}
		}
	}
	return err
}
