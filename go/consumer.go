package steady

/*
#include <stdlib.h>
#include "steady.h"

// One crossing per Poll: the message and every field of it.
static steady_result steady_go_poll(steady_consumer *c, int32_t timeout_ms, steady_message **m,
                                    steady_message_fields_t *f, steady_error **err) {
	steady_result r = steady_consumer_poll(c, timeout_ms, m, err);
	if (r == STEADY_RESULT_OK) {
		steady_message_fields(*m, f);
	}
	return r;
}

// One crossing per PollBatch: the messages and the fields of each.
static steady_result steady_go_poll_batch(steady_consumer *c, int32_t timeout_ms,
                                          steady_message **ms, steady_message_fields_t *fs,
                                          size_t max, size_t *n, steady_error **err) {
	steady_result r = steady_consumer_poll_batch(c, timeout_ms, ms, max, n, err);
	if (r == STEADY_RESULT_OK) {
		steady_messages_fields((const steady_message *const *)ms, *n, fs);
	}
	return r;
}

// Neither keeps a Go pointer or calls back into Go (see message.go).
#cgo noescape steady_go_poll
#cgo nocallback steady_go_poll
#cgo noescape steady_go_poll_batch
#cgo nocallback steady_go_poll_batch
*/
import "C"

import (
	"encoding/json"
	"math"
	"runtime"
	"runtime/cgo"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Consumer is a Kafka consumer whose poll loop (heartbeats, rebalances, commits) runs on a
// thread of its own, so a slow handler never makes its group rebalance.
//
// All methods may be called from any goroutines at the same time. Close wakes a Poll blocked
// in another goroutine; after Close every method but Close returns an error matching
// ErrClosed (NextEvent after the events still queued). Events (rebalances, commit results,
// with steady.events.enable=true) are pulled with NextEvent or ServeEvents. steady calls into Go
// only to log (see WithLogger), on the consumer's own "steady-log" thread. After a fatal error
// (IsFatal) every Poll, PollBatch and Commit returns that error again, and Close still works.
type Consumer struct {
	// mu is held for reading by every call into C and for writing by the free in Close.
	mu      sync.RWMutex
	ptr     *C.steady_consumer
	cleanup runtime.Cleanup
	// closed is shared with the consumer's messages: set once the consumer is closed.
	closed *atomic.Bool
	// closeOnce runs the close; later and concurrent Closes wait for it.
	closeOnce sync.Once
	// leftover holds the events still queued when Close released the C consumer; NextEvent
	// hands them out before it reports ErrClosed.
	leftoverMu sync.Mutex
	leftover   []*Event
	// log is the C log callback's user_data, deleted once the C consumer is freed.
	log cgo.Handle
	// names interns the topic names of its messages.
	names topicNames
	// pollChunk holds the C messages of the latest Polls (see chunk).
	pollChunk atomic.Pointer[chunk]
}

// handle is what the cleanup of an unclosed Consumer needs.
type handle struct {
	ptr    *C.steady_consumer
	closed *atomic.Bool
	log    cgo.Handle
}

// NewConsumer checks settings with the rule checks (an error finding refuses with an error
// matching ErrConfigRefused), then starts a consumer subscribed to topics. Settings are
// librdkafka consumer keys (bootstrap.servers, group.id, …) plus steady.* keys. The consumer's
// log records (its start-up warnings among them) go to slog.Default(), or to the logger of
// WithLogger; libsteady writes nothing to stderr itself.
func NewConsumer(settings map[string]string, topics []string, opts ...Option) (*Consumer, error) {
	var o consumerOptions
	for _, opt := range opts {
		opt(&o)
	}
	s, err := newSettings(settings)
	if err != nil {
		return nil, err
	}
	defer C.steady_settings_free(s)
	logHandle := newLogHandle(o)
	if err := setLogCallback(s, logHandle); err != nil {
		logHandle.Delete()
		return nil, err
	}
	var strs cStrings
	defer strs.free()
	ctopics := (**C.char)(C.calloc(C.size_t(len(topics)+1), C.size_t(unsafe.Sizeof((*C.char)(nil)))))
	defer C.free(unsafe.Pointer(ctopics))
	list := unsafe.Slice(ctopics, len(topics)+1)
	for i, t := range topics {
		list[i] = strs.add(t)
	}
	var p *C.steady_consumer
	if err := call(func(e **C.steady_error) C.steady_result {
		return C.steady_consumer_new(s, ctopics, C.size_t(len(topics)), &p, e)
	}); err != nil {
		// A failed steady_consumer_new makes no log call once it returned.
		logHandle.Delete()
		return nil, err
	}
	c := &Consumer{ptr: p, closed: new(atomic.Bool), log: logHandle}
	c.cleanup = runtime.AddCleanup(c, func(h handle) {
		C.steady_consumer_free(h.ptr)
		h.closed.Store(true)
		// No log call comes after steady_consumer_free.
		h.log.Delete()
	}, handle{p, c.closed, logHandle})
	return c, nil
}

// millis is a wait in ms for C: negative means no limit (-1); long waits are capped.
func millis(d time.Duration) C.int32_t {
	if d < 0 {
		return -1
	}
	return C.int32_t(min(d.Milliseconds(), math.MaxInt32))
}

// use runs f with the live handle, or returns ErrClosed after Close.
func (c *Consumer) use(f func(p *C.steady_consumer) error) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.ptr == nil {
		return newError(ResultClosed, "consumer is closed")
	}
	err := f(c.ptr)
	runtime.KeepAlive(c)
	return err
}

