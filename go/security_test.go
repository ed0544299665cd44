package steady

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TLS and SASL_SSL (SCRAM-SHA-512) against the secure broker of tests/kafka (kafka.sh start
// --instance secure --secure: a test CA, an SSL and a SASL_SSL listener, a SCRAM user), shared
// with the other languages' suites. The consumer and the probe connect with librdkafka's keys;
// a wrong password is a visible authentication error, and the password is in no stat, log
// record or error.

const securePartitions, securePerPartition = 2, 50

const wrongPassword = "not-the-password-0b7e"

// secureBroker starts (idempotently) the secure instance and returns its lines: ssl, sasl_ssl,
// ca, sasl.username, sasl.password and bootstrap (its plaintext listener, for the producer).
func secureBroker(t *testing.T) map[string]string {
	t.Helper()
	cmd := exec.Command(filepath.Join(repoRoot(t), "tests/kafka/kafka.sh"), "start", "--instance", "secure", "--secure")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("start the secure broker: %v\n%s", err, out)
	}
	lines := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			lines[k] = v
		}
	}
	return lines
}

func scram(s map[string]string, password string) map[string]string {
	return map[string]string{
		"security.protocol": "SASL_SSL",
		"ssl.ca.location":   s["ca"],
		"sasl.mechanism":    "SCRAM-SHA-512",
		"sasl.username":     s["sasl.username"],
		"sasl.password":     password,
	}
}

// readAll reads every record of a fresh topic through listener with the extra settings.
func readAll(t *testing.T, s map[string]string, listener string, extra map[string]string) {
	t.Helper()
	topic := createTopicOn(t, "secure", "secure", securePartitions)
	var lines []string
	for n := 0; n < securePartitions*securePerPartition; n++ {
		lines = append(lines, fmt.Sprintf("n:%d\tk%d\tv%d", n, n, n))
	}
	produceAt(t, s["bootstrap"], topic, lines)
	settings := map[string]string{
		"bootstrap.servers": s[listener],
		"group.id":          unique("secure"),
		"auto.offset.reset": "earliest",
	}
	for k, v := range extra {
		settings[k] = v
	}
	c, err := NewConsumer(settings, []string{topic})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	seen := map[string]bool{}
	deadline := time.Now().Add(2 * time.Minute)
	for len(seen) < len(lines) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d records over %s", len(seen), len(lines), listener)
		}
		batch, err := c.PollBatch(100, 500*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range batch {
			seen[string(m.Value)] = true
		}
		if err := c.Ack(batch...); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSecurityReadsOverTLS(t *testing.T) {
	s := secureBroker(t)
	readAll(t, s, "ssl", map[string]string{"security.protocol": "SSL", "ssl.ca.location": s["ca"]})
}

func TestSecurityReadsOverSASLSSLWithSCRAM(t *testing.T) {
	s := secureBroker(t)
	readAll(t, s, "sasl_ssl", scram(s, s["sasl.password"]))
}

func TestSecurityProbeOverSASLSSL(t *testing.T) {
	s := secureBroker(t)
	report, err := Check(scram(s, s["sasl.password"]), CheckOptions{
		Probe: &ProbeTarget{BootstrapServers: s["sasl_ssl"], Timeout: 30 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		Broker struct {
			KIP848 bool `json:"kip848"`
		} `json:"broker"`
	}
	if err := json.Unmarshal([]byte(report.JSON()), &parsed); err != nil || !parsed.Broker.KIP848 {
		t.Fatalf("a 4.x broker over SASL_SSL (%v): %s", err, report.JSON())
	}
}

func TestSecurityWrongPasswordIsVisibleAndNeverShown(t *testing.T) {
	s := secureBroker(t)
	settings := scram(s, wrongPassword)
	settings["bootstrap.servers"] = s["sasl_ssl"]
	settings["group.id"] = unique("secure-wrong")
	logs := newRecordingHandler()
	c, err := NewConsumer(settings, []string{unique("secure-none")}, WithLogger(slog.New(logs)))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		stats, err := c.Stats()
		if err != nil {
			t.Fatal(err)
		}
		if stats.LastError != nil && strings.Contains(strings.ToLower(*stats.LastError), "authentication") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no authentication error in the stats: %+v", stats)
		}
		if _, err := c.Poll(100 * time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	text, err := c.StatsJSON()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text, wrongPassword) {
		t.Error("the password in the stats")
	}
	records := logs.snapshot()
	if len(records) == 0 {
		t.Error("no log record at all")
	}
	for _, r := range records {
		if strings.Contains(r.String(), wrongPassword) {
			t.Errorf("the password in a log record: %s", r)
		}
	}

	_, err = Check(settings, CheckOptions{
		Probe: &ProbeTarget{BootstrapServers: s["sasl_ssl"], Timeout: 20 * time.Second},
	})
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "authentication") {
		t.Fatalf("the probe with a wrong password: %v", err)
	}
	if strings.Contains(err.Error(), wrongPassword) {
		t.Error("the password in the probe's error")
	}
}
