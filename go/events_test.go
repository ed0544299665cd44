package steady

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// seenEvent is an event as a handler saw it, with when it came and when its handler returned.
type seenEvent struct {
	Kind       EventKind
	Partitions []PartitionOffset
	Reason     CommitReason
	Err        error
	Received   time.Time
	Returned   time.Time
}

// String is "kind(reason)[partition@offset …]".
func (s seenEvent) String() string {
	var b strings.Builder
	b.WriteString(s.Kind.String())
	if s.Reason != CommitNone {
		fmt.Fprintf(&b, "(%v)", s.Reason)
	}
	b.WriteString("[")
	for i, p := range s.Partitions {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%d@%d", p.Partition, p.Offset)
	}
	b.WriteString("]")
	if s.Err != nil {
		fmt.Fprintf(&b, ": %v", s.Err)
	}
	return b.String()
}

// offset is the offset the event gives partition p, and whether it names p.
func (s seenEvent) offset(p int32) (int64, bool) {
	for _, po := range s.Partitions {
		if po.Partition == p {
			return po.Offset, true
		}
	}
	return 0, false
}

// recorder collects the events ServeEvents hands a member's handler.
type recorder struct {
	mu     sync.Mutex
	events []seenEvent
	topic  string
	bad    []string // events whose shape is wrong
}

func (r *recorder) handle(e *Event) {
	s := seenEvent{Kind: e.Kind, Partitions: append([]PartitionOffset(nil), e.Partitions...), Reason: e.CommitReason, Err: e.Err, Received: time.Now()}
	var bad string
	for _, p := range e.Partitions {
		if p.Topic != r.topic {
			bad = fmt.Sprintf("%v names topic %q", e, p.Topic)
		}
		if (e.Kind == EventRevoked || e.Kind == EventLost) && p.Offset != OffsetNone {
			bad = fmt.Sprintf("%v has an offset", e)
		}
	}
	if (e.Kind == EventCommitted) != (e.CommitReason != CommitNone) {
		bad = fmt.Sprintf("%v: reason %v", e, e.CommitReason)
	}
	s.Returned = time.Now() // the handler acks nothing: it returns here
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, s)
	if bad != "" {
		r.bad = append(r.bad, bad)
	}
}

// wait polls (every 10 ms, up to timeout) for an event at index from or later that match
// accepts; its index, or -1.
func (r *recorder) wait(from int, timeout time.Duration, match func(seenEvent) bool) int {
	for deadline := time.Now().Add(timeout); ; {
		r.mu.Lock()
		for i := from; i < len(r.events); i++ {
			if match(r.events[i]) {
				r.mu.Unlock()
				return i
			}
		}
		r.mu.Unlock()
		if time.Now().After(deadline) {
			return -1
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (r *recorder) get(i int) seenEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.events[i]
}

func (r *recorder) all() []seenEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seenEvent(nil), r.events...)
}

func kind(k EventKind) func(seenEvent) bool { return func(s seenEvent) bool { return s.Kind == k } }

func committed(reason CommitReason) func(seenEvent) bool {
	return func(s seenEvent) bool { return s.Kind == EventCommitted && s.Reason == reason }
}

// seenRecords tracks the records delivered across the members.
type seenRecords struct {
	partitionOf map[int]int32          // sequence number → partition
	next        [2]map[int32]int64     // per member: offset after the last record acked
	first       [2]map[int32]time.Time // per member: when its first record of a partition came
}

func newSeenRecords() *seenRecords {
	s := &seenRecords{partitionOf: map[int]int32{}}
	for i := range 2 {
		s.next[i] = map[int32]int64{}
		s.first[i] = map[int32]time.Time{}
	}
	return s
}

// take polls member's consumer once: the record is checked, noted and acked. nil on timeout.
func (s *seenRecords) take(t *testing.T, c *Consumer, member int, timeout time.Duration) *Message {
	t.Helper()
	m, err := c.Poll(timeout)
	if err != nil {
		t.Fatalf("member %d: Poll: %v", member, err)
	}
	if m == nil {
		return nil
	}
	seq, err := strconv.Atoi(string(m.Value))
	if err != nil {
		t.Fatalf("payload %q", m.Value)
	}
	if p, ok := s.partitionOf[seq]; ok && p != m.Partition {
		t.Errorf("record %d came from partitions %d and %d", seq, p, m.Partition)
	}
	s.partitionOf[seq] = m.Partition
	if _, ok := s.first[member][m.Partition]; !ok {
		s.first[member][m.Partition] = time.Now()
	}
	s.next[member][m.Partition] = m.Offset + 1
	if err := m.Ack(); err != nil {
		t.Fatalf("Ack: %v", err)
	}
	return m
}