// Poll waits up to timeout (negative: no limit) for the next record. It returns (nil, nil) when
// nothing arrived in time. Ack the message once it is processed. After a fatal error it returns
// that error (IsFatal) every time; after Close, an error matching ErrClosed.
func (c *Consumer) Poll(timeout time.Duration) (*Message, error) {
	// As c.use, without a closure (which would be allocated for every Poll).
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.ptr == nil {
		return nil, newError(ResultClosed, "consumer is closed")
	}
	var m *C.steady_message
	var f C.steady_message_fields_t
	var cerr *C.steady_error
	if code := C.steady_go_poll(c.ptr, millis(timeout), &m, &f, &cerr); code != C.STEADY_RESULT_OK {
		if code == C.STEADY_RESULT_TIMEOUT {
			if cerr != nil {
				C.steady_error_free(cerr)
			}
			return nil, nil
		}
		return nil, takeError(Result(code), cerr)
	}
	ch, idx := c.pollSlot()
	msg := new(Message)
	msg.fill(m, &f, c.names.topic(&f), ch, idx, c.closed)
	runtime.KeepAlive(c)
	return msg, nil
}

// pollSlot is a slot for one Poll's message in the chunk Polls share.
func (c *Consumer) pollSlot() (*chunk, int32) {
	for {
		ch := c.pollChunk.Load()
		if ch != nil {
			if i := ch.used.Add(1) - 1; i < int32(len(ch.slots)) {
				return ch, i
			}
		}
		next := newChunk(pollChunkSize)
		next.used.Store(1)
		if c.pollChunk.CompareAndSwap(ch, next) {
			return next, 0
		}
	}
}

// batchBuffer is C memory for one PollBatch call's results; a cleanup frees it once the pool
// drops it.
type batchBuffer struct {
	messages **C.steady_message
	fields   *C.steady_message_fields_t
	size     int
}

var batchBuffers sync.Pool

func getBatchBuffer(size int) *batchBuffer {
	if b, _ := batchBuffers.Get().(*batchBuffer); b != nil && b.size >= size {
		return b
	}
	size = max(size, 512)
	b := &batchBuffer{
		messages: (**C.steady_message)(C.calloc(C.size_t(size), C.size_t(unsafe.Sizeof((*C.steady_message)(nil))))),
		fields:   (*C.steady_message_fields_t)(C.calloc(C.size_t(size), C.size_t(unsafe.Sizeof(C.steady_message_fields_t{})))),
		size:     size,
	}
	runtime.AddCleanup(b, func(p [2]unsafe.Pointer) {
		C.free(p[0])
		C.free(p[1])
	}, [2]unsafe.Pointer{unsafe.Pointer(b.messages), unsafe.Pointer(b.fields)})
	return b
}

