package steady

import (
	"errors"
	"testing"
	"time"
)

// waitEvent returns the first event of kind within 60 s, marking the others done.
func waitEvent(t *testing.T, c *Consumer, kind EventKind) *Event {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		ev, err := c.NextEvent(500 * time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if ev == nil {
			continue
		}
		if ev.Kind == kind {
			return ev
		}
		ev.Done()
	}
	t.Fatalf("no %v event within 60 s", kind)
	return nil
}

// nextOf polls until a record of offset arrives (30 s at most), dropping others into rest.
func nextOf(t *testing.T, c *Consumer, offset int64, rest map[int64]*Message) *Message {
	t.Helper()
	if m := rest[offset]; m != nil {
		delete(rest, offset)
		return m
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		m, err := c.Poll(500 * time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if m == nil {
			continue
		}
		if m.Offset == offset {
			return m
		}
		rest[m.Offset] = m
	}
	t.Fatalf("offset %d not delivered within 30 s", offset)
	return nil
}

func committedAfterCommit(t *testing.T, c *Consumer, topic string) int64 {
	t.Helper()
	if err := c.Commit(); err != nil {
		t.Fatal(err)
	}
	off, err := c.Committed(topic, 0)
	if err != nil {
		t.Fatal(err)
	}
	return off
}

// A record nacked twice, then acked, comes again with Attempt 2, then 3, and is committed only
// after the ack; a rejected record goes to steady.dlq.topic with the source headers, counts as
// acked once there, and an EventDeadLettered names it.
func TestNackRejectDeadLetter(t *testing.T) {
	topic := createTopic(t, "retries", 1)
	dlq := createTopic(t, "dlq", 1)
	produce(t, topic, []string{"r:1\tk1\tretry-me", "r:2\tk2\treject-me"})
	c, err := NewConsumer(consumerSettings(t, map[string]string{
		"enable.auto.commit":      "false",
		"steady.events.enable":    "true",
		"steady.retry.backoff.ms": "100",
		"steady.dlq.topic":        dlq,
		"steady.revoke.drain.ms":  "500",
	}), []string{topic})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	waitEvent(t, c, EventAssigned).Done()

	rest := map[int64]*Message{}
	m := nextOf(t, c, 0, rest)
	if m.Attempt() != 1 {
		t.Fatalf("first delivery: attempt %d", m.Attempt())
	}
	if err := m.Nack("first failure"); err != nil {
		t.Fatal(err)
	}
	if err := m.Ack(); err != nil { // after a nack: no effect
		t.Fatal(err)
	}
	m = nextOf(t, c, 0, rest)
	if m.Attempt() != 2 {
		t.Fatalf("second delivery: attempt %d", m.Attempt())
	}
	if err := m.NackAfter("second failure", 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if off := committedAfterCommit(t, c, topic); off != 0 {
		t.Fatalf("committed %d while offset 0 is retried", off)
	}
	m = nextOf(t, c, 0, rest)
	if m.Attempt() != 3 || string(m.Value) != "retry-me" {
		t.Fatalf("third delivery: attempt %d value %q", m.Attempt(), m.Value)
	}
	if off := committedAfterCommit(t, c, topic); off != 0 {
		t.Fatalf("committed %d before the ack", off)
	}
	if err := m.Ack(); err != nil {
		t.Fatal(err)
	}
	if off := committedAfterCommit(t, c, topic); off != 1 {
		t.Fatalf("committed %d after the ack, want 1", off)
	}

	r := nextOf(t, c, 1, rest)
	if err := r.Reject("cannot parse"); err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, c, EventDeadLettered)
	if ev.Kind.String() != "dead_lettered" || len(ev.Partitions) != 1 || ev.Err != nil ||
		ev.Partitions[0] != (PartitionOffset{Topic: topic, Partition: 0, Offset: 1}) {
		t.Fatalf("dead-lettered event: %+v", ev)
	}
	ev.Done()
	if off := committedAfterCommit(t, c, topic); off != 2 {
		t.Fatalf("committed %d after the dead letter, want 2", off)
	}
	stats, err := c.Stats()
	if err != nil || stats.Retries != 2 || stats.DeadLettered != 1 || stats.ParkedRecords != 0 {
		t.Fatalf("stats %+v, %v", stats, err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Nack("late"); !errors.Is(err, ErrClosed) {
		t.Fatalf("Nack after Close: %v", err)
	}

	reader, err := NewConsumer(consumerSettings(t, nil), []string{dlq})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	letter := firstMessage(t, reader)
	headers := map[string]string{}
	for _, h := range letter.Headers {
		headers[h.Name] = string(h.Value)
	}
	want := map[string]string{
		"r": "2", "steady.source.topic": topic, "steady.source.partition": "0",
		"steady.source.offset": "1", "steady.attempts": "1", "steady.error": "cannot parse",
	}
	for k, v := range want {
		if headers[k] != v {
			t.Errorf("header %s = %q, want %q (all: %v)", k, headers[k], v, headers)
		}
	}
	if string(letter.Key) != "k2" || string(letter.Value) != "reject-me" {
		t.Errorf("dead letter %q → %q", letter.Key, letter.Value)
	}
}
