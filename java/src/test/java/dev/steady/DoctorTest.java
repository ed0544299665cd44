package dev.steady;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DoctorTest {
    /**
     * The founding FAQ's case: a Java 0.10.0 client with a 40 s session and 2000-record polls, 2
     * threads at 10 records/s, against a 0.10.0 broker (L = 10 × 2 × 40 = 800 records).
     */
    @Test
    void seedExample() {
        try (Settings settings = Settings.of(Map.of("session.timeout.ms", "40000", "max.poll.records", "2000"));
                CheckOptions options = new CheckOptions()
                        .dialect("java")
                        .clientVersion("0.10.0")
                        .brokerVersion("0.10.0")
                        .workload(10, 2);
                Report report = Steady.check(settings, options)) {
            Finding vr001 = report.find("VR001").orElseThrow();
            Finding st006 = report.find("ST006").orElseThrow();
            Finding pl002 = report.find("PL002").orElseThrow();
            Finding pl003 = report.find("PL003").orElseThrow();
            assertEquals("error", vr001.severity());
            assertEquals("warning", st006.severity());
            assertEquals("error", pl002.severity());
            assertEquals("error", pl003.severity());
            assertEquals(new Recommendation("session.timeout.ms", "25000"), st006.recommendation());
            assertEquals(new Recommendation("max.poll.records", "80"), pl002.recommendation());
            assertFalse(vr001.message().isEmpty());
            assertEquals("error", report.findings().get(0).severity());
            assertTrue(report.toJson().contains("\"rule\":\"PL002\""));
        }
    }

    /** Probing the test broker (Apache Kafka 4.x) clears the 0.10-era findings. */
    @Test
    void probeAndCheck() {
        try (Settings settings = Settings.of(Map.of("session.timeout.ms", "40000"))) {
            String facts = Steady.probe(TestBroker.bootstrap(), settings, null, Duration.ofSeconds(30));
            assertTrue(facts.contains("\"kip62\":true"), facts);
            try (CheckOptions options =
                            new CheckOptions().probe(TestBroker.bootstrap(), settings, null, Duration.ofSeconds(30));
                    Report report = Steady.check(settings, options)) {
                assertTrue(report.find("VR001").isEmpty());
                assertTrue(report.find("VR003").isEmpty());
            }
        }
    }

    @Test
    void versionMatchesTheHeader() {
        assertEquals("0.1.0", Steady.version());
    }
}