// PollBatch waits up to timeout (negative: no limit) for records and returns up to max of them;
// an empty slice when nothing arrived in time. Errors as Poll. The messages of one batch share
// their memory (see Message).
func (c *Consumer) PollBatch(max int, timeout time.Duration) ([]*Message, error) {
	if max < 1 {
		return nil, newError(ResultInvalidArgument, "max must be at least 1")
	}
	var messages []*Message
	err := c.use(func(p *C.steady_consumer) error {
		b := getBatchBuffer(max)
		defer batchBuffers.Put(b)
		var n C.size_t
		var cerr *C.steady_error
		if code := C.steady_go_poll_batch(p, millis(timeout), b.messages, b.fields, C.size_t(max), &n, &cerr); code != C.STEADY_RESULT_OK {
			return takeError(Result(code), cerr)
		}
		ms := unsafe.Slice(b.messages, int(n))
		fs := unsafe.Slice(b.fields, int(n))
		ch := newChunk(int(n))
		ch.used.Store(int32(n))
		batch := make([]Message, int(n))
		messages = make([]*Message, int(n))
		for i := range batch {
			batch[i].fill(ms[i], &fs[i], c.names.topic(&fs[i]), ch, int32(i), c.closed)
			messages[i] = &batch[i]
		}
		return nil
	})
	if isTimeout(err) {
		return []*Message{}, nil
	}
	if err != nil {
		return nil, err
	}
	return messages, nil
}

// Ack acks messages (of any consumer) with one call into libsteady, as calling Message.Ack on
// each would: it releases the C side of each one acked, skips nil and acked ones, and returns
// the first error (after Close, one matching ErrClosed).
func (c *Consumer) Ack(messages ...*Message) error {
	return ackAll(messages)
}

func isTimeout(err error) bool {
	e, ok := err.(*Error)
	return ok && e.code == ResultTimeout
}

// Commit commits the acked prefix of every assigned partition now. After a fatal error it
// returns that error; after Close, an error matching ErrClosed.
func (c *Consumer) Commit() error {
	return c.use(func(p *C.steady_consumer) error {
		return call(func(e **C.steady_error) C.steady_result { return C.steady_consumer_commit(p, e) })
	})
}

// Check re-runs the rule checks with the settings and the live processing figures.
func (c *Consumer) Check() (*Report, error) {
	return c.report(func(p *C.steady_consumer, r **C.steady_report, e **C.steady_error) C.steady_result {
		return C.steady_consumer_check(p, r, e)
	})
}

// Warnings are the warning and info findings of the check made when the consumer was built.
func (c *Consumer) Warnings() (*Report, error) {
	return c.report(func(p *C.steady_consumer, r **C.steady_report, e **C.steady_error) C.steady_result {
		return C.steady_consumer_warnings(p, r, e)
	})
}

func (c *Consumer) report(f func(*C.steady_consumer, **C.steady_report, **C.steady_error) C.steady_result) (*Report, error) {
	var report *Report
	err := c.use(func(p *C.steady_consumer) error {
		var r *C.steady_report
		if err := call(func(e **C.steady_error) C.steady_result { return f(p, &r, e) }); err != nil {
			return err
		}
		var err error
		report, err = takeReport(r)
		return err
	})
	return report, err
}

// StatsJSON is the consumer's counters as JSON.
func (c *Consumer) StatsJSON() (string, error) {
	var text string
	err := c.use(func(p *C.steady_consumer) error {
		var j *C.char
		if err := call(func(e **C.steady_error) C.steady_result { return C.steady_consumer_stats_json(p, &j, e) }); err != nil {
			return err
		}
		text = ownedString(j)
		return nil
	})
	return text, err
}

// MetricsText is the consumer's metrics in the Prometheus text exposition format (0.0.4):
// counters, gauges and histograms such as messaging_client_consumed_messages_total, with
// labels (the same text libsteady serves at http://HOST:PORT/metrics when
// steady.metrics.listen=HOST:PORT is set). After Close, an error matching ErrClosed.
func (c *Consumer) MetricsText() (string, error) {
	var text string
	err := c.use(func(p *C.steady_consumer) error {
		var t *C.char
		if err := call(func(e **C.steady_error) C.steady_result { return C.steady_consumer_metrics_text(p, &t, e) }); err != nil {
			return err
		}
		text = ownedString(t)
		return nil
	})
	return text, err
}

