package steady

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var names atomic.Int64

// repoRoot is the repository's root (the parent of go/).
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// bootstrap is the test broker's address, set by tests/run-go.sh.
func bootstrap(t *testing.T) string {
	t.Helper()
	b := os.Getenv("STEADY_BOOTSTRAP")
	if b == "" {
		t.Fatal("STEADY_BOOTSTRAP is not set: run tests/run-go.sh")
	}
	return b
}

// unique is a name no other test or run uses.
func unique(what string) string {
	return fmt.Sprintf("steady-go-%s-%d-%d-%d", what, os.Getpid(), time.Now().UnixNano(), names.Add(1))
}

// createTopic creates a new topic with the broker harness and returns its name.
func createTopic(t *testing.T, what string, partitions int) string {
	t.Helper()
	return createTopicOn(t, "default", what, partitions)
}

// createTopicOn creates a new topic on the harness's broker instance and returns its name.
func createTopicOn(t *testing.T, instance, what string, partitions int) string {
	t.Helper()
	topic := unique(what)
	cmd := exec.Command(filepath.Join(repoRoot(t), "tests/kafka/kafka.sh"), "topic", "create", topic, fmt.Sprint(partitions), "--instance", instance)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("create topic %s: %v\n%s", topic, err, out)
	}
	return topic
}

// produce writes records ("headers<TAB>key<TAB>value" lines) to topic.
func produce(t *testing.T, topic string, lines []string) {
	t.Helper()
	produceAt(t, bootstrap(t), topic, lines)
}

// produceAt writes records ("headers<TAB>key<TAB>value" lines) to topic at broker.
func produceAt(t *testing.T, broker, topic string, lines []string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(repoRoot(t), "tests/c/produce.sh"), broker, topic)
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("produce to %s: %v\n%s", topic, err, out)
	}
}

// consumerSettings are settings for a new group on the test broker, plus extra pairs.
func consumerSettings(t *testing.T, extra map[string]string) map[string]string {
	s := map[string]string{
		"bootstrap.servers": bootstrap(t),
		"group.id":          unique("group"),
		"auto.offset.reset": "earliest",
	}
	for k, v := range extra {
		s[k] = v
	}
	return s
}

// firstMessage polls until the first record arrives (the group's first assignment takes a
// few seconds), failing after a minute.
func firstMessage(t *testing.T, c *Consumer) *Message {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		m, err := c.Poll(time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if m != nil {
			return m
		}
	}
	t.Fatal("no record within a minute")
	return nil
}

// code is the result code of err, or ResultOK for nil and other errors.
func code(err error) Result {
	if e, ok := err.(*Error); ok {
		return e.Code()
	}
	return ResultOK
}
