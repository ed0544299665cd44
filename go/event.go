package steady

/*
#include <stdlib.h>
#include "steady.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"
	"unsafe"
)

// EventKind says what an Event reports.
type EventKind int

// The kinds of events (fixed values; see steady_event_kind_t in include/steady.h).
const (
	// EventAssigned: partitions were assigned; each Offset is the committed offset it starts
	// from (OffsetNone: nothing committed). They stay paused until the event is Done (at most
	// steady.processing.timeout.ms), so state can be loaded before their first record.
	EventAssigned EventKind = C.STEADY_EVENT_ASSIGNED
	// EventRevoked: partitions are being revoked (Offset is OffsetNone). steady waits, within
	// steady.revoke.drain.ms, for the event to be Done, then commits the acked prefix: records
	// acked before Done are committed.
	EventRevoked EventKind = C.STEADY_EVENT_REVOKED
	// EventLost: partitions were lost (session expired, member fenced); nothing of them is
	// committed and steady does not wait for the event.
	EventLost EventKind = C.STEADY_EVENT_LOST
	// EventCommitted: a commit finished; each Offset is the one committed (the next to read).
	EventCommitted EventKind = C.STEADY_EVENT_COMMITTED
	// EventDeadLettered: a record was dead-lettered (Message.Reject, or Nack past
	// steady.retry.max.attempts); the one Partitions entry is its source topic, partition and
	// offset. Err is nil when steady.dlq.topic acknowledged it (it then counts as acked);
	// otherwise the produce failed (steady produces it again later) or no steady.dlq.topic is
	// set (the record is parked: pending, never committed past).
	EventDeadLettered EventKind = C.STEADY_EVENT_DEAD_LETTERED
)

// String is the kind's name in every language: "assigned", "revoked", "lost", "committed",
// "dead_lettered".
func (k EventKind) String() string {
	switch k {
	case EventAssigned:
		return "assigned"
	case EventRevoked:
		return "revoked"
	case EventLost:
		return "lost"
	case EventCommitted:
		return "committed"
	case EventDeadLettered:
		return "dead_lettered"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// CommitReason says why the commit of an EventCommitted was made.
type CommitReason int

// The commit reasons (fixed values; see steady_commit_reason in include/steady.h).
const (
	// CommitNone: the event is not a commit result.
	CommitNone CommitReason = C.STEADY_COMMIT_REASON_NONE
	// CommitBackground: the background commit (auto.commit.interval.ms) came round.
	CommitBackground CommitReason = C.STEADY_COMMIT_REASON_BACKGROUND
	// CommitExplicit: the application called Commit.
	CommitExplicit CommitReason = C.STEADY_COMMIT_REASON_EXPLICIT
	// CommitRevoke: partitions were revoked.
	CommitRevoke CommitReason = C.STEADY_COMMIT_REASON_REVOKE
	// CommitClose: the consumer closed.
	CommitClose CommitReason = C.STEADY_COMMIT_REASON_CLOSE
)

// String is the reason's name in every language: "background", "explicit", "revoke",
// "close"; "none" for CommitNone.
func (r CommitReason) String() string {
	switch r {
	case CommitNone:
		return "none"
	case CommitBackground:
		return "background"
	case CommitExplicit:
		return "explicit"
	case CommitRevoke:
		return "revoke"
	case CommitClose:
		return "close"
	}
	return fmt.Sprintf("CommitReason(%d)", int(r))
}

// OffsetNone is the offset of a PartitionOffset, Position or Committed when there is none.
const OffsetNone int64 = C.STEADY_OFFSET_NONE

// PartitionOffset is a partition of an Event, with an offset where the event has one
// (OffsetNone otherwise).
type PartitionOffset struct {
	Topic     string
	Partition int32
	Offset    int64
}

// Event is one event of a consumer with steady.events.enable=true: partitions assigned,
// revoked or lost, or the result of a commit. Its fields are copied into Go and may be read
// from any goroutine.
//
// Call Done once the event is handled: steady waits for a revoked event to be Done before it
// commits the revoked partitions (within steady.revoke.drain.ms), and keeps assigned
// partitions paused until their event is Done. Done may be called more than once and from any
// goroutine; an Event that becomes unreachable is Done by a cleanup, but steady waits for that
// at most its budget, so call Done.
type Event struct {
	Kind       EventKind
	Partitions []PartitionOffset
	// CommitReason is CommitNone for other kinds than EventCommitted.
	CommitReason CommitReason
	// Err is the error of a failed commit (an *Error matching ErrKafka); nil otherwise.
	Err error

	// mu serialises Done; ptr is nil once it ran.
	mu      sync.Mutex
	ptr     *C.steady_event
	cleanup runtime.Cleanup
}

// newEvent copies ev into Go and keeps it until Done.
func newEvent(ev *C.steady_event) *Event {
	e := &Event{
		Kind:         EventKind(C.steady_event_kind(ev)),
		CommitReason: CommitReason(C.steady_event_commit_reason(ev)),
		ptr:          ev,
	}
	n := int(C.steady_event_partition_count(ev))
	e.Partitions = make([]PartitionOffset, 0, n)
	for i := range n {
		ci := C.size_t(i)
		e.Partitions = append(e.Partitions, PartitionOffset{
			Topic:     C.GoString(C.steady_event_topic(ev, ci)),
			Partition: int32(C.steady_event_partition(ev, ci)),
			Offset:    int64(C.steady_event_offset(ev, ci)),
		})
	}
	if cerr := C.steady_event_error(ev); cerr != nil {
		e.Err = copyError(Result(C.steady_error_code(cerr)), cerr)
	}
	e.cleanup = runtime.AddCleanup(e, func(p *C.steady_event) { C.steady_event_free(p) }, ev)
	return e
}

// Done marks the event handled and releases its C handle. Later calls do nothing.
func (e *Event) Done() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ptr == nil {
		return
	}
	e.cleanup.Stop()
	C.steady_event_free(e.ptr)
	e.ptr = nil
}

// String describes the event, e.g. "committed(explicit) [t/0@10 t/1@3]".
func (e *Event) String() string {
	s := e.Kind.String()
	if e.CommitReason != CommitNone {
		s += "(" + e.CommitReason.String() + ")"
	}
	s += " ["
	for i, p := range e.Partitions {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%s/%d", p.Topic, p.Partition)
		if p.Offset != OffsetNone {
			s += fmt.Sprintf("@%d", p.Offset)
		}
	}
	s += "]"
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// NextEvent waits up to timeout (negative: no limit) for the next event and returns it;
// (nil, nil) when none came in time. Call Done on it once handled. It needs
// steady.events.enable=true (otherwise an error matching ErrInvalidArgument naming the key).
// Close wakes a NextEvent waiting in another goroutine; after Close it returns the events
// still queued (the revoked event and final commit of the close among them), then an error
// matching ErrClosed.
func (c *Consumer) NextEvent(timeout time.Duration) (*Event, error) {
	var ev *C.steady_event
	err := c.use(func(p *C.steady_consumer) error {
		return call(func(e **C.steady_error) C.steady_result {
			return C.steady_consumer_next_event(p, millis(timeout), &ev, e)
		})
	})
	if isTimeout(err) {
		return nil, nil
	}
	if errors.Is(err, ErrClosed) {
		if e := c.takeLeftover(); e != nil {
			return e, nil
		}
	}
	if err != nil {
		return nil, err
	}
	return newEvent(ev), nil
}

// keepLeftover moves the events still queued in p (a closed consumer about to be freed) to
// c.leftover. The caller holds c.mu for writing.
func (c *Consumer) keepLeftover(p *C.steady_consumer) {
	c.leftoverMu.Lock()
	defer c.leftoverMu.Unlock()
	for {
		var ev *C.steady_event
		if C.steady_consumer_next_event(p, 0, &ev, nil) != C.STEADY_RESULT_OK {
			return
		}
		c.leftover = append(c.leftover, newEvent(ev))
	}
}

// takeLeftover is the oldest event kept by Close, or nil.
func (c *Consumer) takeLeftover() *Event {
	c.leftoverMu.Lock()
	defer c.leftoverMu.Unlock()
	if len(c.leftover) == 0 {
		return nil
	}
	e := c.leftover[0]
	c.leftover[0] = nil
	c.leftover = c.leftover[1:]
	return e
}

// ServeEvents starts a goroutine that reads the consumer's events and calls handler with each,
// one at a time; the event is Done when handler returns (also when it panics). The goroutine
// ends at Close, after the events still queued then (the revoked event and final commit of
// the close), or at once when events are off. handler may call any method of the consumer,
// ack messages and flush work; calling Close from it makes Close wait the whole
// steady.revoke.drain.ms for the revoked event that the blocked handler cannot take.
func (c *Consumer) ServeEvents(handler func(*Event)) {
	go func() {
		for {
			e, err := c.NextEvent(-1)
			if err != nil {
				return
			}
			if e == nil {
				continue
			}
			func() {
				defer e.Done()
				handler(e)
			}()
		}
	}()
}

// partitionCall runs a partition control function of the C ABI with topic as a C string.
func (c *Consumer) partitionCall(topic string, f func(p *C.steady_consumer, t *C.char, e **C.steady_error) C.steady_result) error {
	t := C.CString(topic)
	defer C.free(unsafe.Pointer(t))
	return c.use(func(p *C.steady_consumer) error {
		return call(func(e **C.steady_error) C.steady_result { return f(p, t, e) })
	})
}

// Pause stops deliveries of topic/partition until Resume: no record of it is delivered once
// Pause returns (records of it already buffered come again after Resume). Backpressure never
// resumes it; an assignment of it that comes again starts unpaused. A partition not assigned
// to the consumer gives an error matching ErrInvalidArgument; after Close, ErrClosed; after
// a fatal error, that error.
func (c *Consumer) Pause(topic string, partition int32) error {
	return c.partitionCall(topic, func(p *C.steady_consumer, t *C.char, e **C.steady_error) C.steady_result {
		return C.steady_consumer_pause(p, t, C.int32_t(partition), e)
	})
}

// Resume lifts Pause of topic/partition: it is fetched again unless backpressure holds it.
// Errors as Pause.
func (c *Consumer) Resume(topic string, partition int32) error {
	return c.partitionCall(topic, func(p *C.steady_consumer, t *C.char, e **C.steady_error) C.steady_result {
		return C.steady_consumer_resume(p, t, C.int32_t(partition), e)
	})
}

// Seek makes offset (0 or more) the next record delivered from topic/partition (back: replay;
// forward: skip). Its buffered records are dropped; records of it delivered before and not yet
// acked keep holding the committed offset until they are acked. Errors as Pause, and
// ErrInvalidArgument for a negative offset.
func (c *Consumer) Seek(topic string, partition int32, offset int64) error {
	return c.partitionCall(topic, func(p *C.steady_consumer, t *C.char, e **C.steady_error) C.steady_result {
		return C.steady_consumer_seek(p, t, C.int32_t(partition), C.int64_t(offset), e)
	})
}

// Position is the offset of the next record the application gets from topic/partition (after
// a Seek: its target); OffsetNone when none is known yet. Errors as Pause.
func (c *Consumer) Position(topic string, partition int32) (int64, error) {
	var offset C.int64_t
	err := c.partitionCall(topic, func(p *C.steady_consumer, t *C.char, e **C.steady_error) C.steady_result {
		return C.steady_consumer_position(p, t, C.int32_t(partition), &offset, e)
	})
	if err != nil {
		return OffsetNone, err
	}
	return int64(offset), nil
}

// Committed is the group's committed offset of topic/partition (the next to read), asked of
// the group coordinator; OffsetNone when none is committed. Errors as Pause, and Kafka errors
// (ErrKafka) when the coordinator does not answer.
func (c *Consumer) Committed(topic string, partition int32) (int64, error) {
	var offset C.int64_t
	err := c.partitionCall(topic, func(p *C.steady_consumer, t *C.char, e **C.steady_error) C.steady_result {
		return C.steady_consumer_committed(p, t, C.int32_t(partition), &offset, e)
	})
	if err != nil {
		return OffsetNone, err
	}
	return int64(offset), nil
}
