package steady

import (
	"errors"
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
	for name, err := range map[string]error{
		"second Close": c.Close(),
		"Commit":       c.Commit(),
		"Poll":         second(c.Poll(0)),
		"PollBatch":    second(c.PollBatch(2, 0)),
		"Stats":        second(c.Stats()),
		"Check":        second(c.Check()),
	} {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }
