package steady

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestCheckMisuse(t *testing.T) {
	cases := []struct {
		name string
		opts CheckOptions
		code Result
		text string
	}{
		{"dialect", CheckOptions{Dialect: "cobol"}, ResultInvalidArgument, "cobol"},
		{"profile", CheckOptions{Profile: "nope"}, ResultInvalidArgument, "nope"},
		{"version", CheckOptions{ClientVersion: "x.y"}, ResultInvalidArgument, "x.y"},
		{"utf8", CheckOptions{Heartbeat: "\xff"}, ResultInvalidUTF8, "heartbeat"},
		{"threads", CheckOptions{RatePerThread: 10}, ResultInvalidArgument, "threads"},
		{"record ms", CheckOptions{RecordMsP50: 50, RecordMsP99: 5}, ResultInvalidArgument, "p99"},
	}
	for _, tc := range cases {
		_, err := Check(map[string]string{}, tc.opts)
		if code(err) != tc.code || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%s: got %v, want code %d naming %q", tc.name, err, tc.code, tc.text)
		}
	}
	if _, err := Check(map[string]string{" ": "1"}, CheckOptions{}); code(err) != ResultConfigSyntax {
		t.Errorf("empty key: %v", err)
	}
	_, err := Probe("127.0.0.1:1", nil, "", 2*time.Second)
	if code(err) != ResultBrokerUnreachable || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("probe of a closed port: %v", err)
	}
}

