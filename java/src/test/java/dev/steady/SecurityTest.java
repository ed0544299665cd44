package dev.steady;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * TLS and SASL_SSL (SCRAM-SHA-512) against the secure broker of tests/kafka ({@code kafka.sh start
 * --instance secure --secure}: a test CA, an SSL and a SASL_SSL listener, a SCRAM user), shared
 * with the other languages' suites. The consumer and the probe connect with librdkafka's keys; a
 * wrong password is a visible authentication error, and the password is in no stat or exception.
 */
class SecurityTest {
    private static final int PARTITIONS = 2;
    private static final int RECORDS = 100;
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final String WRONG = "not-the-password-e41d";

    private static Map<String, String> lines;

    /**
     * The secure instance's lines (started once, idempotently): ssl, sasl_ssl, ca, sasl.username,
     * sasl.password and bootstrap (its plaintext listener, for the test's producer).
     */
    static synchronized Map<String, String> secure() throws IOException, InterruptedException {
        if (lines == null) {
            Process start = new ProcessBuilder(
                            System.getProperty("steady.kafka.sh"), "start", "--instance", "secure", "--secure")
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            String out = new String(start.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(start.waitFor(10, TimeUnit.MINUTES), "kafka.sh start did not end");
            assertEquals(0, start.exitValue(), out);
            Map<String, String> read = new HashMap<>();
            for (String line : out.lines().toList()) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    read.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            lines = read;
        }
        return lines;
    }

    static Map<String, String> scram(Map<String, String> s, String password) {
        return Map.of(
                "security.protocol", "SASL_SSL",
                "ssl.ca.location", s.get("ca"),
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.username", s.get("sasl.username"),
                "sasl.password", password);
    }

    static Settings settings(Map<String, String> s, String listener, Map<String, String> extra) {
        Settings settings = new Settings()
                .set("bootstrap.servers", s.get(listener))
                .set("group.id", TestBroker.unique("secure"))
                .set("auto.offset.reset", "earliest");
        extra.forEach(settings::set);
        return settings;
    }

    /** Reads every record of a fresh topic through {@code listener} with {@code extra} settings. */
    static void readAll(String listener, Map<String, String> extra) throws Exception {
        Map<String, String> s = secure();
        String topic = TestBroker.createTopicAt(s.get("bootstrap"), "secure", PARTITIONS);
        TestBroker.produceManyAt(s.get("bootstrap"), topic, PARTITIONS, RECORDS);
        Set<String> seen = new HashSet<>();
        try (Settings settings = settings(s, listener, extra);
                Consumer consumer = new Consumer(settings, List.of(topic))) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (seen.size() < RECORDS) {
                assertTrue(System.nanoTime() < deadline, seen.size() + " records over " + listener);
                List<Message> batch = consumer.pollBatch(100, Duration.ofMillis(500));
                for (Message m : batch) {
                    seen.add(m.partition() + "@" + m.offset());
                }
                consumer.ack(batch);
            }
        }
        assertEquals(RECORDS, seen.size());
    }

    @Test
    void readsOverTls() throws Exception {
        Map<String, String> s = secure();
        readAll("ssl", Map.of("security.protocol", "SSL", "ssl.ca.location", s.get("ca")));
    }

    @Test
    void readsOverSaslSslWithScram() throws Exception {
        Map<String, String> s = secure();
        readAll("sasl_ssl", scram(s, s.get("sasl.password")));
    }

    @Test
    void probesOverSaslSsl() throws Exception {
        Map<String, String> s = secure();
        try (Settings settings = Settings.of(scram(s, s.get("sasl.password")))) {
            String facts = Steady.probe(s.get("sasl_ssl"), settings, null, Duration.ofSeconds(30));
            assertTrue(facts.contains("\"kip848\":true"), facts);
        }
    }

    @Test
    void aWrongPasswordIsAVisibleAuthenticationErrorThatNeverShowsThePassword() throws Exception {
        Map<String, String> s = secure();
        String stats;
        try (Settings settings = settings(s, "sasl_ssl", scram(s, WRONG));
                Consumer consumer = new Consumer(settings, List.of(TestBroker.unique("secure-none")))) {
            TestBroker.await("an authentication error in the stats", WAIT, () -> {
                assertEquals(null, consumer.poll(Duration.ofMillis(100)));
                return consumer.statsJson().toLowerCase(Locale.ROOT).contains("authentication");
            });
            stats = consumer.statsJson();
            assertFalse(consumer.toString().contains(WRONG));
        }
        assertFalse(stats.contains(WRONG), "the password in the stats");

        try (Settings settings = Settings.of(scram(s, WRONG))) {
            SteadyException e = assertThrows(SteadyException.class,
                    () -> Steady.probe(s.get("sasl_ssl"), settings, null, Duration.ofSeconds(20)));
            assertTrue(e.getMessage().toLowerCase(Locale.ROOT).contains("authentication"), e.getMessage());
            assertFalse(e.getMessage().contains(WRONG), "the password in the probe's error");
            assertFalse(e.toString().contains(WRONG));
        }
    }
}
