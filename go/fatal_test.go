package steady

import (
	"errors"
	"testing"
	"time"
)

// fatalWithin polls c until it fails, for at most limit, and returns that error as an *Error
// that must be fatal and match ErrKafkaFatal. Records that still arrive are acked.
func fatalWithin(t *testing.T, c *Consumer, limit time.Duration) *Error {
	t.Helper()
	start := time.Now()
	for time.Since(start) < limit {
		m, err := c.Poll(time.Second)
		if m != nil {
			m.Ack()
			continue
		}
		if err == nil {
			continue
		}
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrKafkaFatal) || !e.IsFatal() {
			t.Fatalf("Poll after %v: %v, want a fatal Kafka error", time.Since(start).Round(time.Millisecond), err)
		}
		t.Logf("fatal after %v: %v", time.Since(start).Round(time.Millisecond), err)
		return e
	}
	t.Fatalf("no fatal error within %v", limit)
	return nil
}

// stillFatal checks that later calls return the same fatal error at once, and that Close works.
func stillFatal(t *testing.T, c *Consumer, name string) {
	t.Helper()
	start := time.Now()
	_, err := c.Poll(30 * time.Second)
	var e *Error
	if !errors.As(err, &e) || !e.IsFatal() || e.KafkaName() != name || time.Since(start) > 10*time.Second {
		t.Errorf("Poll after the fatal error: %v after %v", err, time.Since(start))
	}
	if _, err := c.PollBatch(4, 30*time.Second); !errors.Is(err, ErrKafkaFatal) {
		t.Errorf("PollBatch after the fatal error: %v", err)
	}
	if err := c.Commit(); !errors.Is(err, ErrKafkaFatal) {
		t.Errorf("Commit after the fatal error: %v", err)
	}
	if stats, err := c.Stats(); err != nil || stats.FatalError == nil || stats.Errors == 0 {
		t.Errorf("stats after the fatal error: %+v %v", stats, err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close after the fatal error: %v", err)
	}
	if _, err := c.Poll(0); !errors.Is(err, ErrClosed) {
		t.Errorf("Poll after Close: %v", err)
	}
}

// Two members with one group.instance.id (classic protocol): the second fences the first,
// whose Poll then fails with the fatal FENCED_INSTANCE_ID.
func TestFencedStaticMember(t *testing.T) {
	topic := createTopic(t, "fenced", 1)
	produce(t, topic, []string{"n:1\tk1\tv1"})
	settings := consumerSettings(t, map[string]string{
		"group.instance.id":  unique("instance"),
		"session.timeout.ms": "6000",
	})
	a, err := NewConsumer(settings, []string{topic})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := firstMessage(t, a).Ack(); err != nil { // a has its assignment
		t.Fatal(err)
	}

	b, err := NewConsumer(settings, []string{topic})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	e := fatalWithin(t, a, 30*time.Second)
	if e.KafkaName() != "FENCED_INSTANCE_ID" || e.KafkaCode() != 82 {
		t.Errorf("kafka %s (%d), want FENCED_INSTANCE_ID (82): %v", e.KafkaName(), e.KafkaCode(), e)
	}
	stillFatal(t, a, "FENCED_INSTANCE_ID")
	if err := b.Close(); err != nil {
		t.Errorf("Close of the member that stayed: %v", err)
	}
}

// A KIP-848 group with an assignor the broker does not have: fatal UNSUPPORTED_ASSIGNOR.
func TestUnsupportedAssignor(t *testing.T) {
	topic := createTopic(t, "assignor", 1)
	c, err := NewConsumer(consumerSettings(t, map[string]string{
		"group.protocol":        "consumer",
		"group.remote.assignor": "bogus",
	}), []string{topic})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	e := fatalWithin(t, c, 30*time.Second)
	if e.KafkaName() != "UNSUPPORTED_ASSIGNOR" || e.KafkaCode() != 112 {
		t.Errorf("kafka %s (%d), want UNSUPPORTED_ASSIGNOR (112): %v", e.KafkaName(), e.KafkaCode(), e)
	}
	stillFatal(t, c, "UNSUPPORTED_ASSIGNOR")
}
