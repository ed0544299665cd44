package steady

import (
	"strings"
	"testing"
	"time"
)

// The founding FAQ's case: a Java 0.10.0 client with a 40 s session and 2000-record polls,
// 2 threads at 10 records/s, against a 0.10.0 broker (L = 10 × 2 × 40 = 800 records).
func TestSeedDoctorExample(t *testing.T) {
	report, err := Check(map[string]string{
		"session.timeout.ms": "40000",
		"max.poll.records":   "2000",
	}, CheckOptions{
		Dialect:       "java",
		ClientVersion: "0.10.0",
		BrokerVersion: "0.10.0",
		RatePerThread: 10,
		Threads:       2,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		severity string
		rec      *Recommendation
	}{
		"VR001": {"error", nil},
		"ST006": {"warning", &Recommendation{"session.timeout.ms", "25000"}},
		"PL002": {"error", &Recommendation{"max.poll.records", "80"}},
		"PL003": {"error", nil},
	}
	for rule, w := range want {
		f := report.Find(rule)
		if f == nil {
			t.Fatalf("%s missing from %+v", rule, report.Findings)
		}
		if f.Severity != w.severity {
			t.Errorf("%s severity %s, want %s", rule, f.Severity, w.severity)
		}
		if w.rec != nil && (f.Recommendation == nil || *f.Recommendation != *w.rec) {
			t.Errorf("%s recommends %+v, want %+v", rule, f.Recommendation, w.rec)
		}
		if f.Message == "" || f.Source == "" {
			t.Errorf("%s has no message or source", rule)
		}
	}
	if report.Findings[0].Severity != "error" {
		t.Errorf("most severe finding first: %+v", report.Findings[0])
	}
	if !strings.Contains(report.JSON(), `"rule":"PL002"`) {
		t.Errorf("JSON lacks PL002: %s", report.JSON())
	}
}

// Probing the test broker (Apache Kafka 4.x) clears the 0.10-era findings.
func TestProbeAndCheck(t *testing.T) {
	facts, err := Probe(bootstrap(t), nil, "", 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(facts, `"kip62":true`) {
		t.Errorf("facts: %s", facts)
	}
	report, err := Check(map[string]string{"session.timeout.ms": "40000"}, CheckOptions{
		Probe: &ProbeTarget{BootstrapServers: bootstrap(t), Timeout: 30 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, rule := range []string{"VR001", "VR003"} {
		if report.Find(rule) != nil {
			t.Errorf("%s found against a 4.x broker", rule)
		}
	}
}
