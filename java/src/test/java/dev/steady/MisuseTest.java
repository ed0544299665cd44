package dev.steady;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class MisuseTest {
    /** Runs {@code call}, expects a SteadyException with {@code result} whose message names {@code text}. */
    static void expect(Result result, String text, Executable call) {
        SteadyException e = assertThrows(SteadyException.class, call);
        assertEquals(result, e.result(), e.getMessage());
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }

    @Test
    void badSettingsAndOptions() {
        try (Settings settings = new Settings(); CheckOptions options = new CheckOptions()) {
            expect(Result.NULL_PARAMETER, "key is NULL", () -> settings.set(null, "v"));
            expect(Result.CONFIG_SYNTAX, "empty key", () -> settings.set(" ", "v"));
            expect(Result.CONFIG_IO, "/nonexistent/c.properties", () -> settings.load(Path.of("/nonexistent/c.properties")));
            expect(Result.INVALID_ARGUMENT, "cobol", () -> options.dialect("cobol"));
            expect(Result.INVALID_ARGUMENT, "nope", () -> options.profile("nope"));
            expect(Result.INVALID_ARGUMENT, "x.y", () -> options.clientVersion("x.y"));
            expect(Result.NULL_PARAMETER, "heartbeat is NULL", () -> options.heartbeat(null));
            expect(Result.INVALID_ARGUMENT, "threads 0", () -> options.workload(10, 0));
            expect(Result.INVALID_ARGUMENT, "p99", () -> options.recordMs(50, 5));
            expect(Result.NULL_PARAMETER, "settings is NULL", () -> Steady.check(null, options));
            expect(Result.BROKER_UNREACHABLE, "127.0.0.1:1", () -> Steady.probe("127.0.0.1:1", settings, null, Duration.ofSeconds(2)));
        }
        Settings closed = new Settings();
        closed.close();
        closed.close();
        expect(Result.INVALID_ARGUMENT, "settings is closed", () -> closed.set("k", "v"));
    }

    @Test
    void loadsPropertiesFiles() throws Exception {
        Path file = Files.createTempFile("steady", ".properties");
        try {
            Files.writeString(file, "session.timeout.ms=40000\nmax.poll.records=2000\n");
            try (Settings settings = new Settings().load(file);
                    CheckOptions options = new CheckOptions().dialect("java").clientVersion("0.10.0").workload(10, 2);
                    Report report = Steady.check(settings, options)) {
                assertTrue(report.find("PL002").isPresent());
            }
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void consumerMisuse() throws Exception {
        String topic = TestBroker.createTopic("misuse", 1);
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("session.timeout.ms", "10000");
        refused.put("heartbeat.interval.ms", "10000");
        try (Settings bad = TestBroker.settings(refused)) {
            expect(Result.CONFIG_REFUSED, "heartbeat.interval.ms", () -> new Consumer(bad, List.of(topic)));
        }
        try (Settings settings = TestBroker.settings(Map.of())) {
            expect(Result.INVALID_ARGUMENT, "topic_count 0", () -> new Consumer(settings, List.of()));
            expect(Result.NULL_PARAMETER, "topics[1] is NULL",
                    () -> new Consumer(settings, java.util.Arrays.asList(topic, null)));
            Consumer consumer = new Consumer(settings, List.of(topic));
            expect(Result.INVALID_ARGUMENT, "messages_len 0", () -> consumer.pollBatch(0, Duration.ZERO));
            assertEquals(List.of(), consumer.pollBatch(4, Duration.ofMillis(100)));
            try (Report warnings = consumer.warnings()) {
                assertTrue(warnings.findings().stream().noneMatch(f -> f.severity().equals("error")));
            }
            consumer.close();
            consumer.close(); // idempotent
            expect(Result.CLOSED, "closed", () -> consumer.poll(Duration.ZERO));
            expect(Result.CLOSED, "closed", () -> consumer.pollBatch(2, Duration.ZERO));
            expect(Result.CLOSED, "closed", consumer::commit);
            expect(Result.CLOSED, "closed", consumer::statsJson);
            expect(Result.CLOSED, "closed", consumer::check);
        }
    }

    /** The Result constants carry the values of include/steady.h. */
    @Test
    void resultCodesMatchTheHeader() throws Exception {
        String header = Files.readString(Path.of(System.getProperty("steady.header")));
        Matcher m = Pattern.compile("STEADY_RESULT_(\\w+) = (\\d+)").matcher(header);
        int seen = 0;
        while (m.find()) {
            assertEquals(Integer.parseInt(m.group(2)), Result.valueOf(m.group(1)).code(), m.group(1));
            seen++;
        }
        assertEquals(Result.values().length - 1, seen); // all but UNKNOWN
    }
}
