package steady

import (
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// pollN polls batches until n records arrived (60 s at most).
func pollN(t *testing.T, c *Consumer, n int) []*Message {
	t.Helper()
	var all []*Message
	deadline := time.Now().Add(60 * time.Second)
	for len(all) < n && time.Now().Before(deadline) {
		ms, err := c.PollBatch(n-len(all), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ms...)
	}
	if len(all) != n {
		t.Fatalf("%d of %d records within 60 s", len(all), n)
	}
	return all
}

// Consumer.Ack acks a batch with one call: the commit covers exactly what it acked, a second
// Ack of those is a no-op, nil entries are skipped, and after Close it reports ErrClosed. Every
// message of a batch reads its own record, with the topic name shared.
func TestBatchAck(t *testing.T) {
	const records = 6
	topic := createTopic(t, "bulk", 1)
	lines := make([]string, records)
	for i := range lines {
		lines[i] = fmt.Sprintf("b:%d\tk%d\tv%d", i, i, i)
	}
	produce(t, topic, lines)
	c, err := NewConsumer(consumerSettings(t, map[string]string{
		"enable.auto.commit":     "false",
		"steady.revoke.drain.ms": "500",
	}), []string{topic})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	ms := pollN(t, c, records)
	for i, m := range ms {
		if m.Topic != topic || m.Offset != int64(i) || string(m.Key) != fmt.Sprintf("k%d", i) ||
			string(m.Value) != fmt.Sprintf("v%d", i) || len(m.Headers) != 1 ||
			m.Headers[0].Name != "b" || string(m.Headers[0].Value) != fmt.Sprint(i) || m.Timestamp.IsZero() {
			t.Fatalf("record %d: %+v", i, m)
		}
	}
	// The key's room ends at the key: appending to it leaves the value alone.
	_ = append(ms[0].Key, 'x')
	if string(ms[0].Value) != "v0" {
		t.Fatalf("value after an append to the key: %q", ms[0].Value)
	}

	if err := c.Ack(); err != nil {
		t.Fatalf("Ack of nothing: %v", err)
	}
	if err := c.Ack(ms[0], nil, ms[1], ms[2]); err != nil {
		t.Fatal(err)
	}
	if err := ms[3].Ack(); err != nil {
		t.Fatal(err)
	}
	if err := c.Ack(ms[:4]...); err != nil {
		t.Fatalf("second Ack: %v", err)
	}
	if err := ms[1].Ack(); err != nil {
		t.Fatalf("Message.Ack after Consumer.Ack: %v", err)
	}
	if err := c.Commit(); err != nil {
		t.Fatal(err)
	}
	if off, err := c.Committed(topic, 0); err != nil || off != 4 {
		t.Fatalf("committed %d, %v; want 4", off, err)
	}
	stats, err := c.Stats()
	if err != nil || stats.Acked != 4 {
		t.Fatalf("acked %d, %v; want 4", stats.Acked, err)
	}

	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Ack(ms[4:]...); !errors.Is(err, ErrClosed) {
		t.Fatalf("Ack after Close: %v", err)
	}
	if err := c.Ack(ms[0]); !errors.Is(err, ErrClosed) {
		t.Fatalf("Ack of an acked message after Close: %v", err)
	}
	if string(ms[5].Value) != "v5" || ms[5].Topic != topic {
		t.Fatalf("after Close: %+v", ms[5])
	}
}

// Messages nobody acks are released by their batch's cleanup once unreachable; polling,
// dropping and collecting many batches and single polls leaves the consumer working.
func TestUnackedMessagesAreReleased(t *testing.T) {
	const records = 2000
	topic := createTopic(t, "unacked", 1)
	lines := make([]string, records)
	for i := range lines {
		lines[i] = fmt.Sprintf("n:%d\tk%d\tv%d", i, i, i)
	}
	produce(t, topic, lines)
	c, err := NewConsumer(consumerSettings(t, map[string]string{
		"steady.revoke.drain.ms": "200",
	}), []string{topic})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got := 0
	deadline := time.Now().Add(60 * time.Second)
	for got < records && time.Now().Before(deadline) {
		if got%2 == 0 {
			ms, err := c.PollBatch(100, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			got += len(ms)
		} else if m, err := c.Poll(time.Second); err != nil {
			t.Fatal(err)
		} else if m != nil {
			got++
		}
		runtime.GC()
	}
	if got != records {
		t.Fatalf("%d of %d records", got, records)
	}
	runtime.GC()
	runtime.GC()
}