// Stats is a snapshot of the consumer's counters (StatsJSON has every field).
type Stats struct {
	Rebalances uint64   `json:"rebalances"`
	Assignment []string `json:"assignment"`
	// PausedPartitions are paused by the application, by backpressure or until their
	// assigned event is done.
	PausedPartitions []string          `json:"paused_partitions"`
	BufferedRecords  uint64            `json:"buffered_records"`
	BufferedBytes    uint64            `json:"buffered_bytes"`
	InFlight         uint64            `json:"in_flight"`
	Delivered        uint64            `json:"delivered"`
	Acked            uint64            `json:"acked"`
	Committed        []CommittedOffset `json:"committed"`
	ProcessingRate   float64           `json:"processing_rate"`
	Stalls           uint64            `json:"stalls"`
	// Errors counts the errors seen since start, fatal or not; LastError is the last one.
	Errors    uint64  `json:"errors"`
	LastError *string `json:"last_error"`
	// FatalError is the error that ended the consumer (see Error.IsFatal); nil while it runs.
	FatalError *string `json:"fatal_error"`
	// CommitsSucceeded and CommitsFailed count commits by outcome (every reason).
	CommitsSucceeded uint64 `json:"commits_succeeded"`
	CommitsFailed    uint64 `json:"commits_failed"`
	// RevokeHandlerTimeouts counts revoked events not done within steady.revoke.drain.ms.
	RevokeHandlerTimeouts uint64 `json:"revoke_handler_timeouts"`
	// EventsDropped counts commit results dropped from a full event queue.
	EventsDropped uint64 `json:"events_dropped"`
	// Retries counts redeliveries scheduled by Nack.
	Retries uint64 `json:"retries"`
	// DeadLettered counts records steady.dlq.topic acknowledged; DeadLetterFailures its failed
	// produces.
	DeadLettered       uint64 `json:"dead_lettered"`
	DeadLetterFailures uint64 `json:"dead_letter_failures"`
	// ParkedRecords (now): records out of attempts or rejected, not yet acknowledged by the
	// dead-letter topic (or with none set).
	ParkedRecords uint64 `json:"parked_records"`
	// RetryingRecords (now): nacked records waiting out their back-off.
	RetryingRecords uint64 `json:"retrying_records"`
	// WaitingRecords (now): records waiting for an earlier record of their key or partition
	// to be acked (steady.ordering).
	WaitingRecords uint64 `json:"waiting_records"`
}

// CommittedOffset is the next offset to read of one partition ("topic/partition").
type CommittedOffset struct {
	Partition string
	Offset    int64
}

// UnmarshalJSON reads the ["topic/partition", offset] pair of the stats JSON.
func (o *CommittedOffset) UnmarshalJSON(data []byte) error {
	pair := []any{&o.Partition, &o.Offset}
	return json.Unmarshal(data, &pair)
}

// Stats is a snapshot of the consumer's counters.
func (c *Consumer) Stats() (Stats, error) {
	var stats Stats
	text, err := c.StatsJSON()
	if err == nil {
		err = json.Unmarshal([]byte(text), &stats)
	}
	return stats, err
}

// Close stops deliveries and wakes Polls and NextEvents blocked in other goroutines (with events
// on, after a revoked event for the whole assignment, which Close waits for within
// steady.revoke.drain.ms, and the final commit's result), waits up to
// steady.revoke.drain.ms for the messages in flight to be acked (by any goroutine), commits the
// acked prefix, leaves the group and releases the consumer once the Polls have returned. It
// works after a fatal error too. An error (a failed final commit) still leaves the consumer
// closed. A second Close, also one running at the same time, returns nil once the first has
// finished. Messages stay readable; their Ack then returns an error matching ErrClosed. Before
// it returns, the log records still queued reach the logger (waited for up to 5 s); none
// comes after. Do not call it from the logger's handler.
func (c *Consumer) Close() error {
	var err error
	c.closeOnce.Do(func() {
		err = c.use(func(p *C.steady_consumer) error {
			return call(func(e **C.steady_error) C.steady_result { return C.steady_consumer_close(p, e) })
		})
		c.closed.Store(true)
		c.mu.Lock()
		defer c.mu.Unlock()
		c.cleanup.Stop()
		// No NextEvent is inside C now: keep what is still queued for the next ones.
		c.keepLeftover(c.ptr)
		C.steady_consumer_free(c.ptr)
		c.ptr = nil
		// No log call comes after steady_consumer_free.
		c.log.Delete()
	})
	return err
}
