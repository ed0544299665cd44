package steady

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
)

// A handler slower than max.poll.interval.ms (6 s) for every record: no rebalance after the
// first assignment, every record processed once.
func TestSlowHandlerNoRebalance(t *testing.T) {
	const records = 2
	const handler = 7 * time.Second
	topic := createTopic(t, "slow", 1)
	produce(t, topic, []string{"n:1\tk1\tslow-1", "n:2\tk2\tslow-2"})
	c, err := NewConsumer(consumerSettings(t, map[string]string{
		"session.timeout.ms":    "6000",
		"heartbeat.interval.ms": "2000",
		"max.poll.interval.ms":  "6000",
	}), []string{topic})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	m := firstMessage(t, c)
	before, err := c.Stats()
	if err != nil || before.Rebalances < 1 {
		t.Fatalf("stats %+v, %v", before, err)
	}
	for processed := 0; ; {
		if m.Offset != int64(processed) || string(m.Value) != fmt.Sprintf("slow-%d", processed+1) {
			t.Fatalf("record %d: offset %d value %q", processed, m.Offset, m.Value)
		}
		time.Sleep(handler) // the slow handler
		if err := m.Ack(); err != nil {
			t.Fatal(err)
		}
		if err := m.Ack(); err != nil {
			t.Fatalf("second Ack: %v", err)
		}
		processed++
		if processed == records {
			break
		}
		if m, err = c.Poll(30 * time.Second); err != nil || m == nil {
			t.Fatalf("record %d: %v %v", processed, m, err)
		}
	}
	if again, err := c.Poll(2 * time.Second); again != nil || err != nil {
		t.Fatalf("delivered again: %+v %v", again, err)
	}
	after, err := c.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if after.Rebalances != before.Rebalances || after.Acked != records {
		t.Fatalf("rebalances %d → %d, acked %d", before.Rebalances, after.Rebalances, after.Acked)
	}
	if err := c.Commit(); err != nil {
		t.Fatal(err)
	}
}

// Two goroutines poll and ack at once; every record arrives once, headers and keys intact.
func TestConcurrentPollAndAck(t *testing.T) {
	const records = 20
	topic := createTopic(t, "concurrent", 2)
	lines := make([]string, records)
	for i := range lines {
		lines[i] = fmt.Sprintf("i:%d\tk%d\tv%d", i, i, i)
	}
	produce(t, topic, lines)
	c, err := NewConsumer(consumerSettings(t, nil), []string{topic})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	deadline := time.Now().Add(90 * time.Second)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				batch, err := c.PollBatch(4, 500*time.Millisecond)
				if err != nil {
					t.Error(err)
					return
				}
				for _, m := range batch {
					if len(m.Headers) != 1 || m.Headers[0].Name != "i" || "k"+string(m.Headers[0].Value) != string(m.Key) {
						t.Errorf("record %+v", m)
					}
					mu.Lock()
					if seen[string(m.Value)] {
						t.Errorf("%s delivered twice", m.Value)
					}
					seen[string(m.Value)] = true
					done := len(seen) == records
					mu.Unlock()
					if err := m.Ack(); err != nil {
						t.Error(err)
					}
					if done {
						return
					}
				}
				mu.Lock()
				done := len(seen) == records
				mu.Unlock()
				if done {
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(seen) != records {
		t.Fatalf("%d of %d records", len(seen), records)
	}
	stats, err := c.Stats()
	if err != nil || stats.Acked != records {
		t.Fatalf("stats %+v %v", stats, err)
	}
}

// Close from another goroutine wakes a Poll that has no time limit.
func TestCloseWakesPoll(t *testing.T) {
	topic := createTopic(t, "close", 1)
	c, err := NewConsumer(consumerSettings(t, nil), []string{topic})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	started := make(chan struct{})
	go func() {
		close(started)
		m, err := c.Poll(-1)
		if m != nil {
			err = fmt.Errorf("unexpected record %+v", m)
		}
		done <- err
	}()
	<-started
	time.Sleep(time.Second) // let it block inside Poll; the outcome is the same if it has not yet
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("Poll returned %v, want ErrClosed", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Close did not wake Poll")
	}
}

// A consumer nobody closes is freed by its cleanup once unreachable.
func TestCleanupFreesUnclosedConsumer(t *testing.T) {
	freed := make(chan struct{})
	func() {
		c, err := NewConsumer(consumerSettings(t, nil), []string{unique("unclosed")})
		if err != nil {
			t.Fatal(err)
		}
		runtime.AddCleanup(c, func(ch chan struct{}) { close(ch) }, freed)
	}()
	deadline := time.After(time.Minute)
	for {
		runtime.GC()
		select {
		case <-freed:
			return
		case <-deadline:
			t.Fatal("the unclosed consumer stayed reachable")
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// A message does not keep its consumer alive: a consumer nobody closes is freed by its cleanup
// while one of its messages is still held, and that message's Ack then returns ErrClosed.
func TestMessageDoesNotKeepConsumer(t *testing.T) {
	topic := createTopic(t, "keep", 1)
	produce(t, topic, []string{"n:1\tk1\tv1"})
	freed := make(chan struct{})
	var m *Message
	func() {
		c, err := NewConsumer(consumerSettings(t, map[string]string{"steady.revoke.drain.ms": "0"}), []string{topic})
		if err != nil {
			t.Fatal(err)
		}
		m = firstMessage(t, c)
		runtime.AddCleanup(c, func(ch chan struct{}) { close(ch) }, freed)
	}()
	deadline := time.After(time.Minute)
	for collected := false; !collected; {
		runtime.GC()
		select {
		case <-freed:
			collected = true
		case <-deadline:
			t.Fatal("the consumer stayed reachable through its message")
		case <-time.After(100 * time.Millisecond):
		}
	}
	// The cleanup closes the consumer on its own goroutine; until then an Ack may still land.
	for end := time.Now().Add(time.Minute); ; {
		err := m.Ack()
		if errors.Is(err, ErrClosed) {
			break
		}
		if err != nil || time.Now().After(end) {
			t.Fatalf("Ack after the consumer was collected: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if m.Topic != topic || string(m.Value) != "v1" {
		t.Errorf("message reads %s %q", m.Topic, m.Value)
	}
}
