package steady

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// logRecord is one record a recordingHandler got.
type logRecord struct {
	level    slog.Level
	message  string
	logger   string
	facility string
}

func (r logRecord) String() string {
	return fmt.Sprintf("%s %s %s: %s", r.level, r.logger, r.facility, r.message)
}

// recordingHandler is a slog.Handler keeping every record (all levels enabled).
type recordingHandler struct {
	mu      *sync.Mutex
	records *[]logRecord
	changed chan struct{}
	attrs   []slog.Attr
}

func newRecordingHandler() *recordingHandler {
	return &recordingHandler{mu: new(sync.Mutex), records: new([]logRecord), changed: make(chan struct{}, 1)}
}

func (h *recordingHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *recordingHandler) Handle(_ context.Context, r slog.Record) error {
	rec := logRecord{level: r.Level, message: r.Message}
	take := func(a slog.Attr) bool {
		switch a.Key {
		case "logger":
			rec.logger = a.Value.String()
		case "facility":
			rec.facility = a.Value.String()
		}
		return true
	}
	for _, a := range h.attrs {
		take(a)
	}
	r.Attrs(take)
	h.mu.Lock()
	*h.records = append(*h.records, rec)
	h.mu.Unlock()
	select {
	case h.changed <- struct{}{}:
	default:
	}
	return nil
}

func (h *recordingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &c
}

func (h *recordingHandler) WithGroup(string) slog.Handler { return h }

// snapshot is a copy of the records so far.
func (h *recordingHandler) snapshot() []logRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]logRecord(nil), *h.records...)
}

// waitFor waits up to timeout for done to hold of the records; whether it did.
func (h *recordingHandler) waitFor(timeout time.Duration, done func([]logRecord) bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		if done(h.snapshot()) {
			return true
		}
		select {
		case <-h.changed:
		case <-deadline.C:
			return done(h.snapshot())
		}
	}
}

// The three records of the spec's logging scenario.
func isST005(r logRecord) bool {
	return r.level == slog.LevelWarn && r.logger == "steady" && r.facility == "config" &&
		strings.Contains(r.message, "ST005")
}

func isCgrpDebug(r logRecord) bool {
	return r.level == slog.LevelDebug && r.logger == "steady.librdkafka" && strings.HasPrefix(r.facility, "CGRP")
}

func isAssigned(r logRecord) bool {
	return r.level == slog.LevelInfo && r.logger == "steady" && r.facility == "rebalance" &&
		strings.HasPrefix(r.message, "assigned")
}

func anyRecord(records []logRecord, match func(logRecord) bool) bool {
	for _, r := range records {
		if match(r) {
			return true
		}
	}
	return false
}

// logSettings give the ST005 warning (session.timeout.ms=6000) and librdkafka's cgrp debug lines.
func logSettings(t *testing.T) map[string]string {
	return consumerSettings(t, map[string]string{"debug": "cgrp", "session.timeout.ms": "6000"})
}

// The spec's scenario on a slog handler: the ST005 warning, librdkafka's CGRP debug lines and
// the assignment arrive with their levels, loggers and facilities; after records were consumed
// the metrics text parses and counts them.
func TestLoggingToSlog(t *testing.T) {
	topic := createTopic(t, "logging", 1)
	produce(t, topic, []string{"l:1\tk1\tlogged-1", "l:2\tk2\tlogged-2"})
	h := newRecordingHandler()
	c, err := NewConsumer(logSettings(t), []string{topic}, WithLogger(slog.New(h)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	m := firstMessage(t, c)
	if err := m.Ack(); err != nil {
		t.Fatal(err)
	}
	all := func(rs []logRecord) bool {
		return anyRecord(rs, isST005) && anyRecord(rs, isCgrpDebug) && anyRecord(rs, isAssigned)
	}
	if !h.waitFor(30*time.Second, all) {
		rs := h.snapshot()
		t.Errorf("within 30 s: ST005 warning %v, CGRP debug line %v, assigned %v (%d records)",
			anyRecord(rs, isST005), anyRecord(rs, isCgrpDebug), anyRecord(rs, isAssigned), len(rs))
	}
	for _, r := range h.snapshot() {
		if (r.logger != "steady" && r.logger != "steady.librdkafka") || r.facility == "" {
			t.Errorf("record without a known logger or a facility: %v", r)
		}
		if isAssigned(r) && !strings.Contains(r.message, topic) {
			t.Errorf("assigned record does not name %s: %v", topic, r)
		}
	}

	text, err := c.MetricsText()
	if err != nil {
		t.Fatal(err)
	}
	// Text format 0.0.4: metric and label names of the legacy (non-UTF-8) character set.
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("metrics text does not parse: %v\n%s", err, text)
	}
	consumed, ok := families["messaging_client_consumed_messages_total"]
	if !ok {
		t.Fatalf("no messaging_client_consumed_messages_total in\n%s", text)
	}
	total := 0.0
	for _, metric := range consumed.GetMetric() {
		total += metric.GetCounter().GetValue()
	}
	if total < 1 {
		t.Errorf("messaging_client_consumed_messages_total %v after a record was consumed:\n%s", total, text)
	}

	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.MetricsText(); !errors.Is(err, ErrClosed) {
		t.Errorf("MetricsText after Close: %v, want ErrClosed", err)
	}
}

// Env of TestLoggingChild: the mode ("logger": WithLogger; "default": slog.Default()) and the
// topic.
const (
	logChildEnv      = "STEADY_GO_LOG_CHILD"
	logChildTopicEnv = "STEADY_GO_LOG_TOPIC"
)

// TestLoggingChild is the child process of TestLoggingNoStderr (skipped otherwise): a consumer
// with debug=cgrp and the ST005 warning, run until it is assigned (with a logger) or closed at
// once (the default logger: close hands the queued warning over first).
func TestLoggingChild(t *testing.T) {
	mode := os.Getenv(logChildEnv)
	if mode == "" {
		t.Skip("the child process of TestLoggingNoStderr")
	}
	h := newRecordingHandler()
	var opts []Option
	if mode == "logger" {
		opts = append(opts, WithLogger(slog.New(h)))
	}
	c, err := NewConsumer(logSettings(t), []string{os.Getenv(logChildTopicEnv)}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if mode == "logger" && !h.waitFor(60*time.Second, func(rs []logRecord) bool { return anyRecord(rs, isAssigned) }) {
		t.Error("not assigned within 60 s")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	fmt.Println("child: done")
}

// With a logger, neither steady nor librdkafka writes to stderr (a child process runs the
// consumer, its stderr captured); with the default logger the warning reaches slog.Default()'s
// output, stderr (which shows the capture works).
func TestLoggingNoStderr(t *testing.T) {
	topic := createTopic(t, "logging-stderr", 1)
	run := func(mode string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestLoggingChild$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), logChildEnv+"="+mode, logChildTopicEnv+"="+topic)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil || !strings.Contains(stdout.String(), "child: done") {
			t.Fatalf("child (%s): %v\nstdout:\n%s\nstderr:\n%s", mode, err, stdout.String(), stderr.String())
		}
		return stderr.String()
	}
	for _, line := range strings.Split(run("logger"), "\n") {
		if strings.Contains(line, "steady") || strings.Contains(line, "rdkafka") || strings.HasPrefix(line, "%") {
			t.Errorf("stderr with a logger: %q", line)
		}
	}
	if stderr := run("default"); !strings.Contains(stderr, "ST005") || !strings.Contains(stderr, "logger=steady") ||
		!strings.Contains(stderr, "facility=config") {
		t.Errorf("stderr with the default logger lacks the ST005 warning:\n%s", stderr)
	}
}