func TestConsumerMisuse(t *testing.T) {
	topic := createTopic(t, "misuse", 1)
	refused := consumerSettings(t, map[string]string{"session.timeout.ms": "10000", "heartbeat.interval.ms": "10000"})
	if _, err := NewConsumer(refused, []string{topic}); !errors.Is(err, ErrConfigRefused) || !strings.Contains(err.Error(), "heartbeat.interval.ms") {
		t.Errorf("refused settings: %v", err)
	}
	if _, err := NewConsumer(consumerSettings(t, nil), nil); code(err) != ResultInvalidArgument {
		t.Errorf("no topics: %v", err)
	}
	if _, err := NewConsumer(consumerSettings(t, nil), []string{topic, "\xff"}); code(err) != ResultInvalidUTF8 || !strings.Contains(err.Error(), "topics[1]") {
		t.Errorf("bad topic: %v", err)
	}

	for _, bad := range []string{"", "no spaces", "..", "a/b", strings.Repeat("x", 250)} {
		c, err := NewConsumer(consumerSettings(t, nil), []string{topic, bad})
		if !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("topic %q: %v", bad, err)
		}
		if c != nil {
			c.Close()
		}
	}

	c, err := NewConsumer(consumerSettings(t, nil), []string{topic})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PollBatch(0, 0); code(err) != ResultInvalidArgument {
		t.Errorf("PollBatch(0): %v", err)
	}
	if m, err := c.Poll(100 * time.Millisecond); m != nil || err != nil {
		t.Errorf("empty topic: %v %v", m, err)
	}
	if _, err := c.Warnings(); err != nil {
		t.Error(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	for name, err := range map[string]error{
		"Commit":    c.Commit(),
		"Poll":      second(c.Poll(0)),
		"PollBatch": second(c.PollBatch(2, 0)),
		"Stats":     second(c.Stats()),
		"Check":     second(c.Check()),
	} {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// The error model without a broker: accessors, sentinels, errors.Is by result code.
func TestErrorModel(t *testing.T) {
	_, err := Check(map[string]string{}, CheckOptions{Dialect: "cobol"})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("not an *Error: %v", err)
	}
	if e.Code() != ResultInvalidArgument || !strings.Contains(e.Message(), "cobol") {
		t.Errorf("code %d message %q", e.Code(), e.Message())
	}
	if e.KafkaCode() != 0 || e.KafkaName() != "" || e.IsFatal() || e.IsRetriable() {
		t.Errorf("not a Kafka error, yet %d %q fatal %v retriable %v", e.KafkaCode(), e.KafkaName(), e.IsFatal(), e.IsRetriable())
	}
	if !errors.Is(err, ErrInvalidArgument) || !errors.Is(fmt.Errorf("wrapped: %w", err), ErrInvalidArgument) {
		t.Errorf("errors.Is(%v, ErrInvalidArgument) is false", err)
	}
	if errors.Is(err, ErrClosed) || errors.Is(err, ErrKafka) {
		t.Errorf("%v matches another code", err)
	}

	sentinels := map[Result]*Error{
		ResultClosed:          ErrClosed,
		ResultConfigRefused:   ErrConfigRefused,
		ResultKafka:           ErrKafka,
		ResultKafkaFatal:      ErrKafkaFatal,
		ResultInternal:        ErrInternal,
		ResultStalled:         ErrStalled,
		ResultTimeout:         ErrTimeout,
		ResultInvalidArgument: ErrInvalidArgument,
	}
	for r, s := range sentinels {
		if s.Code() != r {
			t.Errorf("sentinel of %d has code %d", r, s.Code())
		}
		if r.String() == "unknown result" || s.Message() != r.String() {
			t.Errorf("result %d: %q, sentinel message %q", r, r.String(), s.Message())
		}
		if fatal := r == ResultKafkaFatal || r == ResultInternal; s.IsFatal() != fatal {
			t.Errorf("sentinel of %d: IsFatal %v", r, s.IsFatal())
		}
		for other, o := range sentinels {
			if errors.Is(s, o) != (r == other) {
				t.Errorf("errors.Is(%v, %v) = %v", s, o, !(r == other))
			}
		}
	}
	if ResultKafkaFatal != 303 || ResultInternal != 901 {
		t.Errorf("codes %d %d", ResultKafkaFatal, ResultInternal)
	}
}

// The semantics table: a second Ack is a no-op; Close waits for the first close's final commit
// when called again at the same time; Ack, Poll, PollBatch and Commit after Close return
// ErrClosed; a message reads the same after Ack and after Close.
func TestMessageSemantics(t *testing.T) {
	topic := createTopic(t, "semantics", 1)
	produce(t, topic, []string{"h:1\tk1\tv1", "h:2\tk2\tv2"})
	// No background commits: the only commit is the final one of Close.
	settings := consumerSettings(t, map[string]string{"enable.auto.commit": "false", "steady.revoke.drain.ms": "5000"})
	c, err := NewConsumer(settings, []string{topic})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	m1 := firstMessage(t, c)
	want1 := snapshot(m1)
	if err := m1.Ack(); err != nil {
		t.Fatal(err)
	}
	if err := m1.Ack(); err != nil {
		t.Errorf("second Ack: %v", err)
	}
	if got := snapshot(m1); got != want1 || want1 != "0 k1 v1 h=1" {
		t.Errorf("after Ack %q, before %q", got, want1)
	}
	m2, err := c.Poll(30 * time.Second)
	if err != nil || m2 == nil {
		t.Fatalf("second record: %v %v", m2, err)
	}
	want2 := snapshot(m2)

	// The first Close waits up to steady.revoke.drain.ms for the unacked second record. A Close
	// meanwhile must return only once the first is done: after it, acking that record fails.
	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		m, err := c.Poll(50 * time.Millisecond)
		if errors.Is(err, ErrClosed) {
			break
		}
		if m != nil || err != nil || time.Now().After(deadline) {
			t.Fatalf("Poll while closing: %v %v", m, err)
		}
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close during Close: %v", err)
	}
	if err := m2.Ack(); !errors.Is(err, ErrClosed) {
		t.Errorf("Ack after Close: %v (the second Close returned before the first finished?)", err)
	}
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("first Close: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the first Close did not return")
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close after Close: %v", err)
	}
	if err := m1.Ack(); !errors.Is(err, ErrClosed) {
		t.Errorf("Ack of an acked message after Close: %v", err)
	}
	for name, err := range map[string]error{
		"Poll":      second(c.Poll(0)),
		"PollBatch": second(c.PollBatch(2, 0)),
		"Commit":    c.Commit(),
	} {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v", name, err)
		}
	}
	if got1, got2 := snapshot(m1), snapshot(m2); got1 != want1 || got2 != want2 {
		t.Errorf("after Close %q %q, before %q %q", got1, got2, want1, want2)
	}

	// The final commit covered the acked first record only: the group resumes at the second.
	again, err := NewConsumer(settings, []string{topic})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if m := firstMessage(t, again); m.Offset != 1 {
		t.Errorf("the group resumed at offset %d, want 1", m.Offset)
	}
}

// snapshot is a message's data as one string.
func snapshot(m *Message) string {
	s := fmt.Sprintf("%d %s %s", m.Offset, m.Key, m.Value)
	for _, h := range m.Headers {
		s += fmt.Sprintf(" %s=%s", h.Name, h.Value)
	}
	return s
}
