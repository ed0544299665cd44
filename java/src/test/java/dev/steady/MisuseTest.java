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
        expect(Result.INVALID_ARGUMENT, "settings is closed", () -> Steady.check(closed, null));
        Report report;
        try (Settings settings = new Settings()) {
            report = Steady.check(settings, null);
        }
        report.close();
        report.close();
        expect(Result.INVALID_ARGUMENT, "report is closed", report::toJson);
    }

    /** Durations become C waits: negative is no limit, huge ones are capped, none overflows. */
    @Test
    void timeoutsToMillis() {
        assertEquals(-1, Native.millis(Duration.ofMillis(-1)));
        assertEquals(-1, Native.millis(Duration.ofSeconds(Long.MIN_VALUE)));
        assertEquals(0, Native.millis(Duration.ZERO));
        assertEquals(0, Native.millis(Duration.ofNanos(999_999)));
        assertEquals(1500, Native.millis(Duration.ofMillis(1500)));
        assertEquals(Integer.MAX_VALUE, Native.millis(Duration.ofMillis(Integer.MAX_VALUE)));
        assertEquals(Integer.MAX_VALUE, Native.millis(Duration.ofDays(365)));
        assertEquals(Integer.MAX_VALUE, Native.millis(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)));
    }

    /** Strings C cannot receive unchanged are refused by name, not cut short or altered. */
    @Test
    void unencodableStrings() {
        try (Settings settings = new Settings(); CheckOptions options = new CheckOptions()) {
            expect(Result.INVALID_ARGUMENT, "key holds a NUL character at index 3", () -> settings.set("abc\0d", "v"));
            expect(Result.INVALID_ARGUMENT, "value holds an unpaired surrogate at index 1",
                    () -> settings.set("k", "a\uD800b"));
            expect(Result.INVALID_ARGUMENT, "value holds an unpaired surrogate at index 0",
                    () -> settings.set("k", "\uDC00"));
            expect(Result.INVALID_ARGUMENT, "dialect holds a NUL", () -> options.dialect("java\0"));
            settings.set("k", "emoji \uD83D\uDE00"); // a surrogate pair is fine
            expect(Result.INVALID_ARGUMENT, "topics[1] holds a NUL character",
                    () -> new Consumer(settings, List.of("ok", "bad\0topic")));
            expect(Result.INVALID_ARGUMENT, "group holds an unpaired surrogate",
                    () -> Steady.probe("127.0.0.1:1", settings, "g\uD800", Duration.ofSeconds(1)));
        }
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
            expect(Result.NULL_PARAMETER, "topics is null", () -> new Consumer(settings, null));
            Consumer consumer = new Consumer(settings, List.of(topic));
            expect(Result.NULL_PARAMETER, "timeout is null", () -> consumer.poll(null));
            expect(Result.NULL_PARAMETER, "timeout is null", () -> consumer.pollBatch(1, null));
            expect(Result.INVALID_ARGUMENT, "max 0", () -> consumer.pollBatch(0, Duration.ZERO));
            expect(Result.INVALID_ARGUMENT, "max -1", () -> consumer.pollBatch(-1, Duration.ZERO));
            expect(Result.INVALID_ARGUMENT, "max " + Integer.MIN_VALUE,
                    () -> consumer.pollBatch(Integer.MIN_VALUE, Duration.ZERO));
            expect(Result.INVALID_ARGUMENT, "max " + (Consumer.MAX_BATCH + 1),
                    () -> consumer.pollBatch(Consumer.MAX_BATCH + 1, Duration.ZERO));
            expect(Result.INVALID_ARGUMENT, "max " + Integer.MAX_VALUE,
                    () -> consumer.pollBatch(Integer.MAX_VALUE, Duration.ZERO));
            assertEquals(List.of(), consumer.pollBatch(Consumer.MAX_BATCH, Duration.ofMillis(100)));
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
}