func eventMember(t *testing.T, group string, topic string) *Consumer {
	t.Helper()
	c, err := NewConsumer(consumerSettings(t, map[string]string{
		"group.id":                      group,
		"steady.events.enable":          "true",
		"partition.assignment.strategy": "cooperative-sticky",
		"session.timeout.ms":            "30000",
		"steady.revoke.drain.ms":        "20000",
		// No background commit during the test: every commit result is one it caused.
		"auto.commit.interval.ms": "600000",
	}), []string{topic})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The event scenario of the spec: 4 partitions, 400 records (payload = sequence number),
// members A and B of one group.
func TestEventScenario(t *testing.T) {
	const partitions, records = 4, 400
	topic := createTopic(t, "events", partitions)
	lines := make([]string, records)
	for i := range lines {
		lines[i] = fmt.Sprintf("s:%d\tk%d\t%d", i, i, i)
	}
	produce(t, topic, lines)
	group := unique("events")
	rs := newSeenRecords()

	ra := &recorder{topic: topic}
	a := eventMember(t, group, topic)
	defer a.Close()
	a.ServeEvents(ra.handle)
	defer func() { t.Logf("A's events: %v", ra.all()) }()

	// 1. A's first event: assigned, the 4 partitions, nothing committed.
	if ra.wait(0, 90*time.Second, kind(EventAssigned)) != 0 {
		t.Fatalf("A's first event: %v", ra.all())
	}
	if first := ra.get(0); len(first.Partitions) != partitions {
		t.Fatalf("assigned %v", first.Partitions)
	} else {
		for _, p := range first.Partitions {
			if p.Offset != OffsetNone {
				t.Errorf("assigned %v: an offset, yet nothing is committed", p)
			}
		}
	}

	// 2. A acks 200 records and commits: a committed event (explicit, no error, as acked).
	for taken, deadline := 0, time.Now().Add(90*time.Second); taken < records/2; {
		if time.Now().After(deadline) {
			t.Fatalf("A took %d records", taken)
		}
		if rs.take(t, a, 0, time.Second) != nil {
			taken++
		}
	}
	ackedA := map[int32]int64{}
	for p, o := range rs.next[0] {
		ackedA[p] = o
	}
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	explicitAt := ra.wait(1, 30*time.Second, committed(CommitExplicit))
	if explicitAt < 0 {
		t.Fatalf("no explicit commit event: %v", ra.all())
	}
	explicit := ra.get(explicitAt)
	if explicit.Err != nil {
		t.Errorf("explicit commit: %v", explicit.Err)
	}
	// The group's committed offsets: the acked prefix; a partition nothing was acked of is
	// left out or committed at its start (0).
	groupCommitted := map[int32]int64{}
	for p := int32(0); p < partitions; p++ {
		got, listed := explicit.offset(p)
		groupCommitted[p] = OffsetNone
		if listed {
			groupCommitted[p] = got
		}
		if acked := ackedA[p]; (acked > 0 && got != acked) || (acked == 0 && listed && got != 0) {
			t.Errorf("partition %d: committed %d (listed %v), acked up to %d", p, got, listed, acked)
		}
	}

	// 3. B joins: A has a strict subset revoked; B gets them at A's committed offsets, after
	// A's handler returned and after the commit covering them.
	rb := &recorder{topic: topic}
	b := eventMember(t, group, topic)
	defer b.Close()
	b.ServeEvents(rb.handle)
	defer func() { t.Logf("B's events: %v", rb.all()) }()
	revokedAt := ra.wait(explicitAt+1, 90*time.Second, kind(EventRevoked))
	if revokedAt < 0 {
		t.Fatal("A had nothing revoked")
	}
	revoked := ra.get(revokedAt)
	if n := len(revoked.Partitions); n == 0 || n >= partitions {
		t.Fatalf("revoked %v: not a strict subset", revoked.Partitions)
	}
	if rb.wait(0, 90*time.Second, kind(EventAssigned)) != 0 {
		t.Fatalf("B's first event: %v", rb.all())
	}
	assignedB := rb.get(0)
	if len(assignedB.Partitions) != len(revoked.Partitions) {
		t.Fatalf("B assigned %v, A revoked %v", assignedB.Partitions, revoked.Partitions)
	}
	for _, e := range ra.all()[explicitAt+1:] {
		if e.Kind != EventCommitted {
			continue
		}
		if e.Reason != CommitRevoke || e.Err != nil || e.Received.After(assignedB.Received) {
			t.Errorf("commit after the explicit one: %+v", e)
		}
		for _, p := range e.Partitions {
			groupCommitted[p.Partition] = p.Offset
		}
	}
	moved := map[int32]bool{}
	for _, p := range revoked.Partitions {
		moved[p.Partition] = true
		if got, _ := assignedB.offset(p.Partition); got != groupCommitted[p.Partition] {
			t.Errorf("B's partition %d starts at %d, A committed %d", p.Partition, got, groupCommitted[p.Partition])
		}
	}
	if revoked.Returned.After(assignedB.Received) || explicit.Received.After(assignedB.Received) {
		t.Errorf("B was assigned before A's revoke handler returned or its commit")
	}
	kept := int32(-1)
	for p := int32(0); p < partitions && kept < 0; p++ {
		if !moved[p] {
			kept = p
		}
	}

	// 4. Pause kept, seek it back to 0 (Position reports it before delivery): for 2 s nothing
	// of it comes from A, though it has records to give; Committed is the broker's value;
	// Resume: it flows again from offset 0.
	if err := a.Pause(topic, kept); err != nil {
		t.Fatal(err)
	}
	if err := a.Seek(topic, kept, 0); err != nil {
		t.Fatal(err)
	}
	if pos, err := a.Position(topic, kept); err != nil || pos != 0 {
		t.Errorf("Position after Seek(0): %d %v", pos, err)
	}
	for until := time.Now().Add(2 * time.Second); time.Now().Before(until); {
		if m := rs.take(t, a, 0, 100*time.Millisecond); m != nil && m.Partition == kept {
			t.Fatalf("record %d of paused partition %d delivered", m.Offset, kept)
		}
		rs.take(t, b, 1, 0)
	}
	if got, err := a.Committed(topic, kept); err != nil || got != groupCommitted[kept] {
		t.Errorf("Committed: %d %v, want %d", got, err, groupCommitted[kept])
	}
	if err := a.Resume(topic, kept); err != nil {
		t.Fatal(err)
	}
	replayed := int64(-1)
	for deadline := time.Now().Add(time.Minute); replayed < 0 && time.Now().Before(deadline); {
		if m := rs.take(t, a, 0, 200*time.Millisecond); m != nil && m.Partition == kept {
			replayed = m.Offset
		}
		rs.take(t, b, 1, 0)
	}
	if replayed != 0 {
		t.Errorf("first record of %d after the seek: %d, want 0", kept, replayed)
	}

	// 5. Every record seen at least once across A and B.
	for deadline := time.Now().Add(90 * time.Second); len(rs.partitionOf) < records && time.Now().Before(deadline); {
		rs.take(t, a, 0, 50*time.Millisecond)
		rs.take(t, b, 1, 50*time.Millisecond)
	}
	if len(rs.partitionOf) != records {
		t.Errorf("%d of %d records seen", len(rs.partitionOf), records)
	}
	for p := range moved {
		if at, ok := rs.first[1][p]; ok && at.Before(revoked.Returned) {
			t.Errorf("B's first record of %d came before A's revoke handler returned", p)
		}
	}

	// 6. Close A: a revoked event for the rest, a committed(close) when it acked something
	// since, then the event goroutine ends (NextEvent: ErrClosed).
	before := len(ra.all())
	ackedSince := false
	for p, o := range rs.next[0] {
		ackedSince = ackedSince || (!moved[p] && o > ackedA[p])
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	// The events queued at close reach the handler; then NextEvent says closed.
	last := ra.wait(before, 30*time.Second, kind(EventRevoked))
	if last < 0 {
		t.Fatalf("no revoked event on close: %v", ra.all()[before:])
	}
	if ackedSince && ra.wait(last, 30*time.Second, committed(CommitClose)) < 0 {
		t.Errorf("no committed(close) event: %v", ra.all()[before:])
	}
	if n := len(ra.get(last).Partitions); n != partitions-len(revoked.Partitions) {
		t.Errorf("revoked on close: %v", ra.get(last).Partitions)
	}
	for _, e := range ra.all()[last+1:] {
		if e.Kind != EventCommitted || e.Reason != CommitClose || e.Err != nil {
			t.Errorf("after the close revoke: %+v", e)
		}
		for _, p := range e.Partitions {
			if moved[p.Partition] || p.Offset != rs.next[0][p.Partition] {
				t.Errorf("close committed %v, acked up to %d", p, rs.next[0][p.Partition])
			}
		}
	}
	if e, err := a.NextEvent(0); e != nil || !errors.Is(err, ErrClosed) {
		t.Errorf("NextEvent after Close: %v %v", e, err)
	}
	if err := a.Pause(topic, kept); !errors.Is(err, ErrClosed) {
		t.Errorf("Pause after Close: %v", err)
	}
	for _, r := range []*recorder{ra, rb} {
		if len(r.bad) > 0 {
			t.Errorf("malformed events: %v", r.bad)
		}
	}
}

// NextEvent without a limit returns ErrClosed once another goroutine closes the consumer, after
// the events queued before (a revoked event for the assignment); a Done event stays Done.
func TestCloseWakesNextEvent(t *testing.T) {
	topic := createTopic(t, "events-close", 1)
	c, err := NewConsumer(consumerSettings(t, map[string]string{"steady.events.enable": "true"}), []string{topic})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var first *Event
	for deadline := time.Now().Add(90 * time.Second); first == nil && time.Now().Before(deadline); {
		if first, err = c.NextEvent(time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if first == nil || first.Kind != EventAssigned || len(first.Partitions) != 1 || first.Partitions[0] != (PartitionOffset{topic, 0, OffsetNone}) {
		t.Fatalf("first event %v", first)
	}
	if first.Err != nil || first.CommitReason != CommitNone || first.String() != "assigned ["+topic+"/0]" {
		t.Errorf("first event %q: %v %v", first.String(), first.Err, first.CommitReason)
	}
	first.Done()
	first.Done() // idempotent

	type result struct {
		kinds []EventKind
		err   error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		for {
			e, err := c.NextEvent(-1)
			if err != nil {
				r.err = err
				done <- r
				return
			}
			r.kinds = append(r.kinds, e.Kind)
			e.Done()
		}
	}()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-done:
		if !errors.Is(r.err, ErrClosed) || len(r.kinds) == 0 || r.kinds[len(r.kinds)-1] != EventRevoked {
			t.Errorf("events %v, then %v", r.kinds, r.err)
		}
	case <-time.After(time.Minute):
		t.Fatal("NextEvent did not return after Close")
	}
	if e, err := c.NextEvent(-1); e != nil || !errors.Is(err, ErrClosed) {
		t.Errorf("NextEvent after Close: %v %v", e, err)
	}
}

// An Event nobody calls Done on is done by its cleanup once unreachable: the partitions of an
// assignment held paused behind it start to deliver long before steady.processing.timeout.ms.
// Then a Close nobody reads events during keeps them for NextEvent.
func TestUnreachableEventIsDone(t *testing.T) {
	topic := createTopic(t, "events-gc", 1)
	produce(t, topic, []string{"n:1\tk1\tv1"})
	c, err := NewConsumer(consumerSettings(t, map[string]string{
		"steady.events.enable":         "true",
		"steady.processing.timeout.ms": "300000",
		"steady.revoke.drain.ms":       "2000",
	}), []string{topic})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got := false
	for deadline := time.Now().Add(90 * time.Second); !got && time.Now().Before(deadline); {
		e, err := c.NextEvent(time.Second)
		if err != nil {
			t.Fatal(err)
		}
		got = e != nil && e.Kind == EventAssigned
		// e is dropped here without Done.
	}
	if !got {
		t.Fatal("no assigned event")
	}
	if m, err := c.Poll(500 * time.Millisecond); m != nil || err != nil {
		t.Fatalf("a record while the assigned event is not done: %v %v", m, err)
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		runtime.GC()
		m, err := c.Poll(200 * time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if m != nil {
			if string(m.Value) != "v1" {
				t.Errorf("record %q", m.Value)
			}
			if err := m.Ack(); err != nil {
				t.Fatal(err)
			}
			closeUnread(t, c, topic)
			return
		}
	}
	t.Fatal("the record never came: the unreachable event was not done")
}

// closeUnread closes c while nobody reads its events: the revoke waits out
// steady.revoke.drain.ms; then NextEvent hands out the events still queued (the revoked one
// and the final commit of the acked record), then ErrClosed.
func closeUnread(t *testing.T, c *Consumer, topic string) {
	t.Helper()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for range 10 {
		e, err := c.NextEvent(time.Second)
		if errors.Is(err, ErrClosed) {
			break
		}
		if err != nil || e == nil {
			t.Fatalf("NextEvent after Close: %v %v", e, err)
		}
		got = append(got, e.String())
		e.Done()
	}
	want := []string{"revoked [" + topic + "/0]", "committed(close) [" + topic + "/0@1]"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("events after Close: %q, want %q", got, want)
	}
}

// Misuse: events off, partitions not assigned, bad arguments, calls after Close.
func TestEventMisuse(t *testing.T) {
	topic := createTopic(t, "events-misuse", 1)
	c, err := NewConsumer(consumerSettings(t, nil), []string{topic})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if e, err := c.NextEvent(100 * time.Millisecond); e != nil || !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), "steady.events.enable") {
		t.Errorf("NextEvent with events off: %v %v", e, err)
	}
	c.ServeEvents(func(*Event) { t.Error("an event with events off") }) // ends at once

	notAssigned := func(name string, err error) {
		t.Helper()
		if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), "is not assigned to this consumer") {
			t.Errorf("%s of a partition not assigned: %v", name, err)
		}
	}
	notAssigned("Pause", c.Pause(topic, 99))
	notAssigned("Resume", c.Resume(topic, 99))
	notAssigned("Seek", c.Seek(topic, 99, 1))
	pos, err := c.Position(topic, 99)
	notAssigned("Position", err)
	if pos != OffsetNone {
		t.Errorf("Position on error: %d", pos)
	}
	_, err = c.Committed(topic, 99)
	notAssigned("Committed", err)
	if err := c.Seek(topic, 0, -3); !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), "offset -3") {
		t.Errorf("Seek to -3: %v", err)
	}
	if err := c.Pause("bad\xff", 0); code(err) != ResultInvalidUTF8 || !strings.Contains(err.Error(), "topic") {
		t.Errorf("Pause of a non-UTF-8 topic: %v", err)
	}

	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"NextEvent": second(c.NextEvent(0)),
		"Pause":     c.Pause(topic, 0),
		"Resume":    c.Resume(topic, 0),
		"Seek":      c.Seek(topic, 0, 0),
		"Position":  second(c.Position(topic, 0)),
		"Committed": second(c.Committed(topic, 0)),
	} {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v", name, err)
		}
	}
	c.ServeEvents(func(*Event) { t.Error("an event after Close") })

	// The names and values match the C ABI's.
	for k, want := range map[EventKind]string{EventAssigned: "assigned", EventRevoked: "revoked", EventLost: "lost", EventCommitted: "committed", 9: "EventKind(9)"} {
		if k.String() != want {
			t.Errorf("%d: %q", int(k), k.String())
		}
	}
	for r, want := range map[CommitReason]string{CommitNone: "none", CommitBackground: "background", CommitExplicit: "explicit", CommitRevoke: "revoke", CommitClose: "close"} {
		if r.String() != want {
			t.Errorf("%d: %q", int(r), r.String())
		}
	}
	if EventAssigned != 1 || EventCommitted != 4 || CommitClose != 4 || OffsetNone != -1 {
		t.Error("values differ from the header's")
	}
}
